"""Numbering conventions: markers that open sections and sub-points, and enumerations inside a paragraph.

A table of small recognisers, one per convention (一、, （一）, 第一，, 第一点, 第一部分, 一是 at a paragraph's
start, 首先/其次/最后, I./II., 1., First,/Finally, "A second place…"). Which family is the top level of a
given speech is decided by `families.py` from where the markers actually occur.
"""

from __future__ import annotations

import re
import unicodedata
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
_FORMAL_DIGITS = {
    "壹": 1,
    "贰": 2,
    "貳": 2,
    "叁": 3,
    "參": 3,
    "叄": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "陸": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
    "拾": 10,
}
"""壹、貳、參 … (the top level of many Traditional-Chinese official documents, above 一、)."""
_CN_NUM = "[一二三四五六七八九十]{1,3}"
_EN_ORDINALS = {
    "first": 1, "firstly": 1, "second": 2, "secondly": 2, "third": 3, "thirdly": 3, "fourth": 4,
    "fourthly": 4, "fifth": 5, "fifthly": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "finally": 99, "lastly": 99, "first of all": 1, "last but not least": 99, "last of all": 99,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ZH_SEQUENCE = {"首先": 1, "其次": 2, "再次": 3, "再者": 3, "第三": 3, "最后": 99, "最後": 99}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CLOSING_ORDINAL = 99
"""Ordinal of a closing item (最后 / Finally): it may end any run."""


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (up to 99)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def roman_number(text: str) -> int:
    """I → 1, XIV → 14, XXIX → 29 (0 when not a Roman numeral)."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


@dataclass(frozen=True)
class Marker:
    """A numbering marker at the start of a paragraph."""

    family: str
    """Convention name, e.g. "cn_dun" for 一、, "yi_是" for 一是, "h2" for a level-2 heading."""
    ordinal: int
    """Its number (1-based; 99 for a closing "最后/Finally")."""
    end: int
    """Index in the paragraph where the marker ends and its content begins (= len when the line is only a marker)."""


_EN_NUM = r"One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|[IVX]{1,5}|\d{1,2}"
_ZH_UNITS = "点|點|个方面|個方面|方面|个问题|個問題|条|條|项|項|件事"
_EN_WORDS = (
    r"First of all|Last but not least|Last of all|First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?"
    r"|Sixth|Seventh|Eighth|Ninth|Tenth|Finally|Lastly"
)

# (family, pattern, ordinal kind). The order is the conventional nesting of Chinese documents
# (第一部分 > 一、 > 第一， > （一） > 1. > （1） > ①) plus the English ones; it only breaks ties:
# which family is the top level of a speech is decided by `families.py` from where they occur.
_BLOCK_RECOGNISERS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("formal", re.compile(rf"^([{''.join(_FORMAL_DIGITS)}])\s*[、.．]\s*"), "formal"),
    ("part", re.compile(rf"^第({_CN_NUM})(?:部分|篇|章)[\s、，,：:.．]*"), "cn"),
    ("en_part", re.compile(rf"^(?:Part|PART|Chapter|CHAPTER)\s+({_EN_NUM})\b[.:,—–-]?\s*", re.IGNORECASE), "part"),
    ("cn_dun", re.compile(rf"^({_CN_NUM})\s*[、.．]\s*"), "cn"),
    ("di_dian", re.compile(rf"^第({_CN_NUM})(?:{_ZH_UNITS})\s*[，,、：:.．]?\s*"), "cn"),
    ("qi", re.compile(rf"^其({_CN_NUM})\s*[，,、：:.．]\s*"), "cn"),
    ("di", re.compile(rf"^第({_CN_NUM})\s*[，,、：:.．]\s*"), "cn"),
    ("roman", re.compile(r"^([IVX]{1,6})\s*[.、．)]\s*(?=\S)"), "roman"),
    ("cn_paren", re.compile(rf"^[（(]({_CN_NUM})[）)]\s*[、，,]?\s*"), "cn"),
    ("arabic", re.compile(r"^([0-9０-９]{1,3})\s*[.、．](?![0-9０-９])\s*"), "int"),
    ("arabic_close", re.compile(r"^([0-9０-９]{1,3})[)）]\s*"), "int"),
    ("en_ordinal", re.compile(rf"^({_EN_WORDS})\s*[,:]\s*", re.IGNORECASE), "en"),
    ("zh_seq", re.compile(r"^(首先|其次|再次|再者|最后|最後)\s*[，,：:]\s*"), "zhseq"),
    ("yi", re.compile(rf"^({_CN_NUM})(是|要|则|則|抓|靠|在于|在於|方面)(?![一二三四五六七八九十])[，,：:]?\s*"), "cn"),
    ("arabic_paren", re.compile(r"^[（(]([0-9０-９]{1,3})[）)]\s*"), "int"),
    ("circled", re.compile(rf"^([{_CIRCLED}])\s*"), "circled"),
)  # fmt: skip
NESTING = {name: rank for rank, (name, _, _) in enumerate(_BLOCK_RECOGNISERS)}
"""Conventional depth of each family (outermost first): a tie-breaker, never the decision."""

# "A second place where we begin…", "The third thing we must do…": the noun names the family.
_TOPIC_ORDINAL = re.compile(
    r"^(?:A|The|Our|My)\s+(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|final|last)\s+([a-z]+)\b"
)


def _ordinal(kind: str, token: str) -> int:
    if kind == "cn":
        return cn_number(token)
    if kind == "int":
        return int(unicodedata.normalize("NFKC", token))
    if kind == "roman":
        return roman_number(token) if _is_roman(token) else 0
    if kind == "en":
        return _EN_ORDINALS.get(token.lower(), 0)
    if kind == "zhseq":
        return _ZH_SEQUENCE[token]
    if kind == "formal":
        return _FORMAL_DIGITS[token]
    if kind == "part":
        return _part_number(token)
    return _CIRCLED.index(token) + 1


def _part_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if _is_roman(token.upper()):
        return roman_number(token.upper())
    return _EN_ORDINALS.get(token.lower(), 0)


def _is_roman(token: str) -> bool:
    return bool(re.fullmatch(r"X{0,3}(?:IX|IV|V?I{0,3})", token)) and token != ""


def block_marker(text: str) -> Marker | None:
    """The numbering marker that opens `text`, if any (a line holding only 一是 is a marker too)."""
    for family, pattern, kind in _BLOCK_RECOGNISERS:
        match = pattern.match(text)
        if not match or not match.group(1):
            continue
        ordinal = _ordinal(kind, match.group(1))
        only_marker = match.end() >= len(text.rstrip())
        if ordinal and (not only_marker or family == "yi"):
            name = f"yi_{match.group(2)}" if family == "yi" else family
            return Marker(name, ordinal, min(match.end(), len(text)))
    topic = _TOPIC_ORDINAL.match(text)
    if topic:
        word = topic.group(1).lower()
        ordinal = CLOSING_ORDINAL if word in ("final", "last") else _EN_ORDINALS[word]
        return Marker(f"topic_{topic.group(2)}", ordinal, 0)
    return None


def runs_of(ordinals: list[int]) -> list[list[int]]:
    """Positions of `ordinals` grouped into numbered runs, nested runs apart from the one they sit in.

    A 1 opens a run inside the open one; a number continues the innermost open run it follows
    (closing the runs inside it); 最后/Finally closes the outermost run of two or more; anything
    else is a stray and gets a run of its own. Runs come out in order of their first position.
    """
    done: list[list[int]] = []
    open_runs: list[list[int]] = []
    for pos, ordinal in enumerate(ordinals):
        if ordinal == CLOSING_ORDINAL:
            target = next((r for r in open_runs if len(r) >= 2), None)
            if target is not None:
                while open_runs[-1] is not target:
                    done.append(open_runs.pop())
                target.append(pos)
                done.append(open_runs.pop())
                continue
        for depth in range(len(open_runs) - 1, -1, -1):
            if ordinals[open_runs[depth][-1]] + 1 == ordinal:
                while len(open_runs) > depth + 1:
                    done.append(open_runs.pop())
                open_runs[depth].append(pos)
                break
        else:
            open_runs.append([pos])
    done.extend(open_runs)
    return sorted(done, key=lambda run: run[0])


# ---- enumerations inside a paragraph: 一是…二是…, 一要…二要…, 首先…其次…, （1）…（2）…, ①…② ----

_BOUNDARY = r"(?:^|(?<=[，,。；;：:、！？!?\s]))"
_INLINE = (
    re.compile(rf"{_BOUNDARY}([一二三四五六七八九十])(是|要|则|則|抓|靠|看|在于|在於|方面)"),
    re.compile(rf"{_BOUNDARY}第([一二三四五六七八九十])(?=[，,、：:])"),
    re.compile(rf"{_BOUNDARY}其([一二三四五六七八九十])(?=[，,、：:])"),
    re.compile(rf"{_BOUNDARY}(首先|其次|再次|最后|最後)(?=[，,、：:])"),
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
