"""Script-aware text primitives shared by every stage: language, sentences, clauses, length.

All splitters are lossless: joining their pieces gives the input back exactly, so no stage can
drop a word of the speech by splitting it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from deliver.model import Language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,:]\d+)*%?")
# A sentence ends at 。！？!? (and … runs), with closing quotes/brackets kept on the sentence;
# "." ends a sentence only before whitespace/end and not after a short abbreviation or a digit.
_ZH_END = r"[。！？!?…]+[”’」』）)\]】]*"
_EN_END = r"[.!?]+[\"”’')\]]*(?=\s|$)"
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "vs",
        "no",
        "jr",
        "sr",
        "mt",
        "etc",
        "e.g",
        "i.e",
        "inc",
        "ltd",
        "co",
        "fig",
    ]
)
_ABBREV_BEFORE = re.compile(r"(?<![A-Za-z.])([A-Za-z](?:\.?[A-Za-z])*)$")
_SENTENCE_END = re.compile(rf"{_ZH_END}|{_EN_END}|[;；](?=\s*$)|\n+")
_CLAUSE_END = re.compile(r"(?:[，；;：]|,(?!\d)|:(?!\d))+(?:\s+)?|" + _ZH_END + r"|" + _EN_END)


def is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def latin_words(text: str) -> list[str]:
    """Latin words and numbers (each read as one word aloud)."""
    return _LATIN_WORD.findall(text)


def detect_language(text: str) -> Language:
    """ "zh" when Han characters outweigh Latin words, else "en"."""
    return "zh" if han_count(text) >= len(latin_words(text)) else "en"


def spoken_units(text: str, language: Language) -> int:
    """Length as a speaker counts it: 字 (Han characters + Latin words) for zh, words for en."""
    if language == "zh":
        return han_count(text) + len(latin_words(_HAN.sub(" ", text)))
    return len(latin_words(text))


def _split_after(pattern: re.Pattern[str], text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.group().startswith(".") and _after_abbreviation(text, match.start()):
            continue
        end = match.end()
        while end < len(text) and text[end] in " \t":
            end += 1
        if end > start:
            pieces.append(text[start:end])
            start = end
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _after_abbreviation(text: str, dot: int) -> bool:
    """True when the "." at `dot` closes "Dr", "e.g", a single initial ("J.") or follows a digit."""
    if dot > 0 and text[dot - 1].isdigit():
        return dot + 1 < len(text) and text[dot + 1].isdigit()
    word = _ABBREV_BEFORE.search(text[:dot])
    if word is None:
        return False
    token = word.group(1)
    return token.lower() in _ABBREVIATIONS or "." in token or (len(token) == 1 and token.isupper())


def sentences(text: str) -> list[str]:
    """Sentences of `text`, end punctuation (and trailing spaces) kept; lossless."""
    return _split_after(_SENTENCE_END, text)


def clauses(text: str) -> list[str]:
    """Clauses split after ，；：,;: and sentence ends (not 、, which joins words of one phrase); lossless."""
    return _split_after(_CLAUSE_END, text)


def bare(text: str) -> str:
    """Text without surrounding punctuation and spaces (for headlines and bullets)."""
    return text.strip().strip("，,、；;：:。.！!？?…　 ").strip()


def display_width(text: str) -> float:
    """Width in ems as a rough screen measure: full-width characters 1, others 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def short_length(text: str, language: Language) -> int:
    """Headline/bullet length: characters for zh, words for en."""
    return len(bare(text)) if language == "zh" else len(bare(text).split())


def pieces_within(text: str, limit: int, size: Callable[[str], int]) -> list[str]:
    """Sentences of `text`; one longer than `limit` is broken at clauses, then at a fixed width. Lossless."""
    out: list[str] = []
    for sentence in sentences(text):
        if size(sentence) <= limit:
            out.append(sentence)
            continue
        for clause in clauses(sentence):
            while size(clause) > limit:
                cut = _width_cut(clause, limit, size)
                out.append(clause[:cut])
                clause = clause[cut:]
            if clause:
                out.append(clause)
    return out


def _width_cut(text: str, limit: int, size: Callable[[str], int]) -> int:
    """Longest prefix within `limit`, ending after a space when there is one."""
    low, high = 1, len(text)
    while low < high:  # binary search: size() is monotone in the prefix length
        mid = (low + high + 1) // 2
        if size(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    space = text.rfind(" ", 0, low)
    return space + 1 if space > 0 else low


def pack(pieces: list[str], limit: int, size: Callable[[str], int]) -> list[str]:
    """Consecutive pieces joined greedily into runs within `limit` (a piece over it stays alone)."""
    runs: list[str] = []
    for piece in pieces:
        if runs and size(runs[-1] + piece) <= limit:
            runs[-1] += piece
        else:
            runs.append(piece)
    return runs
