"""Headlines and bullets: short phrases taken from a point's own words, never the whole paragraph.

Chinese formal speech states its topics in short clauses ("一要认真学习，深刻领会精髓") and counts
them ("三点要求", "四个体系"); the rules below pick those. No word is invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from deliver.model import Language
from deliver.speech.text import bare, clauses, sentences, short_length

HEADLINE_MAX = {"zh": 16, "en": 8}
"""Longest headline: CJK characters (zh) or words (en)."""
HEADLINE_MIN = {"zh": 3, "en": 2}
BULLET_MAX = {"zh": 24, "en": 12}
BULLET_MIN = {"zh": 4, "en": 2}
BULLETS_PER_POINT = 4

# Words that open a clause without carrying its topic ("刚才，", "同时也有", "In short,").
_DISCOURSE = re.compile(
    r"^(?:今天|刚才|同时|这里|下面|目前|当前|另外|此外|因此|所以|总之|总的来说|总体上|总体来说|首先|其次|再次|最后|"
    r"当然|其实|可以说|应该说|具体来讲|具体来说|通俗来讲|也就是说|一方面|另一方面|同志们|同事们|朋友们)(?:[，,：:\s]+|$)"
    r"|^(?:我们要|我们必须|我们|就是要|也要|还要|更要|既要|又要|必须|要(?![求素点是么不害闻])(?=[\u4e00-\u9fff]{4}))"
    r"|^(?:so|and|but|now|also|then|first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|in short|today|"
    r"of course|in fact|however|therefore|well)\b[,:\s]*",
    re.IGNORECASE,
)
_DISCOURSE_TAIL = re.compile(r"(?:具体来讲|具体来说|来讲|来说|而言|而论)$")
_COUNT_PHRASE = re.compile(
    r"[一二两三四五六七八九十几]+(?:个方面|个|点|项|条|句话|种|大|件事)[^，,。：:；;！？\s]{0,10}"
)
_MODAL_TAIL = re.compile(r".*(?:要|必须|应当|需要)(?=[^要]{3,}$)")


def strip_discourse(text: str) -> str:
    """Drop openers like 刚才，/同时/我们要/So, that carry no topic (repeatedly)."""
    previous = None
    text = bare(text)
    while text != previous:
        previous = text
        text = bare(_DISCOURSE_TAIL.sub("", _DISCOURSE.sub("", text, count=1)))
    return text


def fits(text: str, language: Language, limit: int, minimum: int = 1) -> bool:
    return minimum <= short_length(text, language) <= limit


def _first_fitting(candidates: Iterable[str], language: Language, limit: int, minimum: int) -> str | None:
    for candidate in candidates:
        candidate = strip_discourse(candidate)
        if fits(candidate, language, limit, minimum):
            return candidate
    return None


def phrase_of(text: str, language: Language, limit: int, minimum: int) -> str | None:
    """The opening phrase of `text`: its first clause, joined with the next while too short to stand alone."""
    parts = [strip_discourse(c) for c in clauses(text)[:3]]
    parts = [p for p in parts if p]
    if not parts:
        return None
    joiner = "，" if language == "zh" else ", "
    phrase = parts[0]
    for extra in parts[1:]:
        if short_length(phrase, language) >= minimum + 2:
            break
        joined = phrase + joiner + extra
        if not fits(joined, language, limit):
            break
        phrase = joined
    return phrase if fits(phrase, language, limit, minimum) else None


def truncate(text: str, language: Language, limit: int) -> str:
    """Cut `text` to `limit` units at a clause or word boundary, marking the cut with an ellipsis."""
    text = strip_discourse(text) or bare(text)
    if short_length(text, language) <= limit:
        return text
    if language == "en":
        return " ".join(text.split()[:limit]).rstrip(",;:") + "…"
    return text[: limit - 1] + "…"


def enumeration_headline(lead: str, language: Language) -> str | None:
    """Headline of a counted list from its lead-in: 这里，我提三点要求： → 三点要求."""
    limit = HEADLINE_MAX[language]
    count = _COUNT_PHRASE.search(lead)
    if count and fits(count.group(), language, limit, 4):
        return count.group()
    first = _first_fitting(clauses(lead), language, limit, 4)
    if first:
        return first
    if count:
        clause = next((c for c in clauses(lead) if count.group() in c), lead)
        tail = _MODAL_TAIL.sub("", bare(clause))
        if fits(tail, language, limit, 3):
            return tail
    return None


def headline_of(text: str, language: Language) -> str:
    """A short title for a passage: its first sentence or clause that fits, else a cut first clause."""
    limit, minimum = HEADLINE_MAX[language], HEADLINE_MIN[language]
    heads = sentences(text)[:2]
    found = _first_fitting(heads, language, limit, minimum)
    if found:
        return found
    for sentence in heads:
        found = phrase_of(sentence, language, limit, minimum) or _first_fitting(
            clauses(sentence)[:4], language, limit, minimum
        )
        if found:
            return found
    return truncate(text, language, limit)


def _enumerated_parts(clause: str, limit: int, minimum: int) -> list[str]:
    """A long clause of 、-joined phrases (在X上要…、在Y上要…) as its phrases, when each can stand alone."""
    if len(clause) <= limit:
        return [clause]
    parts = clause.split("、")
    return parts if len(parts) > 1 and all(minimum <= len(bare(p)) <= limit for p in parts) else [clause]


def _position(text: str, phrase: str) -> int:
    at = text.find(phrase)
    return at if at >= 0 else len(text)


def _new(phrase: str, found: list[str]) -> bool:
    return not any(phrase in f or f in phrase for f in found)


def bullets_of(text: str, language: Language, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Up to four condensed phrases, one per sentence, evenly spread over the passage."""
    limit, minimum = BULLET_MAX[language], BULLET_MIN[language]
    skip = {bare(e) for e in exclude}
    found: list[str] = []
    for sentence in sentences(text):
        phrase = phrase_of(sentence, language, limit, minimum)
        if phrase is None:
            phrase = _first_fitting(clauses(sentence), language, limit, minimum + 2)
        if phrase and phrase not in skip and _new(phrase, found):
            found.append(phrase)
    if len(found) < 2:
        parts = [p for c in clauses(text) for p in _enumerated_parts(c, limit, minimum + 2)]
        for clause in parts:
            phrase = strip_discourse(clause)
            if fits(phrase, language, limit, minimum + 2) and phrase not in skip and _new(phrase, found):
                found.append(phrase)
    if not found and truncate(text, language, limit) not in skip:
        found = [truncate(text, language, limit)]
    found.sort(key=lambda phrase: _position(text, phrase))
    if len(found) > BULLETS_PER_POINT:
        step = len(found) / BULLETS_PER_POINT
        found = [found[int(i * step)] for i in range(BULLETS_PER_POINT)]
    return tuple(found)


def item_bullet(item: str, language: Language) -> str:
    """The bullet for one enumerated item (its marker already removed)."""
    limit, minimum = BULLET_MAX[language], BULLET_MIN[language]
    first = next((s for s in sentences(item) if bare(s)), item)
    return phrase_of(item, language, limit, minimum) or truncate(first, language, limit)
