"""DrawingML colours and fills of an organisation's template, read for the slide pictures: a colour
element (srgbClr, schemeClr through the master's colour map and the theme's scheme, sysClr, prstClr)
with its lumMod/lumOff/satMod/tint/shade/alpha, and a fill (solid, gradient, picture, a theme style
reference) as a `Fill`, and that fill painted over a box of a picture with Pillow."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from PIL.Image import Image

A: Final = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P: Final = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RGBA = tuple[int, int, int, int]
_MAPPED: Final = ("bg1", "tx1", "bg2", "tx2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                  "hlink", "folHlink")  # fmt: skip
_PRESET: Final = {"black": "000000", "white": "FFFFFF", "red": "FF0000", "green": "008000", "blue": "0000FF",
                  "yellow": "FFFF00", "gray": "808080", "grey": "808080", "darkGray": "A9A9A9",
                  "lightGray": "D3D3D3", "orange": "FFA500", "navy": "000080"}  # fmt: skip
_COLOURS: Final = ("srgbClr", "schemeClr", "sysClr", "prstClr", "scrgbClr")
FILLS: Final = tuple(f"{A}{name}" for name in ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"))


def local(el: Any) -> str:
    """An element's tag without its namespace."""
    return str(el.tag).rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Scheme:
    """A master's (or a layout's overridden) colour names → RRGGBB, and the theme's format styles."""

    colours: dict[str, str]
    fmt: Any = None
    """The theme's `a:fmtScheme` (fill, line, effect and background styles), None if absent."""


def read_scheme(theme_xml: Any, clr_map: Any) -> Scheme:
    """The theme part's colour scheme under a master's `p:clrMap` (bg1 → lt1 …), scheme names kept too."""
    scheme: dict[str, str] = {}
    clr = theme_xml.find(f"{A}themeElements/{A}clrScheme")
    for slot in clr if clr is not None else ():
        value = next((c for c in slot if local(c) in ("srgbClr", "sysClr")), None)
        if value is not None:
            scheme[local(slot)] = str(value.get("val") if local(value) == "srgbClr" else value.get("lastClr", "000000"))
    defaults = {"bg1": "lt1", "tx1": "dk1", "bg2": "lt2", "tx2": "dk2"}
    for name in _MAPPED:
        target = clr_map.get(name) if clr_map is not None else None
        target = target or defaults.get(name, name)
        if target in scheme:
            scheme[name] = scheme[target]
    return Scheme(scheme, theme_xml.find(f"{A}themeElements/{A}fmtScheme"))


def remapped(scheme: Scheme, master_map: Any, override: Any) -> Scheme:
    """`scheme` under a layout's `p:clrMapOvr` (its `a:overrideClrMapping`), unchanged when it keeps the master's."""
    mapping = override.find(f"{A}overrideClrMapping") if override is not None else None
    if mapping is None:
        return scheme
    names = {k: v for k, v in scheme.colours.items() if k not in _MAPPED}
    for name in _MAPPED:
        target = mapping.get(name) or (master_map.get(name) if master_map is not None else None)
        if target in names:
            names[name] = names[target]
    return Scheme({**scheme.colours, **names}, scheme.fmt)


def colour(holder: Any, scheme: Scheme, placeholder: RGBA | None = None) -> RGBA | None:
    """The colour of the first colour element under `holder` (a solidFill, a gs, a bgRef …), `placeholder`
    standing for `phClr`; None when it has none we read."""
    if holder is None:
        return None
    for el in holder:
        name, val = local(el), el.get("val", "")
        base: RGBA | None = None
        if name == "srgbClr":
            base = _hex(val)
        elif name == "schemeClr":
            base = placeholder if val == "phClr" else (_hex(scheme.colours[val]) if val in scheme.colours else None)
        elif name == "sysClr":
            base = _hex(el.get("lastClr") or ("000000" if val == "windowText" else "FFFFFF"))
        elif name == "prstClr":
            base = _hex(_PRESET.get(val, "000000"))
        elif name == "scrgbClr":
            lr, lg, lb = (int(el.get(c, "0")) / 100000 for c in "rgb")
            base = _from_linear(lr, lg, lb, 1.0)
        if name in _COLOURS:
            return None if base is None else _modified(base, el)
    return None


def scheme_colour(name: str, scheme: Scheme) -> RGBA | None:
    """The scheme colour `name` ("tx1", "accent1" …) as it is, None when the scheme lacks it."""
    value = scheme.colours.get(name)
    return _hex(value) if value else None


def _hex(value: str) -> RGBA:
    value = (value + "000000")[:6]
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), 255


def _lin(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(r: float, g: float, b: float, a: float) -> RGBA:
    def srgb(c: float) -> int:
        c = min(max(c, 0.0), 1.0)
        return round(255 * (c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055))

    return srgb(r), srgb(g), srgb(b), round(255 * min(max(a, 0.0), 1.0))


def _modified(base: RGBA, el: Any) -> RGBA:
    """`base` with the colour element's modifiers applied in order (HSL for lum/sat, linear RGB for
    tint/shade, as PowerPoint and LibreOffice apply them)."""
    r, g, b, a = (c / 255 for c in base)
    for mod in el:
        name, v = local(mod), int(mod.get("val", "0")) / 100000
        if name in ("lumMod", "lumOff", "satMod", "satOff"):
            h, lum, s = colorsys.rgb_to_hls(r, g, b)
            lum = lum * v if name == "lumMod" else (lum + v if name == "lumOff" else lum)
            s = s * v if name == "satMod" else (s + v if name == "satOff" else s)
            r, g, b = colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), min(max(s, 0.0), 1.0))
        elif name in ("tint", "shade"):
            lin = [_lin(c) for c in (r, g, b)]
            lin = [c * v if name == "shade" else 1 - (1 - c) * v for c in lin]
            r, g, b, _ = (c / 255 for c in _from_linear(lin[0], lin[1], lin[2], 1.0))
        elif name == "alpha":
            a = v
        elif name == "alphaMod":
            a *= v
    return round(r * 255), round(g * 255), round(b * 255), round(a * 255)


@dataclass(frozen=True)
class Fill:
    """A fill the pictures paint: "solid" (`colour`), "gradient" (`stops` at 0…1 along `angle` degrees
    clockwise from →, or from the centre out when `radial`) or "picture" (`blip` rId of `owner`'s part,
    stretched, or tiled at `tile` = (x scale, y scale, x offset EMU, y offset EMU))."""

    kind: str
    colour: RGBA = (0, 0, 0, 0)
    stops: tuple[tuple[float, RGBA], ...] = ()
    angle: float = 90.0
    radial: bool = False
    blip: str = ""
    owner: Any = field(default=None, compare=False)
    tile: tuple[float, float, float, float] | None = None
    src_rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Crop l, t, r, b as fractions of the picture (a:srcRect)."""


NO_FILL: Final = Fill("none")
UNREAD: Final = Fill("unread")
"""A fill we do not paint (a pattern, a picture we cannot reach): the shape is left out and counted."""


def read_fill(el: Any, scheme: Scheme, owner: Any, placeholder: RGBA | None = None) -> Fill:
    """The `Fill` of a fill element (a:solidFill, a:gradFill, a:blipFill, a:noFill …); `owner` is the
    python-pptx part holding it (to reach a picture's bytes)."""
    name = local(el)
    if name == "noFill":
        return NO_FILL
    if name == "solidFill":
        found = colour(el, scheme, placeholder)
        return Fill("solid", found) if found is not None else UNREAD
    if name == "gradFill":
        stops = [(int(gs.get("pos", "0")) / 100000, colour(gs, scheme, placeholder)) for gs in el.iter(f"{A}gs")]
        known = tuple(sorted((pos, c) for pos, c in stops if c is not None))
        if not known:
            return UNREAD
        lin = el.find(f"{A}lin")
        angle = int(lin.get("ang", "0")) / 60000 if lin is not None else 90.0
        return Fill("gradient", known[0][1], known, angle, radial=el.find(f"{A}path") is not None)
    if name == "blipFill":
        return _blip_fill(el, owner)
    return UNREAD


def _blip_fill(el: Any, owner: Any) -> Fill:
    blip = el.find(f"{A}blip")
    rid = blip.get(f"{R}embed") if blip is not None else None
    if not rid or owner is None:
        return UNREAD
    rect = el.find(f"{A}srcRect")
    crop = (0.0, 0.0, 0.0, 0.0)
    if rect is not None:
        crop = tuple(max(int(rect.get(k, "0")), 0) / 100000 for k in "ltrb")  # type: ignore[assignment]
    tile = el.find(f"{A}tile")
    tiling = None
    if tile is not None:
        sx, sy = (int(tile.get(k, "100000")) / 100000 for k in ("sx", "sy"))
        tiling = (sx, sy, int(tile.get("tx", "0")), int(tile.get("ty", "0")))
    return Fill("picture", blip=rid, owner=owner, tile=tiling, src_rect=crop)


def style_fill(kind: str, ref: Any, scheme: Scheme, owner: Any) -> Fill | None:
    """The fill a theme style reference gives (`p:style/a:fillRef`, `p:bgRef`): entry idx of the theme's
    fill styles (1…999) or background fill styles (1001…), its phClr the reference's colour; None for idx 0."""
    idx = int(ref.get("idx", "0"))
    if idx == 0 or scheme.fmt is None:
        return None
    lst = scheme.fmt.find(f"{A}{'bgFillStyleLst' if idx > 1000 else kind}")
    entries = [child for child in lst if child.tag in FILLS] if lst is not None else []
    n = idx - 1001 if idx > 1000 else idx - 1
    if not 0 <= n < len(entries):
        return UNREAD
    return read_fill(entries[n], scheme, owner, colour(ref, scheme))


def line_style(ref: Any, scheme: Scheme) -> tuple[Any, RGBA | None]:
    """The theme's `a:ln` a `p:style/a:lnRef` names (None for idx 0), and the reference's colour (its phClr)."""
    idx = int(ref.get("idx", "0")) if ref is not None else 0
    lst = scheme.fmt.find(f"{A}lnStyleLst") if scheme.fmt is not None and idx else None
    entries = list(lst) if lst is not None else []
    return (entries[idx - 1] if 0 < idx <= len(entries) else None), colour(ref, scheme)


def has_effect(sp_pr: Any, style: Any, scheme: Scheme) -> bool:
    """Whether a shape has a shadow, glow, reflection or 3-D look (its own, or its theme effect style's)."""
    own = sp_pr.find(f"{A}effectLst") if sp_pr is not None else None
    if own is not None and len(own):
        return True
    if sp_pr is not None and (sp_pr.find(f"{A}scene3d") is not None or sp_pr.find(f"{A}sp3d") is not None):
        return True
    ref = style.find(f"{A}effectRef") if style is not None else None
    idx = int(ref.get("idx", "0")) if ref is not None else 0
    lst = scheme.fmt.find(f"{A}effectStyleLst") if scheme.fmt is not None and idx else None
    entries = list(lst) if lst is not None else []
    if not 0 < idx <= len(entries):
        return False
    return any(len(child) for child in entries[idx - 1])


def paint_fill(
    picture: Image, fill: Fill, box: tuple[float, float, float, float], source: Image | None, px_per_emu: float
) -> None:
    """Paint `fill` over the px `box` of `picture` (alpha blended); `source` is a picture fill's decoded
    picture (None: nothing is painted)."""
    from PIL import Image

    x0, y0 = round(box[0]), round(box[1])
    w, h = round(box[2]) - x0, round(box[3]) - y0
    if w <= 0 or h <= 0 or fill.kind in ("none", "unread"):
        return
    if fill.kind == "solid":
        patch = Image.new("RGBA", (w, h), fill.colour)
    elif fill.kind == "gradient":
        patch = _gradient(fill, w, h)
    else:
        if source is None:
            return
        patch = _tiled(source, fill, w, h, px_per_emu) if fill.tile else _cropped(source, fill, w, h)
    picture.paste(patch, (x0, y0), patch)


def _cropped(source: Image, fill: Fill, w: int, h: int) -> Image:
    from PIL import Image

    left, t, r, b = fill.src_rect
    sw, sh = source.size
    crop = (round(left * sw), round(t * sh), max(round(sw * (1 - r)), round(left * sw) + 1),
            max(round(sh * (1 - b)), round(t * sh) + 1))  # fmt: skip
    return source.crop(crop).resize((w, h), Image.Resampling.LANCZOS)


def _tiled(source: Image, fill: Fill, w: int, h: int, px_per_emu: float) -> Image:
    """A tiled picture fill: tiles at the picture's own size (its dpi, else 96) times the tile scale."""
    from PIL import Image

    assert fill.tile is not None
    sx, sy, tx, ty = fill.tile
    dpi = source.info.get("dpi", (96, 96))
    tw = max(1, round(source.width * 914400 / float(dpi[0] or 96) * sx * px_per_emu))
    th = max(1, round(source.height * 914400 / float(dpi[1] or 96) * sy * px_per_emu))
    tile = source.resize((tw, th), Image.Resampling.LANCZOS)
    patch = Image.new("RGBA", (w, h))
    start_x, start_y = round(tx * px_per_emu) % tw - tw, round(ty * px_per_emu) % th - th
    for y in range(start_y, h, th):
        for x in range(start_x, w, tw):
            patch.paste(tile, (x, y))
    return patch


def _gradient(fill: Fill, w: int, h: int) -> Image:
    """Every stop of a linear gradient along its angle (a path gradient from the centre out)."""
    import math

    import numpy as np
    from PIL import Image

    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if fill.radial:
        t = np.hypot((xs - w / 2) / (w / 2), (ys - h / 2) / (h / 2)) / math.sqrt(2)
    else:
        a = math.radians(fill.angle)
        proj = xs * math.cos(a) + ys * math.sin(a)
        t = (proj - proj.min()) / max(float(proj.max() - proj.min()), 1e-6)
    positions = [pos for pos, _ in fill.stops]
    channels = [np.interp(t, positions, [c[i] for _, c in fill.stops]) for i in range(4)]
    return Image.fromarray(np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8), "RGBA")
