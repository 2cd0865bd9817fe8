"""Clean text blocks → `Speech`: title, salutation, opening, body sections, closing.

The top level is whichever numbering convention the speech itself uses as a sequence
(一、二、 / 第一，第二， / 第一部分 / Markdown or Word headings / I. II. / First, Second, …);
the next convention inside the sections marks sub-points. Text before the first section is the
opening; a paragraph after it that opens with a closing cue (同志们，/ 总之 / In closing …) starts
the closing. Nothing marked: paragraphs are grouped into sections of similar length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deliver.model import Language, Section, SectionKind, Speech
from deliver.speech.condense import HEADLINE_MAX, phrase_of, truncate
from deliver.speech.header import Header, split_header
from deliver.speech.markers import FAMILY_RANK, Marker, block_marker, is_sequence
from deliver.speech.points import MIN_UNITS, Unit, points_of
from deliver.speech.reading import Block, Source
from deliver.speech.text import bare, detect_language, sentences, spoken_units

_CLOSING_CUE = re.compile(
    r"^(?:同志们|各位|总之|总而言之|综上所述|最后|让我们|我相信|我坚信|谢谢)"
    r"|^(?:in closing|in conclusion|to conclude|to sum up|finally|let us|let's|thank you)\b",
    re.IGNORECASE,
)
_LABELS = {"zh": {"opening": "开场", "closing": "结束语"}, "en": {"opening": "Opening", "closing": "Closing"}}


@dataclass(frozen=True)
class _Tagged:
    block: Block
    marker: Marker | None


def parse(source: Source, header: Header | None = None) -> Speech:
    """The speech's structure. Pure: same source, same `Speech`. `header`: the header zone as
    `header.split_header` read it (pipeline.load passes it, for its notices); read here when None."""
    language = detect_language(source.text)
    head = header or split_header(source)
    blocks = list(head.blocks)
    sections = _sections(blocks, language) if blocks else ()
    if not sections:
        raise_empty(source.name)
    return Speech(title=head.title, language=language, salutation=head.salutation, sections=sections, meta=head.meta)


def raise_empty(name: str) -> None:
    from deliver.errors import InputError

    raise InputError(f"{name}: has a title but no speech text")


# ---- sections --------------------------------------------------------------------------------


def _tag(blocks: list[Block]) -> list[_Tagged]:
    tagged: list[_Tagged] = []
    counts: dict[int, int] = {}
    for block in blocks:
        if block.heading is not None:
            counts[block.heading] = counts.get(block.heading, 0) + 1
            tagged.append(_Tagged(block, Marker(f"h{block.heading}", counts[block.heading], 0)))
        else:
            tagged.append(_Tagged(block, block_marker(block.text)))
    return tagged


def _rank(family: str) -> float:
    return int(family[1:]) - 10 if family.startswith("h") else FAMILY_RANK[family]


def _top_family(tagged: list[_Tagged]) -> str | None:
    ordinals: dict[str, list[int]] = {}
    for t in tagged:
        if t.marker:
            ordinals.setdefault(t.marker.family, []).append(t.marker.ordinal)
    for family in sorted(ordinals, key=_rank):
        if family.startswith("h") or is_sequence(ordinals[family]):
            return family
    return None


def _sub_family(groups: list[list[_Tagged]], top: str) -> str | None:
    """The innermost-but-one convention: a family that numbers from 1 inside some section."""
    found: set[str] = set()
    for group in groups:
        seen: dict[str, list[int]] = {}
        for t in group[1:]:
            if t.marker and t.marker.family != top:
                seen.setdefault(t.marker.family, []).append(t.marker.ordinal)
        found.update(f for f, ords in seen.items() if f.startswith("h") or is_sequence(ords))
    inner = [f for f in found if _rank(f) > _rank(top)]
    return min(inner, key=_rank) if inner else None


def _sections(blocks: list[Block], language: Language) -> tuple[Section, ...]:
    tagged = _tag(blocks)
    top = _top_family(tagged)
    if top is None:
        return _plain_sections(blocks, language)
    starts = [i for i, t in enumerate(tagged) if t.marker and t.marker.family == top]
    groups = [tagged[a:b] for a, b in zip(starts, [*starts[1:], len(tagged)])]
    groups[-1], closing = _split_closing(groups[-1])
    sub = _sub_family(groups, top)
    sections: list[Section] = []
    if starts[0] > 0:
        sections.append(
            _make(_LABELS[language]["opening"], "opening", _units(tagged[: starts[0]], sub, language), language)
        )
    for group in groups:
        title, units = _body_units(group, sub, language)
        sections.append(_make(title, "body", units, language))
    if closing:
        sections.append(_make(_LABELS[language]["closing"], "closing", _units(closing, None, language), language))
    return tuple(s for s in sections if s.points)


def _make(title: str, kind: SectionKind, units: list[Unit], language: Language) -> Section:
    return Section(title=title, kind=kind, points=points_of(units, language) if units else ())


def _split_closing(group: list[_Tagged]) -> tuple[list[_Tagged], list[_Tagged]]:
    for i in range(1, len(group)):
        t = group[i]
        if (
            t.block.heading is None
            and _CLOSING_CUE.match(t.block.text)
            and (t.marker is None or t.marker.family == "zh_seq")
        ):
            return group[:i], group[i:]
    return group, []


def _heading_parts(t: _Tagged, language: Language) -> tuple[str, int]:
    """(title, length of the heading part of the block's text)."""
    text = t.block.text
    if t.block.heading is not None:
        return bare(text), len(text)
    content = text[t.marker.end :] if t.marker else text
    first = sentences(content)[0] if content else ""
    heading_len = len(text) - len(content) + len(first)
    title = bare(first)
    limit = HEADLINE_MAX[language] * 2
    if spoken_units(title, language) > limit:
        title = phrase_of(first, language, limit, 2) or truncate(first, language, limit)
    return title, heading_len


def _body_units(group: list[_Tagged], sub: str | None, language: Language) -> tuple[str, list[Unit]]:
    title, heading_len = _heading_parts(group[0], language)
    units = _units(group, sub, language, first_heading_len=heading_len, title=title)
    return title, units


def _units(
    group: list[_Tagged], sub: str | None, language: Language, first_heading_len: int = 0, title: str | None = None
) -> list[Unit]:
    """Blocks → units: a sub-point with its paragraphs, a run of short list items, or a paragraph."""
    units: list[Unit] = []
    i = 0
    while i < len(group):
        t = group[i]
        run = _list_run(group, i, sub, language)
        if run > 1:
            lead = (
                units.pop() if units and units[-1].text.rstrip().endswith(("：", ":")) and not units[-1].items else None
            )
            units.append(_list_unit(group[i : i + run], lead, title if i == 0 or (lead and lead.heading_len) else None))
            i += run
            continue
        if sub and t.marker and t.marker.family == sub:
            stated, heading_len = _heading_parts(t, language)
            j = i + 1
            while j < len(group) and not (group[j].marker and group[j].marker.family == sub):
                j += 1
            units.append(Unit("\n".join(g.block.text for g in group[i:j]), stated or None, heading_len))
            i = j
            continue
        units.append(Unit(t.block.text, heading_len=first_heading_len if i == 0 else 0))
        i += 1
    units = _attach_headings(units)
    if units and title and not units[0].title:
        units[0] = Unit(units[0].text, units[0].stated, units[0].heading_len, units[0].items, title)
    return units


def _attach_headings(units: list[Unit]) -> list[Unit]:
    """A heading-only first unit (一、加强政治建设) is spoken with the passage that follows it."""
    if len(units) > 1 and units[0].heading_len >= len(units[0].text) and units[0].stated is None:
        head, nxt = units[0], units[1]
        merged = Unit(
            head.text + "\n" + nxt.text, nxt.stated, len(head.text) + 1 + nxt.heading_len, nxt.items, nxt.title
        )
        return [merged, *units[2:]]
    return units


def _list_run(group: list[_Tagged], i: int, sub: str | None, language: Language) -> int:
    """How many consecutive short list items start at i (Markdown bullets, Word numbering, short 1. 2.)."""
    n = 0
    for t in group[i:]:
        listed = t.block.list_item or (
            t.marker is not None and t.marker.family in ("arabic", "arabic_paren", "circled") and t.marker.family != sub
        )
        short = spoken_units(t.block.text, language) < MIN_UNITS[language] * 1.5
        if not (listed and short and t.block.heading is None) or (n and i + n == 0):
            break
        n += 1
    return n


def _list_unit(run: list[_Tagged], lead: Unit | None, title: str | None) -> Unit:
    """Short list items as one point; the paragraph announcing them ("three causes:") leads it."""
    items = tuple(t.block.text[t.marker.end :] if t.marker else t.block.text for t in run)
    text = "\n".join(t.block.text for t in run)
    if lead is None:
        return Unit(text, items=items, title=title)
    return Unit(lead.text + "\n" + text, lead.stated, lead.heading_len, items, title)


def _plain_sections(blocks: list[Block], language: Language) -> tuple[Section, ...]:
    """No numbering at all: opening = first paragraph, closing = a cued last one, body grouped by length."""
    tagged = [_Tagged(b, None) for b in blocks]
    opening: list[_Tagged] = []
    closing: list[_Tagged] = []
    if len(tagged) >= 3:
        opening, tagged = tagged[:1], tagged[1:]
        if _CLOSING_CUE.match(tagged[-1].block.text):
            tagged, closing = tagged[:-1], tagged[-1:]
    labels = _LABELS[language]
    sections = [_make(labels["opening"], "opening", _units(opening, None, language), language)] if opening else []
    for group in _group_by_length(tagged, language):
        points = points_of(_units(group, None, language), language)
        if points:
            sections.append(Section(title=points[0].headline, kind="body", points=points))
    if closing:
        sections.append(_make(labels["closing"], "closing", _units(closing, None, language), language))
    return tuple(s for s in sections if s.points)


def _group_by_length(tagged: list[_Tagged], language: Language) -> list[list[_Tagged]]:
    """Consecutive paragraphs in groups of about three points' worth of speech."""
    budget = MIN_UNITS[language] * 15
    groups: list[list[_Tagged]] = [[]]
    size = 0
    for t in tagged:
        units = spoken_units(t.block.text, language)
        if groups[-1] and size + units > budget:
            groups.append([])
            size = 0
        groups[-1].append(t)
        size += units
    return [g for g in groups if g]
