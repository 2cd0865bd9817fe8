"""Text measurement and line breaking for CJK and Latin text — pure, no python-pptx.

Widths are in em (multiples of the font size) per character class, chosen to be slightly
generous for the fonts viewers substitute (Noto CJK, Liberation, DejaVu), so a line we plan
never needs the viewer to wrap it again. Lines break between words (`deliver.speech.words.cut`)
and never start with closing punctuation nor end with opening punctuation (避头尾). It sits
with the other shared text rules because two stages measure text: slides fit their boxes, and
the timing chart shortens its labels.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from deliver.speech.text import is_han
from deliver.speech.words import cut

LINE_HEIGHT: Final = 1.32
"""Height of one line at single spacing, in em. LibreOffice advances 1.2 em (measured on its PDFs),
PowerPoint 1.2 em for most fonts and ≈ 1.32 em for Microsoft YaHei: plan for the largest."""
AUTOSPACE: Final = 0.25
"""Extra em LibreOffice (and Word-style "autospace") puts between Han characters and Latin/digits."""
BOLD_FACTOR: Final = 1.04
"""Bold Latin is about 4 % wider."""
NO_LINE_START: Final = frozenset("，。、；：？！,.;:?!)]}）》」』】〕〗〉”’…—–-·%％‰℃")
"""Characters that must not begin a line (避头)."""
NO_LINE_END: Final = frozenset("（《「『【〔〖〈“‘([{$¥￥#")
"""Characters that must not end a line (避尾)."""
ELLIPSIS: Final = "…"

_NARROW: Final = frozenset("iljtfrI.,;:'!|()[]{}` \"")
_WIDE: Final = frozenset("mwMW@%&")


@lru_cache(maxsize=8192)
def char_em(ch: str) -> float:
    """Advance width of one character, in em."""
    code = ord(ch)
    if ch in ("\u200b", "\u200d", "\ufe0f", "\ufe0e") or unicodedata.combining(ch):
        return 0.0
    if code >= 0x1F000 or 0x2600 <= code <= 0x27BF:
        return 1.3  # emoji and pictographs: colour fonts run wide
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "“”‘’…—":
        return 1.0  # set in the East-Asian font in Chinese text: full width
    if ch == " ":
        return 0.32
    if ch in _NARROW:
        return 0.34
    if ch in _WIDE:
        return 0.95
    if ch.isdigit():
        return 0.64
    if ch.isupper():
        return 0.74
    if ch.isascii():
        return 0.6
    return 0.7


@lru_cache(maxsize=65536)
def text_em(text: str, bold: bool = False) -> float:
    """Width of `text` in em (bold Latin slightly wider; CJK width does not change), including the
    autospace between Han characters and Latin letters or digits."""
    total = 0.0
    previous = ""
    for ch in text:
        width = char_em(ch)
        total += width * BOLD_FACTOR if bold and width < 1.0 else width
        if previous:
            total += _gap(previous, ch)
        previous = ch
    return total


_han: Final = lru_cache(maxsize=8192)(is_han)
"""`speech.text.is_han`, remembered per character: it is asked twice for every character measured."""


def _gap(left: str, right: str) -> float:
    """Autospace in em between two adjacent characters."""
    if _han(left) == _han(right):
        return 0.0
    return AUTOSPACE if (left.isascii() and left.isalnum()) or (right.isascii() and right.isalnum()) else 0.0


@lru_cache(maxsize=8192)
def _units(text: str) -> tuple[str, ...]:
    """Unbreakable pieces of `text`: words, with punctuation glued on the side it must not leave."""
    units: list[str] = []
    for word in cut(text):
        glue = word[0] in NO_LINE_START or char_em(word[0]) == 0.0
        if units and (glue or units[-1][-1] in NO_LINE_END or units[-1][-1] == "\u200d"):
            units[-1] += word
        else:
            units.append(word)
    return tuple(units)


def _split_long(unit: str, width_em: float, bold: bool) -> list[str]:
    """Break a unit wider than a line by characters, still honouring 避头尾: a closing mark that
    would start a line takes the character before it along."""
    parts: list[str] = []
    current = ""
    for ch in unit:
        if current and text_em(current + ch, bold) > width_em:
            if ch not in NO_LINE_START:
                parts.append(current)
                current = ""
            elif len(current) > 1 and current[-1] not in NO_LINE_START:
                parts.append(current[:-1])
                current = current[-1]
        current += ch
    if current:
        parts.append(current)
    return parts


@lru_cache(maxsize=16384)
def wrap(text: str, width_em: float, bold: bool = False) -> tuple[str, ...]:
    """Lines of `text` for a line `width_em` em wide (greedy fill; spaces at breaks are dropped).

    Explicit newlines in `text` start new lines. Returns at least one line ("" for empty text).
    """
    lines: list[str] = []
    for chunk in text.split("\n"):
        lines.extend(_wrap_chunk(chunk, width_em, bold))
    return tuple(lines) or ("",)


def _wrap_chunk(text: str, width_em: float, bold: bool) -> list[str]:
    """Greedy fill, keeping the running width of the current line (em) instead of re-measuring it."""
    lines: list[str] = []
    current, used = "", 0.0
    for unit in _units(text):
        joined = used + (_gap(current[-1], unit[0]) if current else 0.0) + text_em(unit, bold)
        if joined - _trailing_space(unit, bold) <= width_em:
            current, used = current + unit, joined
            continue
        if current.strip():
            lines.append(current.rstrip())
        unit = unit.lstrip()
        if text_em(unit.rstrip(), bold) > width_em:
            *full, unit = _split_long(unit, width_em, bold)
            lines.extend(full)
        current, used = unit, text_em(unit, bold)
    if current.strip() or not lines:
        lines.append(current.strip())
    return lines


def _trailing_space(unit: str, bold: bool) -> float:
    stripped = unit.rstrip()
    return 0.0 if len(stripped) == len(unit) else text_em(unit, bold) - text_em(stripped, bold)


def wrap_balanced(text: str, width_em: float, bold: bool = False) -> tuple[str, ...]:
    """Like `wrap`, but with lines as even as possible (for titles): the narrowest width that
    keeps the same number of lines, found by bisection."""
    best = wrap(text, width_em, bold)
    if len(best) < 2:
        return best
    low, high = width_em / 2, width_em
    for _ in range(10):
        mid = (low + high) / 2
        lines = wrap(text, mid, bold)
        if len(lines) <= len(best):
            best, high = lines, mid
        else:
            low = mid
    return best


def shorten(text: str, width_em: float, bold: bool = False) -> str:
    """`text` cut at a word boundary to fit one line of `width_em` em, ending with "…"."""
    if text_em(text, bold) <= width_em:
        return text
    room = width_em - char_em(ELLIPSIS)
    kept = ""
    for unit in _units(text):
        if text_em(kept + unit, bold) > room:
            break
        kept += unit
    if not kept:  # a single enormous word: cut by characters
        for ch in text:
            if text_em(kept + ch, bold) > room:
                break
            kept += ch
    return kept.rstrip(" ，,、；;：:") + ELLIPSIS


def line_height(size: float, spacing: float) -> float:
    """Height of one line in pt at font `size` pt and line `spacing` (multiple of single)."""
    return size * LINE_HEIGHT * spacing
