"""What the voice says for what the speech writes: numbers, dates, times, percentages, 文号 …

Every engine gets the same spoken form, so 2026年 is 二零二六年 on eSpeak as on Kokoro, and a
change to these rules re-synthesizes (the spoken text is part of the cache key). Slides, notes
and subtitles keep the speech's own text: `Spoken.to_source` maps every offset of the spoken
text back onto it, so cues land on the characters the speaker wrote.

Chinese rules are a table of recognisers tried in order at each position (the first that
matches wins); English is left to the engines, which read digits well, except for ranges.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from deliver.model import Language
from deliver.speech import DIGITS, cardinal, digitwise

_LIANG_BEFORE: Final = "个位名次项条件种家所天本台部批辆座年倍只张层道门岁周"
"""Measure words after which 2 is read 两 (2个 → 两个, but 2月 stays 二月)."""
_UNITS: Final = {"℃": "摄氏度", "km": "公里", "kg": "千克", "㎡": "平方米", "m²": "平方米", "‰": "", "%": ""}
_CURRENCY: Final = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}
_DASH: Final = r"\s*[-–—~～至到]\s*"
_NUM: Final = r"\d+(?:,\d{3})*(?:\.\d+)?"


@dataclass(frozen=True)
class Spoken:
    """Text as it is to be said, with the way back to the source text."""

    text: str
    """What the engine is given."""
    source: str
    """What the speech says."""
    edits: tuple[tuple[int, int, int, int], ...] = ()
    """Replaced stretches: (source start, source end, spoken start, spoken end), in order."""

    def to_source(self, offset: int) -> int:
        """The source offset that spoken `offset` stands for (inside a replacement: proportionally)."""
        starts = [e[2] for e in self.edits]
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return min(offset, len(self.source))
        s0, s1, o0, o1 = self.edits[i]
        if offset >= o1:
            return min(s1 + offset - o1, len(self.source))
        return s0 + round((offset - o0) * (s1 - s0) / max(1, o1 - o0))


# ---------------------------------------------------------------- numbers read in Chinese


def number(text: str) -> str:
    """ "1,234.50" → 一千二百三十四点五零; a leading zero or more than 16 digits: digit by digit."""
    whole, _, fraction = text.replace(",", "").partition(".")
    spoken = digitwise(whole) if (len(whole) > 1 and whole.startswith("0")) or len(whole) > 16 else cardinal(int(whole))
    return spoken + ("点" + digitwise(fraction) if fraction else "")


def _money(amount: str) -> str:
    """12.35 → 十二元三角五分; 3.50 → 三元五角."""
    whole, _, fraction = amount.replace(",", "").partition(".")
    fraction = (fraction + "00")[:2]
    out = cardinal(int(whole)) + "元"
    jiao, fen = int(fraction[0]), int(fraction[1])
    if jiao:
        out += DIGITS[jiao] + "角"
    if fen:
        out += ("零" if not jiao else "") + DIGITS[fen] + "分"
    return out


def _clock(hours: str, minutes: str, seconds: str | None) -> str:
    out = cardinal(int(hours)) + "点"
    if int(minutes) or seconds:
        out += ("零" if minutes.startswith("0") and int(minutes) else "") + cardinal(int(minutes)) + "分"
    if seconds and int(seconds):
        out += cardinal(int(seconds)) + "秒"
    return out


def _date(year: str, month: str, day: str) -> str:
    return f"{digitwise(year)}年{cardinal(int(month))}月{cardinal(int(day))}日"


# ---------------------------------------------------------------- the Chinese rule table

Say = Callable[[re.Match[str]], str]
Rule = tuple[re.Pattern[str], Say]

_ZH_RULES: Final[tuple[tuple[str, Say], ...]] = (
    # placeholders for names left blank in a draft: XX同志, ××书记 (eSpeak would read XX as a Roman numeral)
    (r"(?<![A-Za-z])(?:[XxＸｘ×]{2,3})(?![A-Za-z])", lambda m: "某某"),
    # 文号 〔2024〕3号, [2024]12号, （2023）5号
    (r"[〔\[［【（(](?P<y>\d{4})[〕\]］】）)]\s*第?(?P<n>\d+)\s*号",
     lambda m: f"{digitwise(m['y'])}年{cardinal(int(m['n']))}号"),
    # ISO and slashed dates 2026-03-12, 2026/3/12, 2026.3.12
    (r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>0?[1-9]|1[0-2])(?P=s)(?P<d>0?[1-9]|[12]\d|3[01])(?!\d)",
     lambda m: _date(m["y"], m["m"], m["d"])),
    # year ranges 2025—2027年, 2025-2027
    (r"(?P<a>(?:19|20)\d{2})" + _DASH + r"(?P<b>(?:19|20)\d{2})(?P<nian>年)?",
     lambda m: f"{digitwise(m['a'])}{'年' if m['nian'] else ''}至{digitwise(m['b'])}{m['nian'] or ''}"),
    # clock times 8:30, 14:05:09
    (r"(?<!\d)(?P<h>[01]?\d|2[0-3])[:：](?P<m>[0-5]\d)(?:[:：](?P<s>[0-5]\d))?(?!\d)",
     lambda m: _clock(m["h"], m["m"], m["s"])),
    # phone numbers: mobiles 13812345678, 138-1234-5678; landlines 010-12345678, 0755-1234567
    (r"(?<!\d)(?:1[3-9]\d(?:[- ]?\d{4}){2}|0\d{2,3}-\d{7,8})(?!\d)",
     lambda m: digitwise(m[0], one="幺")),
    # money ¥1,200.50  $30
    (r"(?P<c>[¥￥$€£])\s*(?P<n>" + _NUM + r")",
     lambda m: _money(m["n"]) if m["c"] in "¥￥" else number(m["n"]) + _CURRENCY[m["c"]]),
    # percentage ranges 3%-5%, 3-5%
    (r"(?P<a>" + _NUM + r")%?" + _DASH + r"(?P<b>" + _NUM + r")\s*(?P<u>[%‰])",
     lambda m: f"{_per(m['u'])}{number(m['a'])}至{_per(m['u'])}{number(m['b'])}"),
    # percentages and per mille, with an optional sign: 5.2%, -3%, +0.5‰
    (r"(?P<sign>[-+−])?(?P<n>" + _NUM + r")\s*(?P<u>[%‰])",
     lambda m: ("负" if m["sign"] in ("-", "−") else "") + _per(m["u"]) + number(m["n"])),
    # fractions 1/3
    (r"(?<![\d/])(?P<a>\d{1,3})/(?P<b>\d{1,3})(?![\d/])", lambda m: f"{cardinal(int(m['b']))}分之{cardinal(int(m['a']))}"),
    # years 1949年, 2026年度, 1990年代 (5000年 is a number of years: read as a number below)
    (r"(?<!\d)(?P<y>(?:1\d|20|21)\d{2})(?=\s*年)", lambda m: digitwise(m["y"])),
    # ranges between numbers 3-5, 10～20
    (r"(?P<a>" + _NUM + r")" + r"\s*[-–—~～]\s*" + r"(?P<b>" + _NUM + r")", lambda m: f"{number(m['a'])}至{number(m['b'])}"),
    # temperatures and units after a number: -3℃, 5km
    (r"(?P<sign>[-−])?(?P<n>" + _NUM + r")\s*(?P<u>℃|km|kg|㎡|m²)(?![A-Za-z])",
     lambda m: ("零下" if m["sign"] and m["u"] == "℃" else "") + number(m["n"]) + _UNITS[m["u"]]),
    # 2 before a measure word: 两
    (r"(?<![\d.])2(?=\s*[" + _LIANG_BEFORE + r"])", lambda m: "两"),
    # any other number, with thousands separators and decimals
    (_NUM, lambda m: number(m[0])),
)  # fmt: skip


def _per(unit: str) -> str:
    return "千分之" if unit == "‰" else "百分之"


_ZH_COMPILED: Final = tuple((re.compile(pattern), say) for pattern, say in _ZH_RULES)
_ZH_STARTS: Final = r"[\d〔\[［【（(¥￥$€£+\-−XxＸｘ×]"
"""Where a Chinese rule can begin: the scan only tries the rules there."""
_EN_COMPILED: Final = ((re.compile(r"(?P<a>\d)\s*[–—]\s*(?=\d)"), lambda m: m["a"] + " to "),)
_EN_STARTS: Final = r"\d"


def normalize(text: str, language: Language, words: Mapping[str, str] | None = None) -> Spoken:
    """`text` as it should be said (see the module docstring), with offsets back to `text`.
    `words` (a lexicon: word → what to say) wins over every rule; English words match whole."""
    lexicon = _lexicon(tuple(sorted(words.items())), language) if words else None
    if language == "zh":
        rules, starts = _ZH_COMPILED, _ZH_STARTS
    else:
        rules, starts = _EN_COMPILED, _EN_STARTS
    candidates = re.compile(f"{lexicon[0].pattern}|{starts}" if lexicon else starts)
    return _apply(text, _scan(text, candidates, lexicon, rules))


@lru_cache(maxsize=8)
def _lexicon(words: tuple[tuple[str, str], ...], language: Language) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every lexicon word, longest first (English words only where a word starts and ends)."""
    ordered = sorted((w for w, _ in words), key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in ordered)
    pattern = rf"(?<![\w'])(?:{alternatives})(?![\w'])" if language == "en" else f"(?:{alternatives})"
    return re.compile(pattern), dict(words)


def _scan(
    text: str,
    candidates: re.Pattern[str],
    lexicon: tuple[re.Pattern[str], dict[str, str]] | None,
    rules: tuple[Rule, ...],
) -> list[tuple[int, int, str]]:
    """Replacements, left to right: at each candidate position a lexicon word, else the first rule matching there."""
    out: list[tuple[int, int, str]] = []
    at = 0
    while (found := candidates.search(text, at)) is not None:
        position = found.start()
        word = lexicon[0].match(text, position) if lexicon else None
        if word and lexicon:
            out.append((position, word.end(), lexicon[1][word[0]]))
            at = word.end()
            continue
        for pattern, say in rules:
            match = pattern.match(text, position)
            if match and match.end() > position:
                out.append((position, match.end(), say(match)))
                at = match.end()
                break
        else:
            at = position + 1
    return out


def _apply(text: str, replacements: list[tuple[int, int, str]]) -> Spoken:
    parts, edits, at, out_len = [], [], 0, 0
    for start, end, said in replacements:
        parts.append(text[at:start])
        out_len += start - at
        edits.append((start, end, out_len, out_len + len(said)))
        parts.append(said)
        out_len += len(said)
        at = end
    parts.append(text[at:])
    return Spoken("".join(parts), text, tuple(edits))
