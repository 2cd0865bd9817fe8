"""What will be said, before any synthesis: the spoken form every engine is given, line by line, with
the spots a speaker should confirm (numbers and dates, 文号, XX placeholders, Latin words and acronyms,
多音字 read from context, lexicon names), each with the lexicon line that would change it.

The spoken form is `normalize` with the lexicon (the same for every engine); the pinyin shown is
what Kokoro's grapheme-to-phoneme step reads (pypinyin over jieba's words, as `kokoro_g2p` does);
eSpeak applies its own Mandarin rules to the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

from deliver.model import Language, Speech
from deliver.voices.lexicon import Lexicon
from deliver.voices.narrate import utterances_of
from deliver.voices.normalize import Spoken, normalize

RiskKind = Literal["number", "date", "docno", "placeholder", "acronym", "latin", "polyphone", "lexicon"]
_PLACEHOLDER: Final = re.compile(r"[XxＸｘ×]{2,3}")
_DOCNO: Final = re.compile(r"[〔\[［【（(]\d{4}[〕\]］】）)]\s*第?\d+\s*号")
_DATE: Final = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}\s*[-–—~～至到]\s*\d{4}")
_LATIN: Final = re.compile(r"[A-Za-z][A-Za-z0-9&+.'-]*[A-Za-z0-9+]|[A-Za-z]")
_EN_NUMBER: Final = re.compile(r"[$£€]?\d+(?:[,.:]\d+)*(?:%|st|nd|rd|th)?")
_VOWELS: Final = re.compile(r"[AEIOUY]")
_NOTES: Final = {
    "number": "number: check it is read as meant",
    "date": "date or year: check it is read as meant",
    "docno": "文号: read as year and number",
    "placeholder": "placeholder for a name: put the name in the text, or it is read 某某",
    "acronym": "acronym (or Roman numeral): read as letters or as a word?",
    "latin": "Latin word inside Chinese text: read as English",
    "polyphone": "多音字: the reading comes from context; check it",
    "lexicon": "from your lexicon",
}


_HINT: Final = {
    "zh": "改读音：把 fix 一行加进读音词典（--lexicon），改好拼音后重新生成。",
    "en": "To change one: add its fix line to a lexicon (--lexicon), edit the reading, build again.",
}


@dataclass(frozen=True)
class Risk:
    """One spot in a line whose reading the speaker should confirm."""

    kind: RiskKind
    written: str
    """As the speech writes it."""
    said: str
    """What the engine is given for it."""
    reading: str | None
    """zh: the pinyin read (tone numbers); an acronym: "letters" or "word"; None when the said form says it all."""
    start: int
    """Character offset of `written` in the line's text."""
    fix: str
    """The lexicon line that would change how it is read (edit its reading)."""

    @property
    def note(self) -> str:
        return _NOTES[self.kind]


@dataclass(frozen=True)
class SaidLine:
    """One utterance: the salutation or one slide's text, as written and as it will be said."""

    section: int
    point: int | None
    """Index into `Speech.points`; None for the salutation."""
    text: str
    said: str
    risks: tuple[Risk, ...]


def what_is_said(speech: Speech, lexicon: Lexicon) -> tuple[SaidLine, ...]:
    """Every utterance of `speech` in its spoken form, with its risky spots. Pure; nothing is synthesized."""
    words = lexicon.words(speech.language)
    out = []
    for section, said in enumerate(utterances_of(speech)):
        for utterance in said:
            spoken = normalize(utterance.text, speech.language, words)
            risks = sorted(_risks(spoken, speech.language, words), key=lambda r: r.start)
            out.append(SaidLine(section, utterance.point, utterance.text, spoken.text, tuple(risks)))
    return tuple(out)


def _risks(spoken: Spoken, language: Language, words: Mapping[str, str]) -> Iterator[Risk]:
    taken: list[tuple[int, int]] = []
    for s0, s1, o0, o1 in spoken.edits:
        written, said = spoken.source[s0:s1], spoken.text[o0:o1]
        taken.append((s0, s1))
        kind = _kind_of_edit(written, spoken.source[s1 : s1 + 1], words)
        reading = _pinyin(said) if language == "zh" else None
        yield Risk(kind, written, said, reading, s0, _fix(language, written, reading or said))
    for match in _LATIN.finditer(spoken.source):
        if _inside(match.start(), taken) or (language == "en" and not _is_acronym(match.group())):
            continue
        yield _latin(match.group(), match.start(), language)
    if language == "zh":
        yield from _polyphones(spoken.source, taken)
        return
    for match in _EN_NUMBER.finditer(spoken.source):  # English engines read digits themselves: listed as given
        if not _inside(match.start(), taken):
            year = re.fullmatch(r"(?:1[89]|20)\d{2}", match.group())
            yield Risk(
                "date" if year else "number",
                match.group(),
                match.group(),
                None,
                match.start(),
                _fix("en", match.group(), None),
            )


def _kind_of_edit(written: str, after: str, words: Mapping[str, str]) -> RiskKind:
    if written in words:
        return "lexicon"
    if _PLACEHOLDER.fullmatch(written):
        return "placeholder"
    if _DOCNO.fullmatch(written):
        return "docno"
    if _DATE.search(written) or (after == "年" and re.fullmatch(r"\d{4}", written)):
        return "date"
    return "number"


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= at < b for a, b in spans)


def _is_acronym(word: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word)
    return len(letters) >= 2 and letters.isupper()


def _latin(word: str, at: int, language: Language) -> Risk:
    if _is_acronym(word):
        letters = len(word) <= 3 or not _VOWELS.search(word)
        reading = "letters" if letters else "letters or word"
        return Risk("acronym", word, word, reading, at, _fix(language, word, None))
    return Risk("latin", word, word, "English", at, _fix(language, word, None))


def _fix(language: Language, written: str, reading: str | None) -> str:
    """The lexicon line (TOML) that says how `written` is read; `reading` is today's, to be edited."""
    if language == "zh":
        return f'[zh] "{written}" = "{reading or "pin1 yin1 of how to say it"}"'
    return f'[en] "{written}" = "{reading or "how to say it, respelled"}"'


def _pinyin(text: str) -> str | None:
    """Toned pinyin of the Chinese in `text` as Kokoro reads it; None when it has none."""
    from deliver.speech.text import is_han
    from deliver.speech.words import cut
    from deliver.voices.kokoro_g2p import _readings

    if not any(is_han(ch) for ch in text):
        return None
    return " ".join(r for word in cut(text) if any(is_han(ch) for ch in word) for r in _readings(word) if r)


def _polyphones(text: str, taken: list[tuple[int, int]]) -> Iterator[Risk]:
    """Words holding a 多音字 whose reading is a guess or context's choice: the word is not in pypinyin's
    phrase list (each character gets its commonest reading), or it gives a 多音字 its rarer reading."""
    from pypinyin.phrases_dict import phrases_dict

    from deliver.speech.words import cut
    from deliver.voices.kokoro_g2p import _readings

    common = _polyphonic()
    at = 0
    for word in cut(text):
        start, at = at, at + len(word)
        chars = [i for i, ch in enumerate(word) if ch in common]
        if len(word) < 2 or not chars or _inside(start, taken):
            continue
        readings = _readings(word)
        rarer = any(readings[i].rstrip("012345") != common[word[i]] for i in chars if i < len(readings))
        if word not in phrases_dict or rarer:
            reading = " ".join(readings)
            yield Risk("polyphone", word, word, reading, start, _fix("zh", word, reading))


_RARER_SHARE: Final = 0.05
"""A character is a 多音字 here when its second reading carries at least this share of its use."""


@lru_cache(maxsize=1)
def _polyphonic() -> dict[str, str]:
    """多音字 in common use → their commonest syllable (toneless): each character's readings in
    pypinyin's phrase list, weighted by how often jieba's dictionary sees each phrase (≈ 60 characters:
    行 长 重 了 调 觉 着 乐 …). Rare readings of common characters (全, 会 …) do not count."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.phrases_dict import phrases_dict

    from deliver.speech.words import _load

    frequency = _load().FREQ
    toneless: dict[str, str] = {}
    weights: dict[str, dict[str, int]] = {}
    for phrase, readings in phrases_dict.items():
        count = frequency.get(phrase, 0)
        if not count or len(readings) != len(phrase):
            continue
        for char, (reading, *_) in zip(phrase, readings, strict=True):
            syllable = toneless.get(reading) or toneless.setdefault(reading, to_normal(reading))
            share = weights.setdefault(char, {})
            share[syllable] = share.get(syllable, 0) + count
    out = {}
    for char, share in weights.items():
        ranked = sorted(share.items(), key=lambda kv: -kv[1])
        total = sum(share.values())
        if len(ranked) > 1 and total > 1000 and ranked[1][1] >= _RARER_SHARE * total:
            out[char] = ranked[0][0]
    return out


def said_to_dict(lines: tuple[SaidLine, ...]) -> list[dict[str, Any]]:
    """The `deliver said --json` shape: per line section, point, text, said and risks."""
    return [
        {
            "section": line.section,
            "point": line.point,
            "text": line.text,
            "said": line.said,
            "risks": [
                {"kind": r.kind, "written": r.written, "said": r.said, "reading": r.reading, "start": r.start,
                 "note": r.note, "fix": r.fix}
                for r in line.risks
            ],
        }
        for line in lines
    ]  # fmt: skip


def risky_markdown(lines: tuple[SaidLine, ...], language: Language) -> str:
    """The risky spots as a Markdown section (for timing.md); empty when there are none."""
    risks = [(line, r) for line in lines for r in line.risks]
    if not risks:
        return ""
    head = "## 读音待确认" if language == "zh" else "## How these will be read: check them"
    hint = _HINT[language]
    rows = ["| slide | kind | written | said | reading | fix |", "|---|---|---|---|---|---|"]
    for line, r in risks:
        slide = "—" if line.point is None else str(line.point + 1)
        cells = [slide, r.kind, r.written, r.said, r.reading or "", f"`{r.fix}`"]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join([head, "", hint, "", *rows]) + "\n"
