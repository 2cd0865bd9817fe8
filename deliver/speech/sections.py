"""The body's blocks → sections: opening, body sections at the top-level family, closing.

The top level comes from `families.top_family`. Around it: a bare heading line before the first
item (首先报告２００１年的工作) opens a section of its own; a missing first item ("A second place…"
with no "first") starts after the paragraph that announced the parts; a divider that repeats the
talk's title stays in the opening; speaker turns after the last section that begin with a
question are a Q&A section; the last section ends at a closing label (结束语), at a closing cue
(同志们，… / In closing) or where its siblings' shape ends. Unmarked speeches go to `plain.py`.
"""

from __future__ import annotations

import itertools
import re

from deliver.model import Language, Section, SectionKind
from deliver.speech import cues
from deliver.speech.families import Family, Tagged, tag, top_family
from deliver.speech.inline import split_inline_ordinals
from deliver.speech.markers import CLOSING_ORDINAL
from deliver.speech.plain import LEAD_UNITS, body_sections, plain_sections
from deliver.speech.points import MIN_UNITS, Unit, points_of
from deliver.speech.reading import Block
from deliver.speech.text import bare, spoken_units
from deliver.speech.turns import Turns, turns_of
from deliver.speech.units import groups_of, heading_parts, shape_cut, units_of

LABELS = {
    "zh": {"opening": "开场", "closing": "结束语", "qa": "问答"},
    "en": {"opening": "Opening", "closing": "Closing", "qa": "Questions and answers"},
}
_QA_TITLE = re.compile(
    r"q\s*&\s*a|questions|preguntas|問答|问答|提問|提问|答問|答问|交流|座談|座谈|互動|互动", re.IGNORECASE
)
_COPULA_LEAD = re.compile(r"^是(?=[^，,。]{3})")
_PARAGRAPHS = re.compile(r"(?<=[。！？!?”」])[ \t\u3000]{2,}(?=\S)")


def split_paragraphs(blocks: list[Block]) -> list[Block]:
    """A line holding several paragraphs (separated by runs of spaces after a sentence end) is split."""
    out: list[Block] = []
    for block in blocks:
        if block.heading is not None or not _PARAGRAPHS.search(block.text):
            out.append(block)
            continue
        pieces = [p for p in _PARAGRAPHS.split(block.text) if p.strip()]
        out.extend(Block(p, list_item=block.list_item) for p in pieces)
    return out


def sections_of(blocks: list[Block], language: Language, title: str) -> tuple[Section, ...]:
    """The speech's sections in speaking order (the header zone already taken off)."""
    tagged = tag(split_inline_ordinals(split_paragraphs(blocks)), language)
    family = top_family(tagged)
    if family is None or (family.kind == "vocative" and len(family.main) < 3):
        return _plain_with_qa(tagged, language)
    starts = _starts(tagged, family, title, language)
    if not starts:
        return _plain_with_qa(tagged, language)
    starts = _with_qa(tagged, starts)
    groups, after = shape_cut(groups_of(tagged, starts))
    groups[-1], closing = _split_closing(groups[-1], family)
    closing = closing + after
    labels = LABELS[language]
    sections: list[Section] = []
    if starts[0] > 0:
        sections.extend(_opening(tagged[: starts[0]], family, language))
    for group in groups:
        title_of, units = _body_units(group, language)
        section = _make(title_of or labels["qa"], "body", units, language)
        if title_of is None and group[0].sign != "question" and section.points:
            section = Section(section.points[0].headline, "body", section.points)  # a vocative divider
        sections.append(section)
    if closing:
        sections.append(_make(labels["closing"], "closing", units_of(closing, language), language))
    return tuple(s for s in sections if s.points)


def _opening(lead: list[Tagged], family: Family, language: Language) -> list[Section]:
    """What comes before the first item: the opening; when the items opened inside paragraphs (a
    lecture, `inline.py`) and the lead is longer than a section, it is cut like an unmarked talk."""
    if (
        family.name == "di"
        and len(lead) > 1
        and sum(spoken_units(t.block.text, language) for t in lead) > LEAD_UNITS[language]
    ):
        opening = _make(LABELS[language]["opening"], "opening", units_of(lead[:1], language), language)
        return [opening, *body_sections(lead[1:], language)]
    return [_make(LABELS[language]["opening"], "opening", units_of(lead, language), language)]


def _plain_with_qa(tagged: list[Tagged], language: Language) -> tuple[Section, ...]:
    """An unmarked talk, and the questions after it as a section of their own (in a transcript
    labelled by name: one section per questioner's exchange, `turns.py`)."""
    turns = turns_of(tagged, language)
    if turns is not None:
        return _exchanges(tagged, turns, language)
    asked = next((i for i, t in enumerate(tagged) if t.sign == "question" and i > 1), None)
    if asked is None:
        return plain_sections(tagged, language)
    qa = _make(LABELS[language]["qa"], "body", units_of(tagged[asked:], language), language)
    return tuple(s for s in (*plain_sections(tagged[:asked], language), qa) if s.points)


def _exchanges(tagged: list[Tagged], turns: Turns, language: Language) -> tuple[Section, ...]:
    """The talk cut as an unmarked speech, each exchange a section titled by its question, the closing turn."""
    end = turns.closing if turns.closing is not None else len(tagged)
    sections = list(plain_sections(tagged[: turns.talk_end], language, closing_cue=False))
    for a, b in itertools.pairwise([*turns.questions, end]):
        section = _make("", "body", units_of(tagged[a:b], language), language)
        if section.points:
            sections.append(Section(section.points[0].headline, "body", section.points))
    if end < len(tagged):
        sections.append(_make(LABELS[language]["closing"], "closing", units_of(tagged[end:], language), language))
    return tuple(s for s in sections if s.points)


def _make(title: str, kind: SectionKind, units: list[Unit], language: Language) -> Section:
    return Section(title=title, kind=kind, points=points_of(units, language) if units else ())


def _starts(tagged: list[Tagged], family: Family, title: str, language: Language) -> list[int]:
    starts = list(family.main)
    if family.kind == "divider" and cues.echoes(title, tagged[starts[0]].title or ""):
        starts = starts[1:]
    if family.kind == "numbered" and family.first_ordinal == 2 and starts[0] > 1:
        starts = [_inferred_first(tagged, starts[0]), *starts]
    if family.kind != "bare":
        starts = _lead_headings(tagged, starts, language) + starts
    return sorted(set(starts))


def _inferred_first(tagged: list[Tagged], second: int) -> int:
    """Where an unmarked first item starts: after the paragraph announcing the parts, else after the first one."""
    for i in range(second - 1, 0, -1):
        if cues.announces(tagged[i].block.text) and i + 1 < second:
            return i + 1
    return 1


def _lead_headings(tagged: list[Tagged], starts: list[int], language: Language) -> list[int]:
    """Bare heading lines after the opening has begun and before the first item: sections of their own."""
    found: list[int] = []
    for i in range(1, starts[0] if starts else 0):
        prose = any(spoken_units(t.block.text, language) > MIN_UNITS[language] and t.sign is None for t in tagged[:i])
        if tagged[i].sign == "bare" and prose:
            found.append(i)
    return found


def _with_qa(tagged: list[Tagged], starts: list[int]) -> list[int]:
    """A question label after the last section, once the talk has been given, opens a Q&A section
    (unless that section is the Q&A already: ## Questions, > (問答))."""
    last = starts[-1]
    if _QA_TITLE.search(tagged[last].title or tagged[last].block.text):
        return starts
    for i in range(last + 2, len(tagged)):
        if tagged[i].sign == "question":
            return [*starts, i]
    return starts


def _split_closing(group: list[Tagged], family: Family) -> tuple[list[Tagged], list[Tagged]]:
    """The last section's closing: at a 结束语 line, else at a cued paragraph after which nothing is numbered.

    (各位代表！…在以下一些重要的问题上… followed by 第一、…第五、 announces sub-points: no closing there.)
    """
    labelled = next((i for i in range(1, len(group)) if group[i].sign == "closing_label"), None)
    if labelled is not None:
        return group[:labelled], group[labelled:]
    last_marked = max(
        (i for i, t in enumerate(group) if t.marker is not None and not _closing_item(t, family)), default=0
    )
    for i in range(max(1, last_marked + 1), len(group)):
        t = group[i]
        if t.block.heading is None and t.sign in (None, "vocative") and cues.closing_cue(t.block.text):
            return group[:i], group[i:]
        if _closing_item(t, family):
            return group[:i], group[i:]
    return group, []


def _closing_item(t: Tagged, family: Family) -> bool:
    """最后，… / Finally, … of another family than the top one (the top's own opens its last section)."""
    marker = t.marker
    return (
        marker is not None
        and marker.ordinal == CLOSING_ORDINAL
        and marker.family != family.name
        and (cues.closing_cue(t.block.text))
    )


def _body_units(group: list[Tagged], language: Language) -> tuple[str | None, list[Unit]]:
    """A body section's title and units: its heading is spoken with the passage that follows it."""
    first = group[0]
    stated, heading_len = heading_parts(first, language)
    title = stated or (bare(first.block.text)[:40] if first.sign not in ("question", "vocative") else None)
    if title and first.marker is not None and language == "zh":
        title = _COPULA_LEAD.sub("", title)  # 第一，是往往分不清… → 往往分不清…: the copula only joined the numeral
    rest = units_of(group[1:], language)
    if not rest and first.marker is not None and heading_len >= len(first.block.text.rstrip()):
        heading_len = first.marker.end  # a one-sentence section: its slide shows that sentence, less the numeral
    head = Unit(first.block.text, None, heading_len, title=title)
    if rest and heading_len >= len(first.block.text):
        nxt = rest[0]
        merged = Unit(
            head.text + "\n" + nxt.text, nxt.stated, len(head.text) + 1 + nxt.heading_len, nxt.items, nxt.title or title
        )
        return title, [merged, *rest[1:]]
    return title, [head, *rest]
