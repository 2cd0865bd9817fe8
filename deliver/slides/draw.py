"""Deck plan → one PNG per slide with Pillow, no viewer: the boxes, line breaks, sizes and colours the
.pptx gets (layout.boxes / role_style / accents, the plan's lines), drawn in the PyPI Noto CJK fonts.

Lines are set as LibreOffice sets them: 1.2 em per line at single spacing times the role's spacing,
space before every paragraph but the first, the bullet at the paragraph's left edge and the text
after the hanging indent, the block anchored top/middle/bottom in the box's insets. A template theme
is drawn in its placeholder boxes with the alignment and anchor the template gives them, on deliver's
default colours: its background fill or picture, logos, master shapes and colour scheme are not drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.slides.fit import BULLET_INDENT
from deliver.slides.fonts import Face, font, is_serif
from deliver.slides.layout import COVER_KINDS, accents, boxes, role_style
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


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_ALIGNS: Final = {"l": "left", "ctr": "center", "r": "right", "just": "left", "dist": "left"}
_ANCHORS: Final = {"t": "top", "ctr": "middle", "b": "bottom"}


@lru_cache(maxsize=8)
def template_styles(path: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """(layout index, placeholder idx) → (align, anchor) a template's placeholders give their text:
    the layout's own setting, else its master placeholder's, else the master's title/body text style."""
    from pptx import Presentation

    result = {}
    layouts: list[Any] = list(Presentation(str(path)).slide_layouts)  # python-pptx's placeholder types confuse mypy
    for index, layout in enumerate(layouts):
        master = layout.slide_master
        for ph in layout.placeholders:
            kind = str(ph.placeholder_format.type).split(" ")[0].split(".")[-1]
            title = kind in ("TITLE", "CENTER_TITLE")
            parent = next((m for m in master.placeholders if (m.placeholder_format.type == 1) == title), None)
            chain = [ph._element, *([parent._element] if parent is not None else [])]
            style = master._element.find(f"{_P}txStyles/{_P}{'titleStyle' if title else 'bodyStyle'}/{_A}lvl1pPr")
            align = _first([el.find(f"{_P}txBody/{_A}lstStyle/{_A}lvl1pPr") for el in chain] + [style], "algn")
            anchor = _first([el.find(f"{_P}txBody/{_A}bodyPr") for el in chain], "anchor")
            result[(index, ph.placeholder_format.idx)] = (_ALIGNS.get(align, "left"), _ANCHORS.get(anchor, "top"))
    return result


def _first(elements: list[object], name: str) -> str:
    for el in elements:
        value = el.get(name) if el is not None else None  # type: ignore[attr-defined]
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
    background = palette["cover_background"] if slide.kind in COVER_KINDS else palette["background"]
    picture = Image.new("RGB", (width, height), _rgb(background))
    pen = ImageDraw.Draw(picture)
    where = boxes(theme)
    if theme.template is None:
        for accent in accents(slide.kind, theme, where):
            box = [accent.x * scale, accent.y * scale, (accent.x + accent.w) * scale, (accent.y + accent.h) * scale]
            pen.rectangle(box, fill=_rgb(accent.colour or palette["accent"]))
    drawn: list[DrawnLine] = []
    for block in slide.blocks:
        drawn.extend(_draw_block(pen, block, where[block.role], theme, palette, scale))
    return picture, drawn


def _draw_block(
    pen: ImageDraw, block: BoxText, box: Box, theme: Theme, palette: dict[str, str], scale: float
) -> list[DrawnLine]:
    style = role_style(theme, block.role)
    align: str = style.align or "left"
    anchor: str = style.anchor or "top"
    if theme.template is not None and box.layout is not None and box.placeholder is not None:
        align, anchor = template_styles(theme.template).get((box.layout, box.placeholder), (align, anchor))
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
    colour = _rgb(palette[style.colour])
    indent = BULLET_INDENT * size if block.bullets and theme.text.bullet else 0.0
    drawn: list[DrawnLine] = []
    for number, lines in enumerate(block.paragraphs):
        y += gap if number else 0.0
        for line_number, line in enumerate(lines):
            baseline = y + step / 2 + GLYPH_CENTRE * size
            if indent and line_number == 0:
                pen.text((left, baseline), theme.text.bullet, font=face, fill=_rgb(palette["accent"]), anchor="ls")
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
