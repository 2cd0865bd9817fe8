"""Speech + theme → Deck: which slides, what text, which font sizes, what notes — pure and
deterministic (no python-pptx). Sizes in pt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from deliver.model import Meta, Notice, Point, Section, Speech
from deliver.slides.fit import Fitted, Frame, fit_line, fit_pages, fit_text
from deliver.slides.layout import boxes, inner_size, role_style
from deliver.slides.theme import Theme
from deliver.speech import cardinal

SlideKind = Literal["title", "agenda", "section", "point", "closing"]
_NUMBERED: Final = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十百]+[、，,.．部]|\d+[.、)）]|[（(][一二三四五六七八九十\d]+[)）])"
)
WORDS: Final = {
    "zh": {"agenda": "目录", "cont": "（续）", "closing": "谢谢！", "part": "第{n}部分"},
    "en": {"agenda": "Agenda", "cont": " (cont.)", "closing": "Thank you", "part": "Part {n}"},
}


@dataclass(frozen=True)
class BoxText:
    """The text that fills one box of a slide: paragraphs already broken into lines, and the size chosen."""

    role: str
    """Which box it fills: "point.title", "point.body", "title.subtitle", … (see layout.boxes)."""
    paragraphs: tuple[tuple[str, ...], ...]
    """Lines of each paragraph; lines are joined with explicit line breaks when rendered."""
    size: float
    """Font size in pt."""
    bullets: bool = False
    """Whether each paragraph gets the theme's bullet."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a box's text in the deck plan and in rehearsal.html."""
        return {
            "role": self.role,
            "size": self.size,
            "bullets": self.bullets,
            "paragraphs": [list(p) for p in self.paragraphs],
        }


@dataclass(frozen=True)
class Slide:
    """One slide of the plan."""

    kind: SlideKind
    blocks: tuple[BoxText, ...]
    notes: str
    """Speaker notes (a point slide: the point's full text)."""
    section_index: int | None = None
    """Index into `Speech.sections`; None for the title, agenda and closing slides."""
    point_index: int | None = None
    """Index into `Speech.points` (narration attaches audio per point); None if not a point slide."""
    page: int = 1
    """1-based page of a point or agenda continued over several slides."""
    pages: int = 1

    def block(self, role: str) -> BoxText | None:
        """The block filling `role`, if any."""
        return next((b for b in self.blocks if b.role == role), None)


@dataclass(frozen=True)
class Deck:
    """A whole planned deck. `width`/`height` in pt."""

    title: str
    language: str
    width: float
    height: float
    slides: tuple[Slide, ...] = field(default_factory=tuple)
    meta: Meta = field(default_factory=Meta, compare=False)
    """The speech's meta, kept in the rendered deck so a deck read back has it whole."""
    sections: tuple[str, ...] = field(default=(), compare=False)
    """The speech's section titles as written, kept in the rendered deck likewise."""


def page_share(deck: Deck, index: int) -> tuple[float, float]:
    """Which part of its point's time slide `index` takes, as fractions (from, to) of 0–1: a point
    continued over several slides shares its time by the text on each page; any other slide (0, 1)."""
    slide = deck.slides[index]
    if slide.kind != "point" or slide.pages == 1:
        return 0.0, 1.0
    first = index - (slide.page - 1)
    weights = [_text_weight(s) for s in deck.slides[first : first + slide.pages]]
    before, total = sum(weights[: slide.page - 1]), sum(weights)
    return before / total, (before + weights[slide.page - 1]) / total


def _text_weight(slide: Slide) -> int:
    return max(1, sum(len(line) for block in slide.blocks if block.bullets for p in block.paragraphs for line in p))


def deck_to_dict(deck: Deck) -> dict[str, Any]:
    """The plan as plain JSON-able data (for goldens and debugging)."""
    return {
        "title": deck.title,
        "language": deck.language,
        "width": deck.width,
        "height": deck.height,
        "slides": [
            {
                "kind": s.kind,
                "notes": s.notes,
                "section_index": s.section_index,
                "point_index": s.point_index,
                "page": s.page,
                "pages": s.pages,
                "blocks": [b.to_dict() for b in s.blocks],
            }
            for s in deck.slides
        ],
    }


class _Planner:
    """Holds the theme, boxes and notices while a deck is planned."""

    def __init__(self, speech: Speech, theme: Theme) -> None:
        self.speech, self.theme = speech, theme
        self.boxes = boxes(theme)
        self.words = WORDS["zh" if speech.language == "zh" else "en"]
        self.notices: list[Notice] = []

    def frame(self, role: str, *, bullets: bool = False, balanced: bool = False) -> Frame:
        width, height = inner_size(self.boxes[role], self.theme)
        text = self.theme.text
        style = role_style(self.theme, role)
        return Frame(width, height, style.spacing, text.paragraph_spacing, style.bold, bullets, balanced)

    def shown(self, role: str, text: str) -> str:
        """`text` as the box shows it (in capitals when the template says so)."""
        return text.upper() if self.boxes[role].caps else text

    def notice(self, message: str, level: Literal["info", "warning"] = "info") -> None:
        self.notices.append(Notice("slides", message, level))

    def title_block(self, role: str, text: str, sizes: tuple[float, float]) -> BoxText:
        fitted = fit_text(self.shown(role, text), self.frame(role, balanced=True), *sizes)
        if fitted.shortened:
            self.notice(
                f"title too long for its box, shortened on the slide (full text in notes): {text[:40]}…", "warning"
            )
        return _block(role, fitted, 0)

    def text_block(self, role: str, texts: list[str], sizes: tuple[float, float]) -> BoxText | None:
        if role not in self.boxes or not texts:
            return None
        fitted = fit_pages([self.shown(role, t) for t in texts], self.frame(role), *sizes)
        if len(fitted.pages) > 1:  # a cover line too long even at the smallest size: keep what fits
            fitted = Fitted(fitted.size, fitted.pages[:1])
            self.notice(f"{role} text shortened to fit the slide", "warning")
        return _block(role, fitted, 0)

    def cover(self, kind: SlideKind, title: str, notes: str) -> Slide:
        lines = list(self.speech.meta.cover_lines())
        blocks = [self.title_block(f"{kind}.title", title, self.theme.sizes.title)]
        subtitle = self.text_block(f"{kind}.subtitle", lines, self.theme.sizes.subtitle)
        return Slide(kind, tuple(b for b in (*blocks, subtitle) if b is not None), notes)

    def agenda(self, sections: list[tuple[int, Section]]) -> list[Slide]:
        items = [
            self.shown("agenda.body", _numbered(n + 1, s.title, self.speech.language))
            for n, (_, s) in enumerate(sections)
        ]
        fitted = fit_pages(items, self.frame("agenda.body"), *self.theme.sizes.body)
        return [
            self.with_footer(
                Slide(
                    "agenda",
                    (
                        self.headline("agenda.title", self.words["agenda"], page > 0),
                        _block("agenda.body", fitted, page),
                    ),
                    "",
                    page=page + 1,
                    pages=len(fitted.pages),
                ),
                self.speech.title,
            )
            for page in range(len(fitted.pages))
        ]

    def headline(self, role: str, text: str, continued: bool) -> BoxText:
        return self.title_block(role, text + (self.words["cont"] if continued else ""), self.theme.sizes.headline)

    def divider(self, index: int, number: int, section: Section) -> Slide:
        label_frame = self.frame("section.label")
        label = self.words["part"].format(n=_cn_number(number) if self.speech.language == "zh" else number)
        label = self.shown("section.label", label) if "section.label" in self.boxes else label
        size = self.theme.sizes.label
        blocks = (
            [BoxText("section.label", ((fit_line(label, label_frame, size),),), size)]
            if "section.label" in self.boxes
            else []
        )
        blocks.append(self.title_block("section.title", section.title, self.theme.sizes.section))
        return Slide("section", tuple(blocks), "", section_index=index)

    def points(self, section_index: int, section: Section, first_point: int, previous: Point | None) -> list[Slide]:
        slides: list[Slide] = []
        for offset, point in enumerate(section.points):
            repeat = point.continued and previous is not None and previous.headline == point.headline
            slides.extend(self.point_slides(section_index, section, first_point + offset, point, repeat))
            previous = point
        return slides

    def point_slides(self, si: int, section: Section, pi: int, point: Point, repeat: bool) -> list[Slide]:
        bullets = [self.shown("point.body", b) for b in point.bullets if b.strip()]
        body = fit_pages(
            bullets, self.frame("point.body", bullets=bool(self.theme.text.bullet)), *self.theme.sizes.body
        )
        pages = len(body.pages) if bullets else 1
        if pages > 1:
            self.notice(f"point “{point.headline[:30]}” continues on {pages} slides")
        slides = []
        for page in range(pages):
            blocks = [self.headline("point.title", point.headline or section.title, repeat or page > 0)]
            if bullets:
                blocks.append(_block("point.body", body, page, bullets=bool(self.theme.text.bullet)))
            slide = Slide("point", tuple(blocks), _notes(point, blocks[0]), si, pi, page + 1, pages)
            slides.append(self.with_footer(slide, section.title))
        return slides

    def with_footer(self, slide: Slide, label: str) -> Slide:
        """`slide` with the footer line (section label) and its slide number (filled in later)."""
        if "footer" not in self.boxes or not label:
            return slide
        size = self.theme.sizes.footer
        footer = BoxText("footer", ((fit_line(label, self.frame("footer"), size),),), size)
        return Slide(
            slide.kind,
            (*slide.blocks, footer),
            slide.notes,
            slide.section_index,
            slide.point_index,
            slide.page,
            slide.pages,
        )


def _block(role: str, fitted: Fitted, page: int, bullets: bool = False) -> BoxText:
    return BoxText(role, fitted.pages[page], fitted.size, bullets)


def _notes(point: Point, headline: BoxText) -> str:
    """The point's text; a headline shortened on the slide and absent from the text goes first."""
    shown = "".join("".join(p) for p in headline.paragraphs)
    if shown.endswith("…") and point.headline not in point.text:
        return f"{point.headline}\n{point.text}"
    return point.text


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十; from 100 on, Arabic digits (a hundred parts read better so)."""
    return cardinal(n) if n < 100 else str(n)


def _numbered(n: int, title: str, language: str) -> str:
    if _NUMBERED.match(title):
        return title
    return f"{_cn_number(n)}、{title}" if language == "zh" else f"{n}. {title}"


def _with_page_numbers(slides: list[Slide], theme_has_footer: bool) -> list[Slide]:
    if not theme_has_footer:
        return slides
    numbered = []
    for n, slide in enumerate(slides, start=1):
        footer = slide.block("footer")
        if footer is not None:
            slide = Slide(
                slide.kind,
                (*slide.blocks, BoxText("pageno", ((str(n),),), footer.size)),
                slide.notes,
                slide.section_index,
                slide.point_index,
                slide.page,
                slide.pages,
            )
        numbered.append(slide)
    return numbered


def plan_deck(speech: Speech, theme: Theme) -> tuple[Deck, tuple[Notice, ...]]:
    """Plan the deck for `speech` under `theme`: title, agenda, a divider per body section, one
    slide per point (plus continuations), and the closing slide when the theme wants one."""
    planner = _Planner(speech, theme)
    slides = [planner.cover("title", speech.shown_title, speech.salutation or "")]
    body = [(i, s) for i, s in enumerate(speech.sections) if s.kind == "body"]
    if theme.agenda and body:
        slides.extend(planner.agenda(body))
    first_point, previous, number = 0, None, 0
    for index, section in enumerate(speech.sections):
        if section.kind == "body":
            number += 1
            slides.append(planner.divider(index, number, section))
        slides.extend(planner.points(index, section, first_point, previous))
        first_point += len(section.points)
        previous = section.points[-1] if section.points else previous
    if theme.closing:
        slides.append(planner.cover("closing", planner.words["closing"], ""))
    slides = _with_page_numbers(slides, "pageno" in planner.boxes)
    deck = Deck(speech.title, speech.language, theme.width, theme.height, tuple(slides), speech.meta,
                tuple(s.title for s in speech.sections))  # fmt: skip
    return deck, tuple(planner.notices)
