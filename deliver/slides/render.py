"""Deck plan → .pptx with python-pptx (plus the `ooxml` helpers for what it has no API for).

Everything the plan decided (lines, sizes) is written as is: explicit line breaks, word wrap on
as a safety net, no autofit. Lengths arrive in pt and are converted to EMU here.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu

from deliver.slides import ooxml
from deliver.slides.box import Box
from deliver.slides.fit import BULLET_INDENT
from deliver.slides.layout import COVER_KINDS, RoleStyle, accents, boxes, role_style
from deliver.slides.plan import BoxText, Deck, Slide
from deliver.slides.theme import Theme

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationT
    from pptx.slide import Slide as PptxSlide
    from pptx.text.text import TextFrame

NOTES_SIZE: Final = 12.0
"""Speaker-notes font size, in pt."""
_ALIGN: Final = {"left": "l", "center": "ctr", "right": "r"}
_ANCHOR: Final = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}
_MAIN_ROLE: Final = {
    "title": "title.title",
    "closing": "closing.title",
    "section": "section.title",
    "agenda": "agenda.title",
    "point": "point.title",
}
_COVER_KINDS: Final = ("title", "closing", "section")
ROLE_PREFIX: Final = "deliver:"
"""Each text box is named for its role ("deliver:point.title"), so a deck edited in PowerPoint can be read back."""
MARK: Final = "deliver deck 1"
"""The deck's core `identifier` property: says deliver made it (see `slides/readback.py`)."""


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
    _fast_partnames(prs.part.package)
    return prs


def _fast_partnames(package: Any) -> None:
    """Give `package` a `next_partname` that remembers names instead of walking every part per call
    (python-pptx's walk makes adding N notes slides O(N²): 37 s for 1000 slides)."""
    from pptx.opc.packuri import PackURI

    used = {str(part.partname) for part in package.iter_parts()}
    counters: dict[str, int] = {}

    def next_partname(template: str) -> PackURI:
        n = counters.get(template, 1)
        while template % n in used:
            n += 1
        counters[template] = n + 1
        used.add(template % n)
        return PackURI(template % n)

    package.next_partname = next_partname


def _blank_layout(prs: PresentationT) -> Any:
    layouts = list(prs.slide_layouts)
    return next((layout for layout in layouts if ooxml.layout_type(layout._element) == "blank"), layouts[-1])


def _lang(language: str) -> str:
    return "zh-CN" if language == "zh" else "en-US"


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


def _paragraphs(block: BoxText, theme: Theme, style: RoleStyle, language: str) -> list[str]:
    """The `a:p` XML of `block`: one paragraph per planned paragraph, its lines joined by breaks."""
    latin, ea = _fonts(theme, style.font)
    run = ooxml.RunStyle(block.size, style.bold, getattr(theme.palette, style.colour), latin, ea, _lang(language))
    bullet = theme.text.bullet if block.bullets else None
    paragraphs = []
    for i, lines in enumerate(block.paragraphs):
        para = ooxml.ParagraphStyle(
            _ALIGN[style.align] if style.align else None,
            style.spacing,
            0.0 if i == 0 else theme.text.paragraph_spacing * block.size,
            bullet,
            latin,
            theme.palette.accent,
            int(emu(BULLET_INDENT * block.size)),
        )
        paragraphs.append(ooxml.paragraph_xml(lines, run, para))
    return paragraphs


def fill(frame: TextFrame, block: BoxText, theme: Theme, language: str) -> None:
    """Write `block` into an existing text frame (a template placeholder)."""
    style = role_style(theme, block.role)
    _prepare(frame, theme, style)
    ooxml.replace_paragraphs(frame._txBody, _paragraphs(block, theme, style, language))


def _box_emu(x: float, y: float, w: float, h: float) -> tuple[int, int, int, int]:
    return int(emu(x)), int(emu(y)), int(emu(w)), int(emu(h))


class _SlideAdder:
    """Adds slides in O(1) each. python-pptx's `add_slide` scans every relationship and slide id of
    the presentation per call, which makes a 1000-slide deck take tens of seconds."""

    def __init__(self, prs: PresentationT) -> None:
        self.prs = prs
        self.id_list = prs.slides._sldIdLst
        self.next_id = max([255, *(int(s.get("id")) for s in self.id_list)]) + 1
        self.blank = _blank_layout(prs)

    def add(self, layout: Any) -> PptxSlide:
        from pptx.parts.slide import SlidePart

        package = self.prs.part.package
        partname = package.next_partname("/ppt/slides/slide%d.xml")
        part = SlidePart.new(partname, package, layout.part)  # type: ignore[no-untyped-call]  # python-pptx leaves it unannotated
        r_id = self.prs.part.rels._add_relationship(RT.SLIDE, part)
        self.id_list._add_sldId(id=self.next_id, rId=r_id)
        self.next_id += 1
        slide: PptxSlide = part.slide
        if ooxml.layout_type(layout._element) != "blank":
            slide.shapes.clone_layout_placeholders(layout)
        return slide


def _render_drawn(adder: _SlideAdder, planned: Slide, theme: Theme, where: dict[str, Box], language: str) -> PptxSlide:
    slide = adder.add(adder.blank)
    background = theme.palette.cover_background if planned.kind in COVER_KINDS else theme.palette.background
    if background is not None:
        ooxml.set_background(slide._element, background)
    coloured = [(a, a.colour) for a in accents(planned.kind, theme, where) if a.colour is not None]
    boxes_emu = [_box_emu(a.x, a.y, a.w, a.h) for a, _ in coloured]
    bars = [ooxml.rect_xml(i, _box_emu(a.x, a.y, a.w, a.h), colour) for i, (a, colour) in enumerate(coloured, start=3)]
    # Accent bars go in one group: decoration moves as one piece and is never mistaken for a text box.
    shapes = [ooxml.group_xml(2, "Decoration", boxes_emu, bars)] if bars else []
    next_id = 3 + len(bars)
    insets = int(emu(theme.text.inset)), int(emu(theme.text.inset / 2))
    for block in planned.blocks:
        style = role_style(theme, block.role)
        box = where[block.role]
        shapes.append(
            ooxml.textbox_xml(
                next_id,
                _box_emu(box.x, box.y, box.w, box.h),
                insets,
                style.anchor,
                _paragraphs(block, theme, style, language),
                ROLE_PREFIX + block.role,
            )
        )
        next_id += 1
    ooxml.append_shapes(slide.shapes._spTree, shapes)
    return slide


def _text_box(slide: PptxSlide, box: Box) -> Any:
    return slide.shapes.add_textbox(emu(box.x), emu(box.y), emu(box.w), emu(box.h))


def _render_template(
    adder: _SlideAdder, planned: Slide, theme: Theme, where: dict[str, Box], language: str
) -> PptxSlide:
    main = where[_MAIN_ROLE[planned.kind]]
    assert main.layout is not None  # boxes read from a template always name their layout
    slide = adder.add(adder.prs.slide_layouts[main.layout])
    by_idx = {ph.placeholder_format.idx: ph for ph in slide.placeholders}
    used = set()
    for block in planned.blocks:
        box = where[block.role]
        placeholder = by_idx.get(box.placeholder) if box.layout == main.layout else None
        shape = placeholder if placeholder is not None else _text_box(slide, box)
        shape.name = ROLE_PREFIX + block.role
        used.add(box.placeholder if placeholder is not None else None)
        fill(shape.text_frame, block, theme, language)
    for idx, placeholder in by_idx.items():
        if idx not in used:
            placeholder._element.getparent().remove(placeholder._element)
    return slide


class _Notes:
    """Creates notes slides: the first through python-pptx, the rest as copies of it (python-pptx
    clones the notes master's placeholders for every slide, which dominates large decks)."""

    def __init__(self, prs: PresentationT) -> None:
        self.prs = prs
        self.template: Any = None

    def new(self, slide: PptxSlide) -> Any:
        if self.template is None:
            notes_slide = slide.notes_slide
            ooxml.ensure_notes_body(notes_slide)
            body = notes_slide.notes_placeholder
            assert body is not None  # ensure_notes_body has just given the notes slide one
            if body.width is None or body.height is None:  # our own body: the master has none to inherit
                body.left, body.top, body.width, body.height = emu(54), emu(360), emu(432), emu(324)
            self.template = copy.deepcopy(notes_slide._element)
            return notes_slide
        from pptx.opc.constants import CONTENT_TYPE as CT
        from pptx.parts.slide import NotesSlidePart

        package = self.prs.part.package
        part = NotesSlidePart(
            package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
            CT.PML_NOTES_SLIDE,
            package,
            copy.deepcopy(self.template),
        )
        part.relate_to(self.prs.part.notes_master_part, RT.NOTES_MASTER)
        part.relate_to(slide.part, RT.SLIDE)
        slide.part.relate_to(part, RT.NOTES_SLIDE)
        return part.notes_slide

    def write(self, slide: PptxSlide, notes: str, theme: Theme, language: str) -> None:
        """Speaker notes: one paragraph per line of `notes`, body fonts (a:ea set), NOTES_SIZE pt."""
        tx_body = ooxml.notes_body(self.new(slide)._element)
        latin, ea = _fonts(theme, "body")
        run = ooxml.RunStyle(NOTES_SIZE, False, None, latin, ea, _lang(language))
        para = ooxml.ParagraphStyle(None, 1.0, 0.0, None, latin, None, 0)
        ooxml.replace_paragraphs(tx_body, [ooxml.paragraph_xml((line,), run, para) for line in notes.split("\n")])


def _set_theme_fonts(prs: PresentationT, theme: Theme) -> None:
    f = theme.fonts
    masters = [m.part for m in prs.slide_masters] + [prs.notes_master.part]
    for part in masters:
        theme_part = part.part_related_by(RT.THEME)
        theme_part._blob = ooxml.set_theme_fonts(
            theme_part.blob,
            (f.title_latin, f.title_ea[0]),
            (f.body_latin, f.body_ea[0]),
            keep_latin=theme.template is not None,
        )


def render_deck(deck: Deck, theme: Theme, path: Path) -> None:
    """Write `deck` as a .pptx at exactly `path` (the caller owns temp files and folders)."""
    prs = _open(theme)
    where = boxes(theme)
    render = _render_template if theme.template is not None else _render_drawn
    notes, adder = _Notes(prs), _SlideAdder(prs)
    for planned in deck.slides:
        slide = render(adder, planned, theme, where, deck.language)
        if planned.section_index is not None:  # which section the slide is in, for reading an edited deck back
            slide._element.cSld.set("name", f"{ROLE_PREFIX}section {planned.section_index + 1}")
        if planned.notes:
            notes.write(slide, planned.notes, theme, deck.language)
    _set_theme_fonts(prs, theme)
    prs.core_properties.identifier, prs.core_properties.title = MARK, deck.title
    prs.save(str(path))
