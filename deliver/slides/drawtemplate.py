"""An organisation template's own look in the slide pictures: the background of the layout a slide
uses (else its master's), then the master's shapes (unless the layout sets showMasterSp="0") and the
layout's, in z-order, that are not placeholders — pictures (cropped per a:srcRect), rectangles,
rounded rectangles, ellipses, lines and connectors, groups of these, and their simple static text —
and the colour each placeholder gives its text. Read once per template, painted once per layout and
picture size; what cannot be painted faithfully is left out and counted by kind (`undrawn`).

Placeholders of a master or layout (date, footer, slide number) are never drawn: a slide shows only the
placeholders it has, and deliver's slides carry only those it fills (so `hf` needs no reading)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.slides.templatefill import (
    FILLS,
    NO_FILL,
    RGBA,
    UNREAD,
    A,
    Fill,
    P,
    Scheme,
    colour,
    has_effect,
    line_style,
    local,
    paint_fill,
    read_fill,
    read_scheme,
    remapped,
    style_fill,
)
from deliver.slides.templatetext import paint_text, simple_text

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageDraw import ImageDraw

_GEOMETRIES: Final = ("rect", "roundRect", "ellipse", "line", "straightConnector1")
_DEFAULT_LINE: Final = 9525
"""An outline's width when its a:ln gives none, in EMU (0.75 pt)."""
Map = tuple[float, float, float]
"""EMU of the slide → px: (x offset px, y offset px, px per EMU) — a group's child space folded in."""


@dataclass(frozen=True)
class Owner:
    """A master or layout as the pictures read it: its XML, part (for pictures) and colour scheme."""

    name: str
    element: Any
    part: Any
    scheme: Scheme


class Template:
    """An opened template: slide size (EMU), each layout with its master, decoded pictures (kept)."""

    def __init__(self, path: Path) -> None:
        from pptx.opc.constants import RELATIONSHIP_TYPE as RT
        from pptx.oxml import parse_xml

        from deliver.slides.template import open_template

        prs = open_template(path)
        self.width: int = prs.slide_width
        self.height: int = prs.slide_height
        self.layouts: list[tuple[Owner, Owner]] = []
        self.pictures: dict[tuple[str, str], Image | None] = {}
        for layout in prs.slide_layouts:
            master = layout.slide_master
            master_map = master._element.find(f"{P}clrMap")
            scheme = read_scheme(parse_xml(master.part.part_related_by(RT.THEME).blob), master_map)
            lay_scheme = remapped(scheme, master_map, layout._element.find(f"{P}clrMapOvr"))
            self.layouts.append(
                (
                    Owner(str(master.part.partname), master._element, master.part, scheme),
                    Owner(str(layout.part.partname), layout._element, layout.part, lay_scheme),
                )
            )

    def picture(self, owner: Any, rid: str) -> Image | None:
        """The picture `rid` of `owner`'s part, decoded once (None when Pillow cannot read it: EMF, WMF)."""
        from PIL import Image, UnidentifiedImageError

        key = (str(owner.partname), rid)
        if key not in self.pictures:
            try:
                image = Image.open(io.BytesIO(owner.related_part(rid).blob))
                image.load()
                self.pictures[key] = image.convert("RGBA")
            except (KeyError, OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
                self.pictures[key] = None
        return self.pictures[key]


@lru_cache(maxsize=4)
def template(path: Path) -> Template:
    """The template at `path`, read once per build (and per process: it is remembered by path)."""
    return Template(path)


@lru_cache(maxsize=16)
def layer(path: Path, layout: int, width: int, height: int) -> tuple[Image, dict[str, Counter[str]]]:
    """What layout `layout` puts behind a slide, as a `width`×`height` RGB picture, and per master or layout
    the kinds of its shapes left out. Painted once per layout and size; callers copy it."""
    from PIL import Image, ImageDraw

    tpl = template(path)
    master, own = tpl.layouts[layout]
    scale = width / tpl.width
    picture = Image.new("RGB", (width, height), (255, 255, 255))
    left_out: dict[str, Counter[str]] = {}
    try:
        bg = _background(own) or _background(master)
    except (ValueError, TypeError, KeyError, AttributeError):
        bg, left_out["background"] = None, Counter({"unreadable background": 1})
    if bg is not None:
        _paint_fill(tpl, picture, bg, (0, 0, width, height))
    pen = ImageDraw.Draw(picture, "RGBA")
    owners = [own] if own.element.get("showMasterSp") in ("0", "false") else [master, own]
    for owner in owners:
        skipped: Counter[str] = Counter()
        tree = owner.element.find(f"{P}cSld/{P}spTree")
        _paint_tree(tpl, picture, pen, owner, tree, (0.0, 0.0, scale), skipped)
        left_out[owner.name] = skipped
    return picture, left_out


def undrawn(path: Path, layouts: set[int]) -> Counter[str]:
    """Kinds of the shapes of those layouts and their masters the pictures leave out, each shape once."""
    per_owner: dict[str, Counter[str]] = {}
    for index in sorted(layouts):
        per_owner.update(layer(path, index, 64, 36)[1])
    return sum(per_owner.values(), Counter())


def _background(owner: Owner) -> Fill | None:
    bg = owner.element.find(f"{P}cSld/{P}bg")
    if bg is None:
        return None
    pr, ref = bg.find(f"{P}bgPr"), bg.find(f"{P}bgRef")
    if pr is not None:
        fill = next((child for child in pr if child.tag in FILLS), None)
        return read_fill(fill, owner.scheme, owner.part) if fill is not None else None
    return style_fill("fillStyleLst", ref, owner.scheme, owner.part) if ref is not None else None


def _paint_tree(
    tpl: Template, picture: Image, pen: ImageDraw, owner: Owner, tree: Any, where: Map, skipped: Counter[str]
) -> None:
    for el in tree if tree is not None else ():
        if not isinstance(el.tag, str):
            continue  # an XML comment or processing instruction
        try:
            _paint_element(tpl, picture, pen, owner, el, where, skipped)
        except (ValueError, TypeError, KeyError, AttributeError, ZeroDivisionError):
            skipped["unreadable shape"] += 1  # a template comes from anywhere: a bad value costs that shape only


def _paint_element(
    tpl: Template, picture: Image, pen: ImageDraw, owner: Owner, el: Any, where: Map, skipped: Counter[str]
) -> None:
    kind = local(el)
    if kind in ("nvGrpSpPr", "grpSpPr", "extLst"):
        return
    if el.find(f"./{P}nvSpPr/{P}nvPr/{P}ph") is not None or el.find(f"./{P}nvPicPr/{P}nvPr/{P}ph") is not None:
        return  # a placeholder: shown only where a slide has it
    if kind == "grpSp":
        inner = _group_map(el, where)
        if inner is None:
            skipped["rotated group"] += 1
        else:
            _paint_tree(tpl, picture, pen, owner, el, inner, skipped)
    elif kind in ("sp", "cxnSp"):
        _paint_shape(tpl, picture, pen, owner, el, where, skipped)
    elif kind == "pic":
        _paint_picture(tpl, picture, owner, el, where, skipped)
    elif kind == "graphicFrame":
        uri = next((g.get("uri", "") for g in el.iter(f"{A}graphicData")), "")
        skipped["chart" if "chart" in uri else "SmartArt" if "diagram" in uri else "table or object"] += 1
    else:
        skipped["other content"] += 1


def _xfrm(el: Any, where: Map) -> tuple[float, float, float, float] | None:
    """The px box (x0, y0, x1, y1) of an element's a:xfrm under `where`; None without one."""
    xfrm = el.find(f"{A}xfrm")
    off, ext = (xfrm.find(f"{A}off"), xfrm.find(f"{A}ext")) if xfrm is not None else (None, None)
    if off is None or ext is None:
        return None
    ox, oy, k = where
    x, y = ox + int(off.get("x", "0")) * k, oy + int(off.get("y", "0")) * k
    return x, y, x + int(ext.get("cx", "0")) * k, y + int(ext.get("cy", "0")) * k


def _group_map(group: Any, where: Map) -> Map | None:
    """Child space → px for a group (None when rotated or scaled unevenly, which is not drawn)."""
    xfrm = group.find(f"{P}grpSpPr/{A}xfrm")
    if xfrm is None:
        return where
    if int(xfrm.get("rot", "0")) % 21600000:
        return None
    parts = [xfrm.find(f"{A}{n}") for n in ("off", "ext", "chOff", "chExt")]
    if any(p is None for p in parts):
        return where
    off, ext, ch_off, ch_ext = parts
    kx = int(ext.get("cx")) / max(int(ch_ext.get("cx")), 1)
    ky = int(ext.get("cy")) / max(int(ch_ext.get("cy")), 1)
    if abs(kx - ky) > 0.01 * max(kx, ky, 1e-9):
        return None
    ox, oy, k = where
    return (ox + (int(off.get("x")) - int(ch_off.get("x")) * kx) * k,
            oy + (int(off.get("y")) - int(ch_off.get("y")) * kx) * k, k * kx)  # fmt: skip


def _paint_shape(
    tpl: Template, picture: Image, pen: ImageDraw, owner: Owner, el: Any, where: Map, skipped: Counter[str]
) -> None:
    sp_pr, style = el.find(f"{P}spPr"), el.find(f"{P}style")
    box = _xfrm(sp_pr, where) if sp_pr is not None else None
    geometry = sp_pr.find(f"{A}prstGeom") if sp_pr is not None else None
    prst = geometry.get("prst", "") if geometry is not None else ("custom geometry" if box is not None else "")
    xfrm = sp_pr.find(f"{A}xfrm") if sp_pr is not None else None
    if box is None or prst not in _GEOMETRIES or (xfrm is not None and int(xfrm.get("rot", "0")) % 21600000):
        skipped["custom shape" if prst == "custom geometry" else "rotated shape" if prst in _GEOMETRIES else
                f"{prst or 'unplaced'} shape"] += 1  # fmt: skip
        return
    fill = _shape_fill(sp_pr, style, owner)
    outline = _outline(sp_pr, style, owner.scheme)
    if fill is UNREAD or outline == "unread":
        skipped["pattern or picture-filled shape" if fill is UNREAD else "dashed or patterned outline"] += 1
        return
    if has_effect(sp_pr, style, owner.scheme):
        skipped["shadow or 3-D effect (shape drawn without it)"] += 1
    scale = where[2]
    width = max(1, round(outline[1] * scale)) if isinstance(outline, tuple) else 0
    ink = outline[0] if isinstance(outline, tuple) else None
    if prst in ("line", "straightConnector1"):
        _paint_line(pen, box, xfrm, ink, width)
        return
    if fill.kind in ("gradient", "picture"):
        if prst != "rect":
            skipped[f"{fill.kind}-filled {prst}"] += 1
            return
        _paint_fill(tpl, picture, fill, box)
    solid = fill.colour if fill.kind == "solid" else None
    _outlined(pen, prst, box, solid, ink, width, geometry)
    text = simple_text(el, owner.scheme, owner.element)
    if text == "unread":
        skipped["rich or field text (shape drawn without it)"] += 1
    elif text is not None:
        paint_text(pen, text, box, scale)


def _shape_fill(sp_pr: Any, style: Any, owner: Owner) -> Fill:
    own = next((child for child in sp_pr if child.tag in FILLS), None)
    if own is not None:
        return read_fill(own, owner.scheme, owner.part)
    ref = style.find(f"{A}fillRef") if style is not None else None
    found = style_fill("fillStyleLst", ref, owner.scheme, owner.part) if ref is not None else None
    return NO_FILL if found is None else found


def _outline(sp_pr: Any, style: Any, scheme: Scheme) -> tuple[RGBA, int] | str | None:
    """(colour, width EMU) of a shape's outline, None for none, "unread" for one we do not draw (dashed…)."""
    themed, ref_colour = line_style(style.find(f"{A}lnRef") if style is not None else None, scheme)
    own = sp_pr.find(f"{A}ln")
    chain = [ln for ln in (own, themed) if ln is not None]
    fill = next((child for ln in chain for child in ln if child.tag in FILLS), None)
    if fill is None or local(fill) == "noFill":
        return None
    dash = next((d.get("val") for ln in chain for d in ln.iter(f"{A}prstDash")), "solid")
    ink = colour(fill, scheme, ref_colour) if local(fill) == "solidFill" else None
    if ink is None or dash != "solid" or any(ln.find(f"{A}custDash") is not None for ln in chain):
        return "unread"
    width = next((int(ln.get("w")) for ln in chain if ln.get("w")), _DEFAULT_LINE)
    return ink, width


def _outlined(
    pen: ImageDraw, prst: str, box: tuple[float, float, float, float], fill: RGBA | None, ink: RGBA | None,
    width: int, geometry: Any,
) -> None:  # fmt: skip
    """A rectangle, rounded rectangle or ellipse: `fill` inside the box, the outline centred on its edge."""
    half = width / 2 if ink is not None else 0.0
    x0, y0, x1, y1 = box
    inner = [x0 + half, y0 + half, x1 - half, y1 - half] if x1 - x0 > width and y1 - y0 > width else list(box)
    outer = [x0 - half, y0 - half, x1 + half, y1 + half]
    radius = 0.0
    if prst == "roundRect":
        adj = next((g.get("fmla", "") for g in geometry.iter(f"{A}gd") if g.get("name") == "adj"), "val 16667")
        radius = min(x1 - x0, y1 - y0) * int(adj.split()[-1]) / 100000
    for rect, colour_, w in ((outer, ink, width), (inner, fill, 0)):
        if colour_ is None:
            continue
        if prst == "ellipse":
            pen.ellipse(rect, fill=colour_ if not w else None, outline=colour_ if w else None, width=w)
        else:
            pen.rounded_rectangle(rect, radius, fill=colour_ if not w else None, outline=colour_ if w else None,
                                  width=w)  # fmt: skip


def _paint_line(
    pen: ImageDraw, box: tuple[float, float, float, float], xfrm: Any, ink: RGBA | None, width: int
) -> None:
    if ink is None:
        return
    x0, y0, x1, y1 = box
    if xfrm is not None and xfrm.get("flipH") in ("1", "true"):
        x0, x1 = x1, x0
    if xfrm is not None and xfrm.get("flipV") in ("1", "true"):
        y0, y1 = y1, y0
    pen.line([(x0, y0), (x1, y1)], fill=ink, width=width)


def _paint_picture(tpl: Template, picture: Image, owner: Owner, el: Any, where: Map, skipped: Counter[str]) -> None:
    sp_pr = el.find(f"{P}spPr")
    box = _xfrm(sp_pr, where) if sp_pr is not None else None
    xfrm = sp_pr.find(f"{A}xfrm") if sp_pr is not None else None
    blip = el.find(f"{P}blipFill")
    if box is None or blip is None or (xfrm is not None and int(xfrm.get("rot", "0")) % 21600000):
        skipped["rotated or unplaced picture"] += 1
        return
    fill = read_fill(blip, owner.scheme, owner.part)
    if fill.kind != "picture" or tpl.picture(owner.part, fill.blip) is None:
        skipped["picture Pillow cannot read (EMF/WMF)"] += 1
        return
    if has_effect(sp_pr, el.find(f"{P}style"), owner.scheme):
        skipped["shadow or 3-D effect (shape drawn without it)"] += 1
    _paint_fill(tpl, picture, fill, box)


def _paint_fill(tpl: Template, picture: Image, fill: Fill, box: tuple[float, float, float, float]) -> None:
    source = tpl.picture(fill.owner, fill.blip) if fill.kind == "picture" else None
    paint_fill(picture, fill, box, source, picture.width / tpl.width)
