"""A section's passages → points: enumerations become points, slivers join a neighbour, long passages
are split at sentence or item boundaries, so that a slide carries about 20–90 s of speech. A heading
is spoken with what follows it. Every character of the input lands in exactly one point.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from deliver.model import Language, Point
from deliver.speech.condense import (
    HEADLINE_MAX,
    bullets_of,
    enumeration_headline,
    headline_of,
    item_bullet,
    shorter_headline,
    stated_headline,
)
from deliver.speech.markers import Enumeration, inline_enumerations
from deliver.speech.text import bare, pieces_within, sentences, short_length, spoken_units

_PACE = {"zh": 200, "en": 130}
"""Formal speaking pace per minute (字 for zh, words for en): the "formal" preset of timing/estimate.py."""
SLIDE_SECONDS = (20, 90)
"""A slide carries between about 20 s and 90 s of speech."""
MAX_UNITS = {lang: pace * SLIDE_SECONDS[1] // 60 for lang, pace in _PACE.items()}
"""Longest point (zh 300 字, en 195 words): a longer passage is split at sentence or sub-point boundaries."""
MIN_UNITS = {lang: pace * SLIDE_SECONDS[0] // 60 // 2 for lang, pace in _PACE.items()}
"""Shorter plain passages (zh 33 字, en 21 words: 10 s) join a neighbouring point rather than get a slide."""
SLIVER_UNITS = {lang: pace * SLIDE_SECONDS[0] // 60 for lang, pace in _PACE.items()}
"""Below this (20 s) a point, even a stated sub-point, joins its neighbour when both fit one slide."""


@dataclass(frozen=True)
class Unit:
    """A passage of one section as the source gives it (a paragraph, a sub-point, a list)."""

    text: str
    stated: str | None = None
    """Headline the author stated (a sub-point's heading); None to derive one."""
    heading_len: int = 0
    """Leading characters that are the section's own heading (spoken, but not used for the headline)."""
    items: tuple[str, ...] = ()
    """List items the format marked (Markdown bullets, Word numbering), already in `text`."""
    title: str | None = None
    """The section's title, for a passage that is only a list under it (no lead-in of its own)."""


@dataclass(frozen=True)
class _Draft:
    text: str
    unit: int
    stated: str | None = None
    skip: int = 0
    lead: str | None = None
    items: tuple[str, ...] = ()
    continued: bool = False
    fallback: str | None = None

    @property
    def plain(self) -> bool:
        return self.stated is None and self.lead is None and not self.items


_ENDS_SENTENCE = re.compile(r"(?:[。！？!?.…;；][”’」』）)\]】\"']*\s*|\n\s*)$")


def _lead_start(text: str, first: int, floor: int, language: Language) -> int:
    """Start of the sentence that introduces an enumeration whose first item is at `first`."""
    pieces = sentences(text[floor:first])
    if not pieces or not bare(pieces[-1]):
        return first
    last = pieces[-1]
    start = first - len(last)
    if not _ENDS_SENTENCE.search(last):
        return start  # the list continues the sentence that announces it
    # The first item opens a sentence: the previous one is its lead-in when it announces a list.
    announces = last.rstrip().endswith(("：", ":")) or enumeration_headline(last, language) is not None
    return start if announces and short_length(last, language) <= 2 * HEADLINE_MAX[language] else first


def _enum_span(
    text: str, enum: Enumeration, floor: int, later: list[Enumeration], language: Language
) -> tuple[int, int, int]:
    """(lead start, end, how many of the `later` enumerations sit inside its last item)."""
    lead = _lead_start(text, enum.starts[0], floor, language)
    last = enum.starts[-1]
    items = [text[a:b] for a, b in zip(enum.starts, enum.starts[1:], strict=False)]
    multi_sentence = any(len([s for s in sentences(i) if bare(s)]) > 1 for i in items)
    if not multi_sentence:
        return lead, max(last + len(sentences(text[last:])[0]), last + 1), 0
    nested = 0
    while nested < len(later):
        # A list whose lead-in starts at this list's last marker is held by that item (四是…：（1）…（2）…).
        if _lead_start(text, later[nested].starts[0], last, language) > enum.bodies[-1]:
            return lead, _lead_start(text, later[nested].starts[0], last, language), nested
        nested += 1
    return lead, len(text), nested


def _drafts_of(unit: Unit, index: int, language: Language) -> list[_Draft]:
    """Split one unit at its inline enumerations."""
    if unit.items:
        lead = unit.text[: unit.text.find(unit.items[0])] if unit.items[0] in unit.text else ""
        return [_Draft(unit.text, index, unit.stated, unit.heading_len, lead, unit.items, fallback=unit.title)]
    text, cursor = unit.text, 0
    drafts: list[_Draft] = []
    enums = [e for e in inline_enumerations(text) if e.starts[0] >= unit.heading_len]
    skip_until = 0
    for i, enum in enumerate(enums):
        if enum.starts[0] < cursor or i < skip_until:
            continue
        start, end, nested = _enum_span(text, enum, cursor, enums[i + 1 :], language)
        skip_until = i + 1 + nested
        if bare(text[cursor:start]):
            drafts.append(_Draft(text[cursor:start], index))
        else:
            start = cursor
        items = tuple(text[b:e] for b, e in zip(enum.bodies, (*enum.starts[1:], end), strict=True))
        drafts.append(_Draft(text[start:end], index, lead=text[start : enum.starts[0]], items=items))
        cursor = end
    if cursor < len(text):
        drafts.append(_Draft(text[cursor:], index))
    if drafts:
        first = drafts[0]
        drafts[0] = replace(first, stated=unit.stated, skip=unit.heading_len, fallback=unit.title)
    return _heading_with_next(drafts)


def _heading_with_next(drafts: list[_Draft]) -> list[_Draft]:
    """A first draft that is only heading (一、工作回顾 before its list) is spoken with the draft after it."""
    if len(drafts) < 2 or drafts[0].skip < len(drafts[0].text.rstrip()):
        return drafts
    head, nxt = drafts[0], drafts[1]
    lead = head.text + (nxt.lead or "") if nxt.lead is not None else None
    merged = replace(
        nxt, text=head.text + nxt.text, skip=len(head.text), lead=lead,
        stated=head.stated or nxt.stated, fallback=head.fallback or nxt.fallback,
    )  # fmt: skip
    return [merged, *drafts[2:]]


def _split_long(draft: _Draft, language: Language) -> list[_Draft]:
    """Break a draft longer than a point into balanced runs of whole sentences."""
    total = spoken_units(draft.text, language)
    if total <= MAX_UNITS[language]:
        return [draft]
    if draft.items:
        return _split_items(draft, language)
    pieces = pieces_within(draft.text, MAX_UNITS[language], lambda t: spoken_units(t, language))
    target = total / math.ceil(total / MAX_UNITS[language])
    chunks: list[str] = [""]
    for piece in pieces:
        if chunks[-1] and spoken_units(chunks[-1] + piece, language) > min(max(target, 1) * 1.15, MAX_UNITS[language]):
            chunks.append("")
        chunks[-1] += piece
    first = replace(draft, text=chunks[0])
    rest = [_Draft(c, draft.unit, draft.stated, continued=draft.stated is not None) for c in chunks[1:]]
    return [first, *rest]


def _split_items(draft: _Draft, language: Language) -> list[_Draft]:
    """A list longer than a point is cut between its items, into runs that each fit a slide."""
    ends: list[int] = []
    cursor = 0
    for item in draft.items:
        at = draft.text.find(item, cursor)
        if at < 0:
            return [draft]
        cursor = at + len(item)
        ends.append(cursor)
    chunks: list[tuple[int, int, list[str]]] = [(0, 0, [])]
    for item, end in zip(draft.items, ends, strict=True):
        start, _, items = chunks[-1]
        if items and spoken_units(draft.text[start:end], language) > MAX_UNITS[language]:
            chunks.append((chunks[-1][1], end, [item]))
        else:
            chunks[-1] = (start, end, [*items, item])
    chunks[-1] = (chunks[-1][0], len(draft.text), chunks[-1][2])
    first = replace(draft, text=draft.text[: chunks[0][1]], items=tuple(chunks[0][2]))
    rest = [
        _Draft(draft.text[a:b], draft.unit, draft.stated, lead="", items=tuple(items), continued=True)
        for a, b, items in chunks[1:]
    ]
    # One item longer than a slide is cut at its sentences like any passage.
    return [
        piece
        for chunk in (first, *rest)
        for piece in (
            _split_long(replace(chunk, items=(), lead=None), language)
            if len(chunk.items) == 1 and spoken_units(chunk.text, language) > MAX_UNITS[language]
            else [chunk]
        )
    ]


def _brief(text: str, language: Language) -> bool:
    """Short enough to be a lead-in: under the minimum, or one sentence under twice of it."""
    units = spoken_units(text, language)
    one_sentence = len([s for s in sentences(text) if bare(s)]) <= 1
    return units < MIN_UNITS[language] or (one_sentence and units < 2 * MIN_UNITS[language])


def _join_leads(drafts: list[_Draft], language: Language) -> list[_Draft]:
    """A brief plain passage just before an enumeration of the same paragraph introduces it: join them."""
    out: list[_Draft] = []
    for draft in drafts:
        prev = out[-1] if out else None
        if (
            prev is not None and prev.plain and prev.unit == draft.unit and draft.lead is not None
            and _brief(prev.text, language)
        ):  # fmt: skip
            out[-1] = replace(
                draft, text=prev.text + draft.text, lead=prev.text + (draft.lead or ""), skip=prev.skip,
                stated=prev.stated or draft.stated, fallback=prev.fallback or draft.fallback,
            )  # fmt: skip
        else:
            out.append(draft)
    return out


def _merge_short(drafts: list[_Draft], language: Language) -> list[_Draft]:
    """Plain passages under the minimum join the previous point (or the next, when first)."""
    out: list[_Draft] = []
    for draft in _join_leads(drafts, language):
        short = spoken_units(draft.text, language) < MIN_UNITS[language]
        if out and short and draft.plain and not draft.continued:
            prev = out[-1]
            joiner = "" if prev.unit == draft.unit else "\n"
            out[-1] = replace(prev, text=prev.text + joiner + draft.text)
        else:
            out.append(draft)
    if len(out) > 1 and out[0].plain and spoken_units(out[0].text, language) < MIN_UNITS[language]:
        head, nxt = out[0], out[1]
        joiner = "" if head.unit == nxt.unit else "\n"
        # The skipped heading is the head's own (a plain head has none); when the head is all heading,
        # the next draft's heading follows it. Adding the offsets dropped the first character (大家好 → 家好).
        whole = head.skip >= len(head.text)
        skip = len(head.text) + len(joiner) + nxt.skip if whole else head.skip
        out[:2] = [replace(nxt, text=head.text + joiner + nxt.text, skip=skip, fallback=head.fallback or nxt.fallback)]
    return out


def _headline(draft: _Draft, body: str, language: Language, items: tuple[str, ...]) -> str:
    if draft.continued:  # a continuation slide is titled by its own words, not its first part's
        return headline_of(body, language)
    if draft.stated:
        return stated_headline(draft.stated, body, language, draft.text)
    if draft.lead is not None:
        own = draft.lead[draft.skip :]
        found = enumeration_headline(own, language) if bare(own) else None
        if found or draft.fallback:
            return found or stated_headline(draft.fallback or "", body, language, draft.text)
    return headline_of(body, language, avoid=items)  # a list without a lead-in is not titled by its first item


def _capital(text: str, language: Language) -> str:
    return text[:1].upper() + text[1:] if language == "en" else text


def _finish(draft: _Draft, language: Language) -> Point:
    body = draft.text[draft.skip :] if bare(draft.text[draft.skip :]) else draft.text
    items = tuple(dict.fromkeys(item_bullet(i, language) for i in draft.items if bare(i)))
    headline = _headline(draft, body, language, items)
    bullets = items if draft.items else bullets_of(body, language, exclude=[headline])
    if not bullets and not draft.items:  # the whole sentence fits as headline: a shorter one leaves a bullet
        shorter = shorter_headline(body, language, headline)
        rest = bullets_of(body, language, exclude=[shorter]) if shorter else ()
        headline, bullets = (shorter, rest) if shorter and rest else (headline, bullets)
    headline = headline or draft.text.strip()[: HEADLINE_MAX[language]]
    # An item the headline already shows is not shown again below it (a list titled by its first item).
    bullets = tuple(_capital(b, language) for b in bullets if b and _letters(b) != _letters(headline))
    return Point(draft.text.strip(), _capital(headline, language), bullets, draft.continued)


def points_of(units: list[Unit], language: Language) -> tuple[Point, ...]:
    """The points of one section, in speaking order."""
    drafts = [d for i, u in enumerate(units) for d in _drafts_of(u, i, language) if d.text.strip()]
    drafts = [piece for d in drafts for piece in _split_long(d, language)]
    drafts = _merge_slivers(_merge_short(drafts, language), language)
    return tuple(_finish(d, language) for d in drafts)


def _merge_slivers(drafts: list[_Draft], language: Language) -> list[_Draft]:
    """A point under ~20 s takes the plain passage after it, or joins the one before, while both fit a slide.

    A sub-point keeps its own slide when its neighbours are sub-points too (each has a headline to show).
    """
    out: list[_Draft] = []
    limit = (MAX_UNITS[language] * 2) // 3
    for draft in drafts:
        prev = out[-1] if out else None
        if prev is not None and not prev.items and not draft.continued and not draft.items:
            size = spoken_units(prev.text + draft.text, language)
            small = min(spoken_units(prev.text, language), spoken_units(draft.text, language)) < SLIVER_UNITS[language]
            fits = size <= limit or (
                _only_headline(prev, language) and size <= MAX_UNITS[language] + HEADLINE_MAX[language]
            )
            if small and fits and draft.stated is None and (draft.lead is None or prev.plain):
                joiner = "" if prev.unit == draft.unit else "\n"
                out[-1] = replace(prev, text=prev.text + joiner + draft.text, lead=prev.lead)
                continue
        out.append(draft)
    return out


def _only_headline(draft: _Draft, language: Language) -> bool:
    """A draft whose words after its heading are one sentence short enough to be a headline
    (推动科技进步和创新。 before the paragraph it announces): it titles the passage after it."""
    own = draft.text[draft.skip :]
    said = [s for s in sentences(own) if bare(s)]
    return len(said) == 1 and short_length(bare(said[0]), language) <= HEADLINE_MAX[language]


def _letters(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if unicodedata.category(c)[0] in "LN")
