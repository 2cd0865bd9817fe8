"""Deck plan → one PNG per slide with Pillow, no viewer: the boxes, line breaks, sizes and colours the
.pptx gets (layout.boxes / role_style / accents, the plan's lines), drawn in the PyPI Noto CJK fonts.

Lines are set as LibreOffice sets them: 1.2 em per line at single spacing times the role's spacing,
space before every paragraph but the first, the bullet at the paragraph's left edge and the text
after the hanging indent, the block anchored top/middle/bottom in the box's insets.

A template theme is drawn on what the slide's layout and master put behind it (slides/drawtemplate.py:
background, pictures, rectangles, rounded rectangles, ellipses, lines, groups, plain text), its text
in the placeholder boxes with the alignment, anchor and colour the template gives them where the
theme sets no colour (the .pptx then leaves the colour to the template too). What cannot be drawn
faithfully is left out and counted: `undrawn_notice` says so once per build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.model import Notice
from deliver.slides.fit import BULLET_INDENT
from deliver.slides.fonts import Face, font, is_serif
from deliver.slides.layout import COVER_KINDS, accents, boxes, role_style
from deliver.slides.templatefill import A, P, colour, scheme_colour
from deliver.slides.theme import Palette

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageDraw import ImageDraw

    from deliver.slides.box import Box
    from deliver.slides.plan import BoxText, Deck
    from deliver.slides.theme import Theme

LINE_EM: Final = 1.2
"""Line advance at single spacing, in em (LibreOffice's, measured on its PDFs of our decks)."""
GLYPH_CENTRE: Final = 0.38
"""Height of a CJK glyph's centre above the baseline, in em (ideographic box −0.12…0.88)."""


@dataclass(frozen=True)
class DrawnLine:
    """Where one planned line was drawn, in px of the picture (for tests and previews)."""

    role: str
    text: str
    x: float
    baseline: float
    width: float
    """Drawn width of the line, in px."""
    size: float
    """Font size in px."""
    face: Face
    """Which of the PyPI faces drew it."""
    align: str = "left"
    """"left", "center" or "right" in its box."""


def colours(theme: Theme) -> dict[str, str]:
    """Palette field → RRGGBB; a template theme's unset colours take deliver's defaults."""
    defaults = Palette()
    return {f.name: getattr(theme.palette, f.name) or getattr(defaults, f.name) for f in fields(Palette)}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


_ALIGNS: Final = {"l": "left", "ctr": "center", "r": "right", "just": "left", "dist": "left"}
_ANCHORS: Final = {"t": "top", "ctr": "middle", "b": "bottom"}


@lru_cache(maxsize=8)
def template_looks(path: Path) -> dict[tuple[int, int], tuple[str, str, tuple[int, int, int]]]:
    """(layout index, placeholder idx) → (align, anchor, RGB) a template's placeholders give their text:
    the layout placeholder's own setting, else its master placeholder's, else the master's title/body
    text style (the colour through the colour scheme; the master's text colour tx1 when none is set)."""
    from deliver.slides.drawtemplate import template

    result = {}
    for index, (master, layout) in enumerate(template(path).layouts):
        for shape in layout.element.iter(f"{P}sp"):
            ph = shape.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
            if ph is None:
                continue
            title = ph.get("type", "obj") in ("title", "ctrTitle")
            wanted = ("title",) if title else ("body", "obj")
            parent = next((sp for sp in master.element.iter(f"{P}sp") if _ph_type(sp) in wanted), None)
            chain = [shape, *([parent] if parent is not None else [])]
            style = master.element.find(f"{P}txStyles/{P}{'titleStyle' if title else 'bodyStyle'}/{A}lvl1pPr")
            levels = [el.find(f"{P}txBody/{A}lstStyle/{A}lvl1pPr") for el in chain] + [style]
            align = _first(levels, "algn")
            anchor = _first([el.find(f"{P}txBody/{A}bodyPr") for el in chain], "anchor")
            fills = [lvl.find(f"{A}defRPr/{A}solidFill") for lvl in levels if lvl is not None]
            # A template without list or text styles (LibreOffice's export) colours its prompt text's runs:
            # LibreOffice's viewer takes that colour, so the pictures do too.
            fills += [el.find(f"{P}txBody/{A}p/{A}r/{A}rPr/{A}solidFill") for el in chain]
            found = next((c for c in (colour(f, layout.scheme) for f in fills if f is not None) if c), None)
            ink = found or scheme_colour("tx1", layout.scheme) or (0, 0, 0, 255)
            key = (index, int(ph.get("idx", "0")))
            result[key] = (_ALIGNS.get(align, "left"), _ANCHORS.get(anchor, "top"), ink[:3])
    return result


def _ph_type(shape: Any) -> str | None:
    ph = shape.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
    return None if ph is None else str(ph.get("type", "obj"))


def _first(elements: list[Any], name: str) -> str:
    for el in elements:
        value = el.get(name) if el is not None else None
        if value:
            return str(value)
    return ""


def _face(theme: Theme, role_font: str, bold: bool) -> Face:
    if role_font == "title":
        return "sans-bold" if bold else ("serif" if is_serif(theme.fonts.title_ea) else "sans")
    serif = is_serif(theme.fonts.body_ea)
    return "serif" if serif else ("sans-bold" if bold else "sans")


def draw_slide(deck: Deck, index: int, theme: Theme, width: int, height: int) -> tuple[Image, list[DrawnLine]]:
    """Slide `index` of `deck` as a `width`×`height` RGB picture, and where each of its lines went."""
    from PIL import Image, ImageDraw

    slide = deck.slides[index]
    scale = width / deck.width
    palette = colours(theme)
    where = boxes(theme)
    if theme.template is not None:
        picture = _template_layer(theme.template, where[f"{slide.kind}.title"], width, height)
    else:
        background = palette["cover_background"] if slide.kind in COVER_KINDS else palette["background"]
        picture = Image.new("RGB", (width, height), _rgb(background))
    pen = ImageDraw.Draw(picture)
    if theme.template is None:
        for accent in accents(slide.kind, theme, where):
            box = [accent.x * scale, accent.y * scale, (accent.x + accent.w) * scale, (accent.y + accent.h) * scale]
            pen.rectangle(box, fill=_rgb(accent.colour or palette["accent"]))
    drawn: list[DrawnLine] = []
    for block in slide.blocks:
        drawn.extend(_draw_block(pen, block, where[block.role], theme, palette, scale))
    return picture, drawn


def _template_layer(template: Path, main: Box, width: int, height: int) -> Image:
    """A copy of what the layout of the slide's main box puts behind it (painted once per layout and size)."""
    from deliver.slides.drawtemplate import layer

    assert main.layout is not None  # boxes read from a template always name their layout
    return layer(template, main.layout, width, height)[0].copy()


def undrawn_shapes(theme: Theme) -> dict[str, int]:
    """Kind → how many of the template's shapes behind the deck's slides the pictures leave out (each
    shape once, a master's for all its layouts); empty for a theme without a template."""
    from deliver.slides.drawtemplate import undrawn

    if theme.template is None or theme.template_boxes is None:
        return {}
    layouts = {box.layout for box in theme.template_boxes.values() if box.layout is not None}
    return dict(undrawn(theme.template, layouts))


def undrawn_notice(theme: Theme) -> tuple[Notice, ...]:
    """The one Notice a build with a video gives when the template has shapes the pictures leave out."""
    kinds = undrawn_shapes(theme)
    total = sum(kinds.values())
    if not total:
        return ()
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0])))
    verb = "shape is" if total == 1 else "shapes are"
    return (Notice("slides", f"{total} template {verb} not drawn in the video ({listed})"),)


def _draw_block(
    pen: ImageDraw, block: BoxText, box: Box, theme: Theme, palette: dict[str, str], scale: float
) -> list[DrawnLine]:
    style = role_style(theme, block.role)
    align: str = style.align or "left"
    anchor: str = style.anchor or "top"
    colour, bullet = _rgb(palette[style.colour]), _rgb(palette["accent"])
    if theme.template is not None and box.layout is not None and box.placeholder is not None:
        look = template_looks(theme.template).get((box.layout, box.placeholder))
        if look is not None:
            align, anchor = look[0], look[1]
            # The .pptx leaves a colour the theme does not set to the template (render.py writes none).
            colour = colour if getattr(theme.palette, style.colour) else look[2]
            bullet = bullet if theme.palette.accent else colour
    size = block.size * scale
    which = _face(theme, style.font, style.bold)
    face = font(which, max(1, round(size)))
    step = size * LINE_EM * style.spacing
    gap = theme.text.paragraph_spacing * size
    inset, top_inset = theme.text.inset * scale, theme.text.inset / 2 * scale
    left, right = box.x * scale + inset, (box.x + box.w) * scale - inset
    top, bottom = box.y * scale + top_inset, (box.y + box.h) * scale - top_inset
    total = sum(len(p) for p in block.paragraphs) * step + gap * max(len(block.paragraphs) - 1, 0)
    y = top if anchor == "top" else (bottom - total if anchor == "bottom" else (top + bottom - total) / 2)
    indent = BULLET_INDENT * size if block.bullets and theme.text.bullet else 0.0
    drawn: list[DrawnLine] = []
    for number, lines in enumerate(block.paragraphs):
        y += gap if number else 0.0
        for line_number, line in enumerate(lines):
            baseline = y + step / 2 + GLYPH_CENTRE * size
            if indent and line_number == 0:
                pen.text((left, baseline), theme.text.bullet, font=face, fill=bullet, anchor="ls")
            width = pen.textlength(line, font=face)
            x = _line_x(align, left + indent, right, width)
            pen.text((x, baseline), line, font=face, fill=colour, anchor="ls")
            drawn.append(DrawnLine(block.role, line, x, baseline, width, size, which, align))
            y += step
    return drawn


def _line_x(align: str, left: float, right: float, width: float) -> float:
    if align == "center":
        return (left + right - width) / 2
    return right - width if align == "right" else left


def slide_pictures(
    deck: Deck, theme: Theme, width: int, height: int, folder: Path, only: set[int] | None = None
) -> Iterator[Path]:
    """Draw the slides (those in `only`, 0-based, when given) one at a time into `folder` as
    slide-NNNN.png and yield each path as it is written: a 500-slide deck never sits in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(len(deck.slides)):
        if only is not None and index not in only:
            continue
        picture, _ = draw_slide(deck, index, theme, width, height)
        path = folder / f"slide-{index + 1:04d}.png"
        picture.save(path, optimize=False, compress_level=1)
        picture.close()
        yield path
