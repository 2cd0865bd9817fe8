"""Numbering conventions: markers that open sections and sub-points, and enumerations inside a paragraph.

A table of small recognisers, ranked from outer to inner the way Chinese documents nest them
(第一部分 > 一、 > 第一， > （一） > 1. > （1） > ①) plus the English ones. Which family is the top
level of a given speech is decided by `structure.py` from what actually occurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "[一二三四五六七八九十]{1,3}"
_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}
_EN_ORDINALS = {
    "first": 1, "firstly": 1, "second": 2, "secondly": 2, "third": 3, "thirdly": 3, "fourth": 4,
    "fourthly": 4, "fifth": 5, "fifthly": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_ZH_SEQUENCE = {"首先": 1, "其次": 2, "再次": 3, "再者": 3, "第三": 3, "最后": 99}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (up to 99)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


@dataclass(frozen=True)
class Marker:
    """A numbering marker at the start of a paragraph."""

    family: str
    """Convention name, e.g. "cn_dun" for 一、 or "h2" for a level-2 heading."""
    ordinal: int
    """Its number (1-based; 99 for a closing "最后/Finally")."""
    end: int
    """Index in the paragraph where the marker ends and its content begins."""


# (family, pattern, ordinal-from-match). Order = rank, outermost first.
_BLOCK_RECOGNISERS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("part", re.compile(rf"^第({_CN_NUM})部分[\s、，,：:.．]*"), "cn"),
    ("cn_dun", re.compile(rf"^({_CN_NUM})\s*[、.．]\s*"), "cn"),
    ("di", re.compile(rf"^第({_CN_NUM})\s*[，,、：:.．]\s*"), "cn"),
    ("roman", re.compile(r"^(X{0,1}(?:IX|IV|V?I{0,3}))[.、．)]\s+(?=\S)"), "roman"),
    ("cn_paren", re.compile(rf"^[（(]({_CN_NUM})[）)]\s*[、，,]?\s*"), "cn"),
    ("arabic", re.compile(r"^(\d{1,3})\s*[.、．](?!\d)\s*"), "int"),
    ("en_ordinal", re.compile(r"^(First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Sixth|Seventh|Eighth|Ninth|Tenth)\s*[,:]\s*", re.IGNORECASE), "en"),
    ("zh_seq", re.compile(r"^(首先|其次|再次|再者|最后)\s*[，,：:]\s*"), "zhseq"),
    ("arabic_paren", re.compile(r"^[（(](\d{1,3})[）)]\s*"), "int"),
    ("circled", re.compile(rf"^([{_CIRCLED}])\s*"), "circled"),
)  # fmt: skip
FAMILY_RANK = {name: rank for rank, (name, _, _) in enumerate(_BLOCK_RECOGNISERS)}


def _ordinal(kind: str, token: str) -> int:
    if kind == "cn":
        return cn_number(token)
    if kind == "int":
        return int(token)
    if kind == "roman":
        return _ROMAN.get(token, 0)
    if kind == "en":
        return _EN_ORDINALS.get(token.lower(), 0)
    if kind == "zhseq":
        return _ZH_SEQUENCE[token]
    return _CIRCLED.index(token) + 1


def block_marker(text: str) -> Marker | None:
    """The numbering marker that opens `text`, if any."""
    for family, pattern, kind in _BLOCK_RECOGNISERS:
        match = pattern.match(text)
        if match and match.group(1) and match.end() < len(text):
            ordinal = _ordinal(kind, match.group(1))
            if ordinal:
                return Marker(family, ordinal, match.end())
    return None


def is_sequence(ordinals: list[int]) -> bool:
    """True when numbering starts at 1 and each next number follows (a closing 99 = 最后/Finally allowed)."""
    if len(ordinals) < 2 or ordinals[0] != 1:
        return False
    return all(
        b == a + 1 or (b == 99 and i == len(ordinals) - 2) for i, (a, b) in enumerate(zip(ordinals, ordinals[1:]))
    )


# ---- enumerations inside a paragraph: 一是…二是…, 一要…二要…, 首先…其次…, （1）…（2）…, ①…② ----

_BOUNDARY = r"(?:^|(?<=[，,。；;：:、！？!?\s]))"
_INLINE = (
    re.compile(rf"{_BOUNDARY}([一二三四五六七八九十])(是|要|则|抓|靠|看|在于|方面)"),
    re.compile(rf"{_BOUNDARY}第([一二三四五六七八九十])(?=[，,、：:])"),
    re.compile(rf"{_BOUNDARY}其([一二三四五六七八九十])(?=[，,、：:])"),
    re.compile(rf"{_BOUNDARY}(首先|其次|再次|最后)(?=[，,、：:])"),
    re.compile(rf"{_BOUNDARY}[（(]([1-9])[）)]"),
    re.compile(rf"([{_CIRCLED[:10]}])"),
    re.compile(rf"{_BOUNDARY}(First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Finally)(?=,)"),
)  # fmt: skip


@dataclass(frozen=True)
class Enumeration:
    """A numbered run inside a paragraph: where each item starts and where its marker ends."""

    starts: tuple[int, ...]
    """Index of each item's marker."""
    bodies: tuple[int, ...]
    """Index where each item's content begins (after the marker)."""


def _inline_ordinal(token: str) -> int:
    if token in _ZH_SEQUENCE:
        return _ZH_SEQUENCE[token]
    if token.lower() in _EN_ORDINALS or token == "Finally":
        return _EN_ORDINALS.get(token.lower(), 99)
    if token in _CIRCLED:
        return _CIRCLED.index(token) + 1
    return int(token) if token.isdigit() else cn_number(token)


def _runs(hits: list[tuple[int, int, int]]) -> list[Enumeration]:
    """Maximal runs 1, 2, 3 … (optionally closed by 最后/Finally) among (ordinal, start, body) hits."""
    found: list[Enumeration] = []
    i = 0
    while i < len(hits):
        if hits[i][0] != 1:
            i += 1
            continue
        run = [hits[i]]
        for hit in hits[i + 1 :]:
            if hit[0] == run[-1][0] + 1 or (hit[0] == 99 and len(run) >= 2):
                run.append(hit)
                if hit[0] == 99:
                    break
            elif hit[0] == 1:
                break
        if len(run) >= 2:
            found.append(Enumeration(tuple(h[1] for h in run), tuple(h[2] for h in run)))
            i = hits.index(run[-1]) + 1
        else:
            i += 1
    return found


def inline_enumerations(text: str) -> list[Enumeration]:
    """Non-overlapping numbered runs inside `text`, in order of position."""
    candidates: list[Enumeration] = []
    for pattern in _INLINE:
        by_suffix: dict[str, list[tuple[int, int, int]]] = {}
        for match in pattern.finditer(text):
            suffix = match.group(2) if pattern.groups >= 2 else ""
            by_suffix.setdefault(suffix, []).append((_inline_ordinal(match.group(1)), match.start(), match.end()))
        for hits in by_suffix.values():
            candidates.extend(_runs(hits))
    chosen: list[Enumeration] = []
    for enum in sorted(candidates, key=lambda e: (e.starts[0], -len(e.starts))):
        if all(enum.starts[0] > c.starts[-1] or enum.starts[-1] < c.starts[0] for c in chosen):
            chosen.append(enum)
    return sorted(chosen, key=lambda e: e.starts[0])
