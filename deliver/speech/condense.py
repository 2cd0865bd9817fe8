"""Headlines and bullets: lines chosen from a point's own words, ranked, never cut with "…".

A headline is the first candidate that stands alone and fits, in this order: the stated topic (a
sub-point's heading), the count an enumeration announces ("三点要求"), the opening sentence, a
clause run of the first sentences, a shorter whole phrase of the opening clause. Bullets are one
whole line per sentence, spread over the passage. Every line is a contiguous span of the speaker's
words with only edge words trimmed (see `lines.py`); none repeats the headline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from deliver.model import Language
from deliver.speech.lines import flaw, trim
from deliver.speech.phrases import (
    CLAUSE,
    PHRASE,
    WORD,
    Tier,
    line_ok,
    pieces,
    run_from,
    runs,
    sentences_of,
    shorter_phrase,
    size,
    units,
)
from deliver.speech.text import bare, detect_language, short_length

HEADLINE_MAX = {"zh": 20, "en": 12}
"""Longest headline: CJK characters (zh, one line at the largest headline size) or words (en, two lines)."""
HEADLINE_MIN = {"zh": 3, "en": 2}
BULLET_MAX = {"zh": 30, "en": 18}
"""Longest bullet: CJK characters or words (about two lines of the body at its largest size)."""
BULLET_MIN = {"zh": 4, "en": 2}
BULLETS_PER_POINT = 4
_STAND = {"zh": 6, "en": 4}
"""A line shorter than this takes the next clause when that still fits (认真学习，深刻领会精髓)."""
_HEAD_STAND = {"zh": 5, "en": 3}

_COUNT_PHRASE = re.compile(
    r"[一二两三四五六七八九十几]+(?:个方面|方面|个|点|项|条|句话|种|大|件事)[^，,。：:；;！？\s]{0,10}"
)
_MODAL_TAIL = re.compile(r".*(?:要|必须|应当|需要)(?=[^要]{3,}$)")


def _language(text: str) -> Language:
    return detect_language(text)


def strip_discourse(text: str) -> str:
    """`text` without the topic-less words at its edges (刚才，/同时/我们要/So,/一是/First,)."""
    return trim(text, _language(text))


def fits(text: str, language: Language, limit: int, minimum: int = 1) -> bool:
    return minimum <= short_length(text, language) <= limit


def _first(candidates: Iterable[str | None]) -> str | None:
    return next((c for c in candidates if c), None)


def phrase_of(text: str, language: Language, limit: int, minimum: int) -> str | None:
    """The opening whole line of `text` within `limit`: its first clauses, a frame with its predicate."""
    first = sentences_of(text, language)[:1]
    tiers: tuple[Tier, ...] = (0, CLAUSE, PHRASE) if language == "en" else (0,)
    return _first(run for s in first for tier in tiers for run in runs(s, language, limit, minimum, minimum + 2, tier))


def truncate(text: str, language: Language, limit: int) -> str:
    """`text` brought within `limit` as a whole phrase (a clause run, or a phrase up to a word
    boundary); never cut mid-word and never marked with "…". When no shorter whole phrase exists
    the trimmed text is returned as it is (the slide plan fits it)."""
    line = trim(text, language) or bare(text)
    if size(line, language) <= limit:
        return line
    return phrase_of(line, language, limit, 2) or shorter_phrase(line, language, limit, 2) or line


def _whole(text: str, language: Language, limit: int, minimum: int) -> str | None:
    line = trim(text, language)
    return line if line_ok(line, language, limit, minimum) else None


def _tiers(language: Language) -> tuple[Tier, ...]:
    """English clauses are long: shortening them at a boundary ranks before the next sentence."""
    return (0, CLAUSE, PHRASE) if language == "en" else (0,)


def _headline_candidates(text: str, language: Language) -> Iterator[str | None]:
    limit, minimum, stand = HEADLINE_MAX[language], HEADLINE_MIN[language], _HEAD_STAND[language]
    heads = sentences_of(text, language)[:3]
    for sentence in heads:
        yield _whole(sentence, language, limit, minimum)
        for tier in _tiers(language):
            yield from runs(sentence, language, limit, minimum, stand, tier)
    for sentence in heads[:1]:
        yield shorter_phrase(trim(sentence, language), language, limit, minimum, WORD)


def headline_of(text: str, language: Language, avoid: Iterable[str] = ()) -> str:
    """A short title for a passage: its best-ranked whole line (see the module docstring). Lines
    that repeat one of `avoid` (the slide's bullets) rank last."""
    shown = [a for a in avoid if a]
    fallback: str | None = None
    for candidate in _headline_candidates(text, language):  # lazily: the last tier loads jieba
        if candidate and not _echoes(candidate, shown) and not _topicless(candidate):
            return candidate
        fallback = fallback or candidate
    return fallback or _last_resort(text, language)


_TOPICLESS = re.compile(
    r"^(?:我认为|我認為|我觉得|我覺得|我想|我相信|我發現|我发现)?(?:这|這|那|它|此)(?:个|個|件事|一点|一點)?"
    r"(?:很|非常|真的|十分|特别|特別|也|更|最)*(?:重要|关键|關鍵|有意思|有趣|不容易|难|難|好)[。！!]?$"
    r"|^(?:i think |i believe |i feel )?(?:this|that|it) (?:is|was|'s) (?:very |really |so )?"
    r"(?:important|interesting|crucial|key|hard|good)[.!]?$",
    re.IGNORECASE,
)
"""A comment that names no topic (我認為這很重要 / I think this is important): a headline of last resort."""


def _topicless(line: str) -> bool:
    return bool(_TOPICLESS.match(line.strip()))


def shorter_headline(text: str, language: Language, than: str) -> str | None:
    """A headline that leaves part of `text` for a bullet: a shorter whole line than `than` (no
    dictionary tier, so that jieba stays unloaded)."""
    limit, minimum, stand = HEADLINE_MAX[language], HEADLINE_MIN[language], _HEAD_STAND[language]
    for sentence in sentences_of(text, language)[:1]:
        for tier in _tiers(language):
            for run in runs(sentence, language, limit, minimum, stand, tier):
                if run and size(run, language) < size(than, language):
                    return run
    return None


def _last_resort(text: str, language: Language) -> str:
    """The shortest trimmed clause of the opening: uncut, even when it is longer than a headline."""
    heads = sentences_of(text, language)[:1] or [text]
    parts = [trim(p, language) for p in pieces(heads[0], language)]
    parts = [p for p in parts if p and flaw(p, language) != "a vocative"] or [bare(text) or text.strip()]
    return min(
        parts, key=lambda p: (units(p, language) < HEADLINE_MIN[language], bool(flaw(p, language)), size(p, language))
    )


def stated_headline(stated: str, body: str, language: Language, spoken: str | None = None) -> str:
    """A stated heading as the headline: whole when it fits, else its opening whole phrase; a
    heading that cannot stand (a bare name, a vocative) or is not said in `spoken` (default:
    `body`) gives way to the body's own headline."""
    limit, minimum = HEADLINE_MAX[language], HEADLINE_MIN[language]
    if _letters(stated) not in _letters(body if spoken is None else spoken):
        return headline_of(body, language)
    found = _whole(stated, language, limit, minimum) or _first(
        run for tier in (*_tiers(language), WORD)
        for run in runs(trim(stated, language), language, limit, minimum, _HEAD_STAND[language], tier)
    )  # fmt: skip
    return found or headline_of(body, language)


def enumeration_headline(lead: str, language: Language) -> str | None:
    """Headline of a counted list from its lead-in: 这里，我提三点要求： → 三点要求."""
    limit = HEADLINE_MAX[language]
    count = _COUNT_PHRASE.search(lead)
    if count and _whole(count.group(), language, limit, 4):
        return _whole(count.group(), language, limit, 4)
    parts = pieces(lead, language)
    first = _first(run_from(parts, i, language, limit, 4, 4) for i in range(len(parts)))
    if first:
        return first
    if count:
        clause = next((c for c in parts if count.group() in c), lead)
        return _whole(_MODAL_TAIL.sub("", bare(clause)), language, limit, 3)
    return None


@lru_cache(maxsize=16384)
def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def _echoes(line: str, others: Iterable[str]) -> bool:
    """`line` repeats (or is repeated by) one of `others`: the same words shown twice."""
    mine = _letters(line)
    return any(mine in (o := _letters(other)) or o in mine for other in others if _letters(other))


def _position(text: str, phrase: str) -> int:
    at = text.find(phrase)
    return at if at >= 0 else len(text)


def _after(sentence: str, line: str) -> str | None:
    """What `sentence` says after `line` (a span of it, up to whitespace), or None."""
    at = sentence.find(line)
    if at >= 0:
        end = at + len(line)
    elif _flat(line) and _flat(line) in _flat(sentence):  # the line was joined across a line break
        match = re.search(r"\s*".join(re.escape(ch) for ch in _flat(line)), sentence)
        end = match.end() if match else len(sentence)
    else:
        return None
    rest = sentence[end:]
    return rest if bare(rest) else None


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sentence_lines(sentence: str, language: Language, skip: list[str], tier: Tier) -> Iterator[str]:
    """A sentence's whole lines; when a headline took its opening, also lines of what follows it."""
    limit, minimum, stand = BULLET_MAX[language], BULLET_MIN[language], _STAND[language]
    yield from runs(sentence, language, limit, minimum, stand, tier)
    for headline in skip:
        rest = _after(sentence, headline)
        if rest is not None:
            yield from runs(rest, language, limit, minimum, stand, tier, rest=True)


def _fresh(lines: Iterator[str], shown: list[str]) -> str | None:
    return next((line for line in lines if not _echoes(line, shown) and not _topicless(line)), None)


def bullets_of(text: str, language: Language, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Up to four whole lines, one per sentence, evenly spread over the passage."""
    skip = [e for e in exclude if e]
    sentences = sentences_of(text, language)
    pending = [_sentence_lines(s, language, skip, _tiers(language)[-1]) for s in sentences]  # lazily
    found: list[str] = []
    for depth in range(3):  # the best line of each sentence first; further lines only when too few
        for lines in pending:
            if depth and len(found) >= 2:
                break
            line = _fresh(lines, [*skip, *found])
            if line:
                found.append(line)
        if len(found) >= 2:
            break
    if not found and language == "zh":  # last resort: a phrase up to a jieba word boundary
        spare = (line for s in sentences for line in _sentence_lines(s, language, skip, WORD))
        found = [line for line in [_fresh(spare, skip)] if line]
    flat = _flat(text)
    found.sort(key=lambda phrase: _position(flat, _flat(phrase)))
    if len(found) > BULLETS_PER_POINT:
        step = len(found) / BULLETS_PER_POINT
        found = [found[int(i * step)] for i in range(BULLETS_PER_POINT)]
    return tuple(found)


def item_bullet(item: str, language: Language) -> str:
    """The bullet for one enumerated item (its marker already removed); "" when none stands alone."""
    limit, minimum, stand = BULLET_MAX[language], BULLET_MIN[language], _STAND[language]
    sentences = sentences_of(item, language)
    tier = _tiers(language)[-1]
    found = _first(run for s in sentences for run in runs(s, language, limit, minimum, stand, tier))
    if found or not sentences:
        return found or ""
    return shorter_phrase(trim(sentences[0], language), language, limit, minimum, WORD) or ""
