"""Text → Kokoro's phoneme tokens, keeping which characters each token stands for.

Kokoro speaks phonemes, not text. Its own Chinese front end (misaki's legacy path, which v1.0 was
trained on) segments with jieba, reads each word with pypinyin and turns pinyin into IPA with
tone arrows; we rebuild exactly that string, one segment per character, so every token's time
maps back onto the speech. Latin words — which misaki would pass through as garbage — and English
text go through eSpeak NG and misaki's espeak-to-Kokoro mapping, one segment per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from deliver.model import Language
from deliver.speech.text import is_han

VOCAB: Final = {
    ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, '"': 11, "(": 12, ")": 13, "“": 14, "”": 15,
    " ": 16, "\u0303": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21, "ᵝ": 22, "ꭧ": 23, "A": 24, "I": 25, "O": 31,
    "Q": 33, "S": 35, "T": 36, "W": 39, "Y": 41, "ᵊ": 42, "a": 43, "b": 44, "c": 45, "d": 46, "e": 47, "f": 48,
    "h": 50, "i": 51, "j": 52, "k": 53, "l": 54, "m": 55, "n": 56, "o": 57, "p": 58, "q": 59, "r": 60, "s": 61,
    "t": 62, "u": 63, "v": 64, "w": 65, "x": 66, "y": 67, "z": 68, "ɑ": 69, "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75,
    "ɔ": 76, "ɕ": 77, "ç": 78, "ɖ": 80, "ð": 81, "ʤ": 82, "ə": 83, "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90, "ɡ": 92,
    "ɥ": 99, "ɨ": 101, "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111, "ŋ": 112, "ɳ": 113, "ɲ": 114, "ɴ": 115, "ø": 116,
    "ɸ": 118, "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125, "ɻ": 126, "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132,
    "ʧ": 133, "ʊ": 135, "ʋ": 136, "ʌ": 138, "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148, "ˈ": 156,
    "ˌ": 157, "ː": 158, "ʰ": 162, "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173, "ᵻ": 177,
}  # fmt: skip
"""Kokoro v1.0's tokenizer (its config.json "vocab"): one symbol, one id; 0 is the pad at both ends."""
SPACE: Final = VOCAB[" "]
_TONES: Final = (("˧˩˧", "↓"), ("˧˥", "↗"), ("˥˩", "↘"), ("˥", "→"), ("ɻ̩", "ɨ"), ("ɹ̩", "ɨ"))
"""Chao tone letters → Kokoro's arrows (3rd, 2nd, 4th, 1st), and the apical vowels as ɨ (as misaki does)."""
_ESPEAK_TO_KOKORO: Final = sorted({
    "ʔˌn̩": "ʔn", "ʔn̩": "ʔn", "a^ɪ": "I", "a^ʊ": "W", "d^ʒ": "ʤ", "e^ɪ": "A", "e": "A", "t^ʃ": "ʧ", "ɔ^ɪ": "Y",
    "ə^l": "ᵊl", "ʲo": "jo", "ʲə": "jə", "ʲ": "", "ɚ": "əɹ", "r": "ɹ", "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l", "\u0303": "",
}.items(), key=lambda pair: -len(pair[0]))  # fmt: skip
"""misaki's mapping from eSpeak's IPA to the symbols Kokoro's English voices were trained on."""
_PUNCTUATION: Final = {
    "，": ",", "、": ",", "。": ".", "．": ".", "！": "!", "：": ":", "；": ";", "？": "?", "…": "…", "—": "—",
    "《": "“", "》": "”", "「": "“", "」": "”", "『": "“", "』": "”", "【": "“", "】": "”", "（": "(", "）": ")",
    "“": "“", "”": "”", '"': '"', ",": ",", ".": ".", "!": "!", "?": "?", ";": ";", ":": ":", "(": "(", ")": ")",
}  # fmt: skip
_OPENING: Final = frozenset("“(《「『【（")
CLAUSE_ENDS: Final = frozenset(",.!?;:…—")
"""Phonemes after which a long run may be cut (a pause is heard there anyway)."""
_ZH_PIECES: Final = re.compile(
    r"(?P<han>[\u3400-\u9fff〇]+)|(?P<latin>[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*%?(?:\s+[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*%?)*)|(?P<other>\S)"
)
_EN_PIECES: Final = re.compile(r"(?P<word>[A-Za-z0-9]+(?:['’.,\-][A-Za-z0-9]+)*%?)|(?P<other>\S)")


@dataclass(frozen=True)
class Segment:
    """Phonemes standing for one stretch of the text."""

    start: int
    """Character offset in the text."""
    end: int
    phonemes: str
    """Only symbols in VOCAB."""
    joined: bool = False
    """Follows the previous segment without a space (a character inside a word, closing punctuation)."""

    @property
    def spoken(self) -> bool:
        """Not punctuation: a word or character that is heard."""
        return any(p not in CLAUSE_ENDS and p not in '“”"()' for p in self.phonemes)

    def tokens(self, first: bool) -> int:
        return len(self.phonemes) + (0 if first or self.joined else 1)


def segments(text: str, language: Language) -> list[Segment]:
    """Phoneme segments of `text` in order (punctuation kept as Kokoro symbols, the rest dropped)."""
    return _chinese(text) if language == "zh" else _english(text, 0)


def token_ids(run: list[Segment]) -> list[int]:
    """The ids of a run of segments (pads excluded), spaces between words."""
    ids: list[int] = []
    for segment in run:
        if ids and not segment.joined:
            ids.append(SPACE)
        ids.extend(VOCAB[p] for p in segment.phonemes)
    return ids


def runs(parts: list[Segment], budget: int) -> list[list[Segment]]:
    """`parts` in runs of at most `budget` tokens, cut after a clause's punctuation where possible, else
    between words (a single segment longer than the budget is cut between its symbols)."""
    out: list[list[Segment]] = []
    current: list[Segment] = []
    size = 0
    for segment in (piece for s in parts for piece in _within(s, budget)):
        cost = segment.tokens(not current)
        if current and size + cost > budget:
            cut = _cut_point(current)
            out.append(current[:cut])
            current = current[cut:]
            size = sum(s.tokens(i == 0) for i, s in enumerate(current))
            cost = segment.tokens(not current)
        current.append(segment)
        size += cost
    if current:
        out.append(current)
    return out


def _cut_point(run: list[Segment]) -> int:
    """Where to end a full run: after its last clause punctuation, else before its last word."""
    for i in range(len(run) - 1, 0, -1):
        if run[i - 1].phonemes and run[i - 1].phonemes[-1] in CLAUSE_ENDS:
            return i
    for i in range(len(run) - 1, 0, -1):
        if not run[i].joined:
            return i
    return len(run)


def _within(segment: Segment, budget: int) -> list[Segment]:
    limit = budget - 1
    if len(segment.phonemes) <= limit:
        return [segment]
    pieces = [segment.phonemes[i : i + limit] for i in range(0, len(segment.phonemes), limit)]
    return [Segment(segment.start, segment.end, p, segment.joined if i == 0 else True) for i, p in enumerate(pieces)]


# ---------------------------------------------------------------- Chinese


def _chinese(text: str) -> list[Segment]:
    from deliver.speech.words import cut

    out: list[Segment] = []
    for match in _ZH_PIECES.finditer(text):
        if match["han"]:
            words = cut(match["han"])
            readings = _sandhi(words, [r for word in words for r in word_readings(word)])
            at, k = match.start(), 0
            for word in words:
                for j in range(len(word)):
                    out.append(Segment(at + j, at + j + 1, _ipa(readings[k]) if readings[k] else "", joined=j > 0))
                    k += 1
                at += len(word)
        elif match["latin"]:
            out.extend(_english(match["latin"], match.start()))
        else:
            out.extend(_punctuation(match.group(), match.start()))
    return out


def word_readings(word: str) -> list[str]:
    """Pinyin with tone numbers per character of a Chinese word (pypinyin reads words, so 多音字 follow
    context; it also applies 3-3 tone sandhi inside the word)."""
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    if len(readings) != len(word):  # never seen: the first character carries the word's reading
        return ["".join(readings), *[""] * (len(word) - 1)]
    return readings


_NUMERALS: Final = frozenset("〇零一二两三四五六七八九十百千万亿第")


def _sandhi(words: tuple[str, ...] | list[str], readings: list[str]) -> list[str]:
    """一 and 不 take their tone from the next syllable, across word boundaries (一要 yí yào, 一天 yì tiān,
    不是 bú shì); 一 keeps yī in numbers and ordinals (第一, 一二三), closing a word (统一, 唯一) and at
    the end of a phrase."""
    run = "".join(words)
    closing = {sum(map(len, words[: n + 1])) - 1 for n, word in enumerate(words) if len(word) > 1}
    out = list(readings)
    for i, (char, reading) in enumerate(zip(run, readings, strict=False)):  # pypinyin may read fewer
        following = readings[i + 1] if i + 1 < len(readings) else ""
        tone = following[-1:] if following[-1:].isdigit() else ""
        if char == "不" and reading == "bu4" and tone == "4":
            out[i] = "bu2"
        elif char == "一" and reading in ("yi1", "yi2", "yi4") and tone and i not in closing:
            counted = (i > 0 and run[i - 1] in _NUMERALS) or run[i + 1] in _NUMERALS
            out[i] = "yi1" if counted else ("yi2" if tone == "4" else "yi4")
    return out


@lru_cache(maxsize=4096)
def _ipa(pinyin: str) -> str:
    from misaki.transcription import pinyin_to_ipa

    try:
        variants = pinyin_to_ipa(pinyin)
    except (ValueError, KeyError, AssertionError, IndexError):
        return ""
    ipa = "".join(variants[0]) if variants else ""
    for chao, arrow in _TONES:
        ipa = ipa.replace(chao, arrow)
    return "".join(p for p in ipa if p in VOCAB)


# ---------------------------------------------------------------- English (and Latin inside Chinese)


def _english(text: str, offset: int) -> list[Segment]:
    """Words phonemized a clause at a time (stress in context), split back into words by the number of
    phoneme words each gives alone; punctuation is kept as its own segment."""
    out: list[Segment] = []
    clause: list[re.Match[str]] = []
    for match in _EN_PIECES.finditer(text):
        if match["word"]:
            clause.append(match)
            continue
        out.extend(_clause(text, clause, offset))
        clause = []
        out.extend(_punctuation(match.group(), offset + match.start()))
    out.extend(_clause(text, clause, offset))
    return out


def _clause(text: str, words: list[re.Match[str]], offset: int) -> list[Segment]:
    if not words:
        return []
    alone = [_espeak(w.group()) for w in words]
    together = _espeak(text[words[0].start() : words[-1].end()]).split()
    counts = [len(a.split()) for a in alone]
    if sum(counts) == len(together):
        parts, at = [], 0
        for n in counts:
            parts.append(" ".join(together[at : at + n]))
            at += n
    else:
        parts = alone
    pairs = zip(words, parts, strict=False)  # espeak may merge words: pair what there is
    return [Segment(offset + w.start(), offset + w.end(), _symbols(p)) for w, p in pairs if _symbols(p)]


@lru_cache(maxsize=8192)
def _espeak(text: str) -> str:
    from deliver.voices.espeak import phonemize

    ipa = " ".join(phonemize(text, "en-us"))
    for old, new in _ESPEAK_TO_KOKORO:
        ipa = ipa.replace(old, new)
    ipa = re.sub(r"(\S)\u0329", r"ᵊ\1", ipa).replace("\u0329", "")
    ipa = ipa.replace("o^ʊ", "O").replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ").replace("ɪə", "iə").replace("ː", "")
    return ipa.replace("o", "ɔ").replace("ɾ", "T").replace("ʔ", "t").replace("^", "")


def _symbols(phonemes: str) -> str:
    """Kokoro symbols only; spaces inside (a multi-word reading such as "5.2") are kept."""
    return "".join(p for p in phonemes if p in VOCAB).strip()


def _punctuation(char: str, at: int) -> list[Segment]:
    mapped = _PUNCTUATION.get(char)
    if mapped is None or is_han(char):
        return []
    return [Segment(at, at + 1, mapped, joined=char not in _OPENING)]
