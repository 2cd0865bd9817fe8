"""A section's passages → points: enumerations become points, short passages join a neighbour,
long ones are split at sentence ends. Every character of the input lands in exactly one point.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from deliver.model import Language, Point
from deliver.speech.condense import (
    HEADLINE_MAX,
    bullets_of,
    enumeration_headline,
    headline_of,
    item_bullet,
    stated_headline,
)
from deliver.speech.markers import Enumeration, inline_enumerations
from deliver.speech.text import bare, pieces_within, sentences, short_length, spoken_units

MAX_UNITS = {"zh": 250, "en": 150}
"""Longest point: ≈ 75 s at a formal speaking pace (字 for zh, words for en)."""
MIN_UNITS = {"zh": 40, "en": 20}
"""Shorter plain passages join a neighbouring point rather than get a slide of their own."""


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


def _enum_span(text: str, enum: Enumeration, floor: int, next_first: int | None, language: Language) -> tuple[int, int]:
    lead = _lead_start(text, enum.starts[0], floor, language)
    last = enum.starts[-1]
    items = [text[a:b] for a, b in zip(enum.starts, enum.starts[1:])]
    multi_sentence = any(len([s for s in sentences(i) if bare(s)]) > 1 for i in items)
    if multi_sentence:
        end = len(text) if next_first is None else _lead_start(text, next_first, last, language)
    else:
        end = last + len(sentences(text[last:])[0])
    return lead, max(end, last + 1)


def _drafts_of(unit: Unit, index: int, language: Language) -> list[_Draft]:
    """Split one unit at its inline enumerations."""
    if unit.items:
        lead = unit.text[: unit.text.find(unit.items[0])] if unit.items[0] in unit.text else ""
        return [_Draft(unit.text, index, unit.stated, unit.heading_len, lead, unit.items, fallback=unit.title)]
    text, drafts, cursor = unit.text, [], 0
    enums = [e for e in inline_enumerations(text) if e.starts[0] >= unit.heading_len]
    for i, enum in enumerate(enums):
        if enum.starts[0] < cursor:
            continue
        next_first = enums[i + 1].starts[0] if i + 1 < len(enums) else None
        lead, end = _enum_span(text, enum, cursor, next_first, language)
        if bare(text[cursor:lead]):
            drafts.append(_Draft(text[cursor:lead], index))
        else:
            lead = cursor
        items = tuple(text[b:e] for b, e in zip(enum.bodies, (*enum.starts[1:], end)))
        drafts.append(_Draft(text[lead:end], index, lead=text[lead : enum.starts[0]], items=items))
        cursor = end
    if cursor < len(text):
        drafts.append(_Draft(text[cursor:], index))
    if drafts:
        first = drafts[0]
        drafts[0] = replace(first, stated=unit.stated, skip=unit.heading_len, fallback=unit.title)
    return drafts


def _split_long(draft: _Draft, language: Language) -> list[_Draft]:
    """Break a draft longer than a point into balanced runs of whole sentences."""
    total = spoken_units(draft.text, language)
    if total <= MAX_UNITS[language] or draft.items:
        return [draft]
    pieces = pieces_within(draft.text, MAX_UNITS[language], lambda t: spoken_units(t, language))
    target = total / math.ceil(total / MAX_UNITS[language])
    chunks: list[str] = [""]
    for piece in pieces:
        if chunks[-1] and spoken_units(chunks[-1] + piece, language) > max(target, 1) * 1.15:
            chunks.append("")
        chunks[-1] += piece
    first = replace(draft, text=chunks[0])
    rest = [_Draft(c, draft.unit, draft.stated, continued=draft.stated is not None) for c in chunks[1:]]
    return [first, *rest]


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
        out[:2] = [replace(nxt, text=head.text + joiner + nxt.text, skip=head.skip + len(joiner) + nxt.skip)]
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
    bullets = tuple(_capital(b, language) for b in bullets if b)
    headline = headline or draft.text.strip()[: HEADLINE_MAX[language]]
    return Point(draft.text.strip(), _capital(headline, language), bullets, draft.continued)


def points_of(units: list[Unit], language: Language) -> tuple[Point, ...]:
    """The points of one section, in speaking order."""
    drafts = [d for i, u in enumerate(units) for d in _drafts_of(u, i, language) if d.text.strip()]
    drafts = [piece for d in drafts for piece in _split_long(d, language)]
    drafts = _merge_short(drafts, language)
    return tuple(_finish(d, language) for d in drafts)
