"""Deck plan → .pptx with python-pptx (plus the `ooxml` helpers for what it has no API for).

Everything the plan decided (lines, sizes) is written as is: explicit line breaks, word wrap on
as a safety net, no autofit. Lengths arrive in pt and are converted to EMU here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Pt

from deliver.slides import ooxml
from deliver.slides.fit import BULLET_INDENT
from deliver.slides.layout import RoleStyle, boxes, role_style
from deliver.slides.plan import Block, Deck, Slide
from deliver.themes import Box, Theme

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationT
    from pptx.slide import Slide as PptxSlide
    from pptx.text.text import TextFrame

NOTES_SIZE: Final = 12.0
"""Speaker-notes font size, in pt."""
_ALIGN: Final = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}
_ANCHOR: Final = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}
_MAIN_ROLE: Final = {"title": "title.title", "closing": "closing.title", "section": "section.title",
                     "agenda": "agenda.title", "point": "point.title"}
_COVER_KINDS: Final = ("title", "closing", "section")


def emu(pt: float) -> Emu:
    """Points → EMU (12700 per pt)."""
    return Emu(round(pt * 12700))


def _open(theme: Theme) -> PresentationT:
    if theme.template is not None:
        prs = Presentation(str(theme.template))
        ooxml.remove_all_slides(prs)
    else:
        prs = Presentation()
        prs.slide_width, prs.slide_height = emu(theme.width), emu(theme.height)
    return prs


def _blank_layout(prs: PresentationT) -> Any:
    layouts = list(prs.slide_layouts)
    return next((l for l in layouts if ooxml.layout_type(l._element) == "blank"), layouts[-1])  # noqa: SLF001


def _lang(language: str) -> str:
    return "zh-CN" if language == "zh" else "en-US"


def _colour(theme: Theme, name: str) -> RGBColor | None:
    value = getattr(theme.palette, name)
    return None if value is None else RGBColor.from_string(value)


def _fonts(theme: Theme, role: str) -> tuple[str, str]:
    f = theme.fonts
    return (f.title_latin, f.title_ea[0]) if role == "title" else (f.body_latin, f.body_ea[0])


def _prepare(frame: TextFrame, theme: Theme, style: RoleStyle) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    inset = emu(theme.text.inset)
    frame.margin_left = frame.margin_right = inset
    frame.margin_top = frame.margin_bottom = emu(theme.text.inset / 2)
    if style.anchor is not None:
        frame.vertical_anchor = _ANCHOR[style.anchor]


def fill(frame: TextFrame, block: Block, theme: Theme, language: str) -> None:
    """Write `block` into `frame`: one paragraph per planned paragraph, its lines joined by breaks."""
    style = role_style(theme, block.role)
    _prepare(frame, theme, style)
    latin, ea = _fonts(theme, style.font)
    colour = _colour(theme, style.colour)
    bullet = theme.text.bullet if block.bullets else None
    for i, lines in enumerate(block.paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        for run in list(paragraph.runs):
            paragraph._p.remove(run._r)  # noqa: SLF001 - placeholder leftovers
        if style.align is not None:
            paragraph.alignment = _ALIGN[style.align]
        paragraph.line_spacing = style.spacing
        paragraph.space_before = Pt(0 if i == 0 else theme.text.paragraph_spacing * block.size)
        paragraph.space_after = Pt(0)
        ooxml.set_bullet(paragraph._p.get_or_add_pPr(), bullet, latin, theme.palette.accent,  # noqa: SLF001
                         int(emu(BULLET_INDENT * block.size)) if bullet else 0)
        _write_lines(paragraph, lines, block.size, style.bold, colour, (latin, ea, _lang(language)))


def _write_lines(paragraph: Any, lines: tuple[str, ...], size: float, bold: bool,
                 colour: RGBColor | None, fonts: tuple[str, str, str]) -> None:
    rpr = None
    for j, line in enumerate(lines):
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
        rpr = run._r.get_or_add_rPr()  # noqa: SLF001
        ooxml.set_run_fonts(rpr, *fonts)
        if j < len(lines) - 1:
            ooxml.add_line_break(paragraph._p, rpr)  # noqa: SLF001
    if rpr is not None:
        ooxml.set_end_paragraph_fonts(paragraph._p, rpr)  # noqa: SLF001


def _rect(slide: PptxSlide, x: float, y: float, w: float, h: float, colour: str | None) -> None:
    if colour is None:
        return
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(x), emu(y), emu(w), emu(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(colour)
    shape.line.fill.background()
    shape.shadow.inherit = False


def _decorate(slide: PptxSlide, kind: str, theme: Theme, where: dict[str, Box]) -> None:
    """Background and accent shapes of a drawn (template-less) slide."""
    p, a = theme.palette, theme.accents
    cover = kind in _COVER_KINDS
    background = p.cover_background if cover else p.background
    if background is not None:
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = RGBColor.from_string(background)
    inset = theme.text.inset
    if cover:
        if a.rule:
            anchor = where["section.title"] if kind == "section" else where["title.subtitle"]
            x = (theme.width - 120) / 2 if theme.text.cover_align == "center" else anchor.x + inset
            _rect(slide, x, anchor.y - 14, 120, 4, p.accent2)
        return
    head = where["point.title"]
    if a.title_band:
        _rect(slide, 0, 0, theme.width, a.band_height, p.accent)
        if a.rule:
            _rect(slide, 0, a.band_height, theme.width, 5, p.accent2)
    elif a.rule and not a.side_bar:
        _rect(slide, head.x + inset, head.y + head.h + 4, 64, 4, p.accent)
    if a.side_bar:
        _rect(slide, 0, head.y + 14, 12, head.h - 28, p.accent)


def _text_box(slide: PptxSlide, box: Box) -> TextFrame:
    shape = slide.shapes.add_textbox(emu(box.x), emu(box.y), emu(box.w), emu(box.h))
    return shape.text_frame


def _render_drawn(prs: PresentationT, planned: Slide, theme: Theme, where: dict[str, Box], language: str) -> PptxSlide:
    slide = prs.slides.add_slide(_blank_layout(prs))
    _decorate(slide, planned.kind, theme, where)
    for block in planned.blocks:
        fill(_text_box(slide, where[block.role]), block, theme, language)
    return slide


def _render_template(prs: PresentationT, planned: Slide, theme: Theme, where: dict[str, Box], language: str) -> PptxSlide:
    main = where[_MAIN_ROLE[planned.kind]]
    slide = prs.slides.add_slide(prs.slide_layouts[main.layout])
    by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}
    used = set()
    for block in planned.blocks:
        box = where[block.role]
        placeholder = by_idx.get(box.placeholder) if box.layout == main.layout else None
        frame = placeholder.text_frame if placeholder is not None else _text_box(slide, box)
        used.add(box.placeholder if placeholder is not None else None)
        fill(frame, block, theme, language)
    for idx, placeholder in by_idx.items():
        if idx not in used:
            placeholder._element.getparent().remove(placeholder._element)  # noqa: SLF001 - empty placeholder
    return slide


def write_notes(slide: PptxSlide, notes: str, theme: Theme, language: str) -> None:
    """Speaker notes: one paragraph per line of `notes`, body fonts (a:ea set), NOTES_SIZE pt."""
    notes_slide = slide.notes_slide
    ooxml.ensure_notes_body(notes_slide)
    placeholder = notes_slide.notes_placeholder
    if placeholder.width is None or placeholder.height is None:
        placeholder.left, placeholder.top, placeholder.width, placeholder.height = (
            emu(54), emu(360), emu(432), emu(324))
    frame = placeholder.text_frame
    latin, ea = _fonts(theme, "body")
    for i, text in enumerate(notes.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(NOTES_SIZE)
        ooxml.set_run_fonts(run._r.get_or_add_rPr(), latin, ea, _lang(language))  # noqa: SLF001


def _set_theme_fonts(prs: PresentationT, theme: Theme) -> None:
    f = theme.fonts
    masters = [m.part for m in prs.slide_masters] + [prs.notes_master.part]
    for part in masters:
        theme_part = part.part_related_by(RT.THEME)
        theme_part._blob = ooxml.set_theme_fonts(  # noqa: SLF001 - python-pptx keeps theme parts as blobs
            theme_part.blob, (f.title_latin, f.title_ea[0]), (f.body_latin, f.body_ea[0]),
            keep_latin=theme.template is not None)


def render_deck(deck: Deck, theme: Theme, path: Path) -> None:
    """Write `deck` as a .pptx at exactly `path` (the caller owns temp files and folders)."""
    prs = _open(theme)
    where = boxes(theme)
    render = _render_template if theme.template is not None else _render_drawn
    for planned in deck.slides:
        slide = render(prs, planned, theme, where, deck.language)
        if planned.notes:
            write_notes(slide, planned.notes, theme, deck.language)
    _set_theme_fonts(prs, theme)
    prs.save(str(path))
