"""Unnumbered signs of structure in a paragraph: bare heading lines, dividers, speaker labels, vocative
lines, closing cues, announcements ("讲三点意见", "three places…").

Each recogniser is a small pure function of a block (and, for a bare heading, of its neighbours);
`families.py` turns what they find into candidate families for the top level.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from deliver.speech.markers import block_marker
from deliver.speech.reading import Block
from deliver.speech.text import han_count, latin_words

_END_PUNCT = "。！？!?；;，,、：:…"
_SENTENCE_END = re.compile(r"[。！？!?；;：:….][”’」』）)\]】\"']*$")
_TORN_START = re.compile(r"^[》〉」』”’）)\]】，,、。；;：:！？!?的之]")
_SPEAKER = re.compile(r"^(?!.*[。！？!?，,；;])(.{1,20}?)\s*[：:]{1,2}$")
_QUESTION_NAME = re.compile(
    r"^(?:questions?|q|audience(?: member)?|participant|moderator question|提问|提問|问|問|观众|觀眾|听众|聽眾"
    r"|参与者|參與者|与会者|與會者|记者|記者|学员|學員)\s*[0-9０-９A-Za-z]*(?:[（(].*[)）])?$",
    re.IGNORECASE,
)
_DIVIDER = re.compile(r"^(?:>\s*)?[（(]([^（()）]{1,40}(?:[（(][^()（）]{1,20}[)）][^()（）]{0,20})?)[)）]\s*$")
_QUOTE_LINE = re.compile(r"^>\s*(\S.{0,60})$")
_VOCATIVE_PIECE = re.compile(
    r"^(?:尊敬的)?(?:各位.{0,6}|.{0,10}(?:们|們|领导|領導|嘉宾|嘉賓|来宾|來賓|代表|委员|委員|朋友|同学|同學|老师|老師|乡亲|鄉親)"
    r"|(?:my )?(?:fellow )?"
    r"(?:americans|citizens|friends|colleagues|delegates)|ladies and gentlemen)$",
    re.IGNORECASE,
)
_CLOSING_LABEL = re.compile(
    r"^(?:结束语|結束語|结语|結語|结束|結束|尾声|尾聲|conclusion|closing|closing remarks|in closing|final thoughts?)$",
    re.IGNORECASE,
)
_CLOSING_CUE = re.compile(
    r"^(?:同志们|同志們|各位|总之|總之|总而言之|總而言之|综上所述|綜上所述|最后|最後|让我们|讓我們|我相信|我坚信|我堅信"
    r"|谢谢|謝謝|以上|上述)"
    r"|^(?:in closing|in conclusion|to conclude|to sum up|let us|let's|thank you)\b"
    r"|^(?:these|those) (?:are|were) (?:the )?(?:two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)
_ANNOUNCES = re.compile(
    r"[两兩二三四五六七八九十几幾]+(?:点|點|个方面|個方面|方面|个问题|個問題|个部分|個部分|部分|件事|项|項|条|條|句话|句話)"
    r"|以下|如下|下面[，,]?[我再]*(?:讲|講|谈|談|说|說)"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|several|a few) (?:[a-z]+ ){0,2}"
    r"(?:places|things|points|parts|ways|areas|questions|issues|steps|lessons|ideas|reasons|goals|principles)\b"
    r"|\bthe following\b",
    re.IGNORECASE,
)
HEADING_MAX = {"zh": 24, "en": 10}
"""Longest bare heading line: characters (zh) or words (en)."""


def _length(text: str) -> int:
    return han_count(text) + len(latin_words(text))


def speaker_label(text: str) -> str | None:
    """The name in a speaker label (### 唐鳳： / Audrey Tang: / 張培鏞（司儀）：), else None."""
    match = _SPEAKER.match(text.strip())
    if not match or block_marker(text) or _length(match.group(1)) == 0:
        return None
    return match.group(1).strip()


def question_label(text: str) -> bool:
    """A speaker label that names the asker rather than a person (Question:, 提問：, 參與者 1：)."""
    name = speaker_label(text)
    return name is not None and bool(_QUESTION_NAME.match(name))


def divider_title(block: Block) -> str | None:
    """The title in a blockquote or bracketed divider line: > (The Way Begins At Home) / （問答）."""
    text = block.text.strip()
    match = _DIVIDER.match(text)
    if match:
        return match.group(1).strip()
    quote = _QUOTE_LINE.match(text)
    if quote and not re.search(r"[。！？!?]$|\.$", quote.group(1)) and len(quote.group(1)) <= 60:
        return quote.group(1).strip()
    return None


def vocative_line(text: str) -> bool:
    """A line that only addresses the audience: 各位代表！ / 青年朋友们、同志们！ / My fellow Americans:."""
    line = text.strip()
    if len(line) > 30 or not line.endswith(("！", "!", "：", ":")):
        return False
    pieces = [p for p in re.split(r"[、，,]|和|及|与|\band\b", line.rstrip("！!：: ")) if p.strip()]
    return bool(pieces) and all(_VOCATIVE_PIECE.match(p.strip()) for p in pieces)


def closing_label(text: str) -> bool:
    """A heading line that names the closing: 结束语 / 结语 / Conclusion."""
    return bool(_CLOSING_LABEL.match(text.strip().strip("#*：: ")))


def closing_cue(text: str) -> bool:
    """A paragraph that opens a closing: 同志们，… / 总之 / In closing / These are three of…"""
    return bool(_CLOSING_CUE.match(text.strip()))


def announces(text: str) -> bool:
    """A paragraph that announces the parts to come: 讲三点意见 / three places where … / 以下八个方面."""
    return bool(_ANNOUNCES.search(text))


def echoes(title: str, text: str) -> bool:
    """True when `text` repeats the speech's title (a first divider that names the talk)."""
    a, b = _letters(title), _letters(text)
    if not a or not b:
        return False
    match = SequenceMatcher(None, a, b).find_longest_match(0, len(a), 0, len(b))
    return match.size >= 0.6 * min(len(a), len(b)) and min(len(a), len(b)) >= 4


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def heading_line(blocks: list[Block], i: int, language: str) -> bool:
    """A bare heading line: short, no end punctuation, between a finished sentence and a paragraph.

    The neighbours tell a heading (关于外交工作) from a fragment a web page tore out of its sentence
    (…发布《 / 关于…暂行规定 / 》，在…): the line before a heading ends a sentence (or is a heading,
    a label or the start), the line after it is a paragraph that does not continue it.
    """
    text = blocks[i].text.strip()
    if blocks[i].heading is not None or not text or text[-1] in _END_PUNCT or re.search(r"[：:。！？!?]", text):
        return False
    size = _length(text) if language == "zh" else len(latin_words(text))
    if size == 0 or size > HEADING_MAX["zh" if language == "zh" else "en"] or block_marker(text):
        return False
    if _TORN_START.match(text) or text.count("《") != text.count("》") or text.count("“") != text.count("”"):
        return False
    before = blocks[i - 1] if i > 0 else None
    finished = before is None or before.heading is not None or _ends_sentence(before.text)
    if not finished and before is not None and speaker_label(before.text) is None and not closing_label(before.text):
        return False
    if closing_label(text):
        return True
    if i + 1 >= len(blocks):
        return False
    after = blocks[i + 1].text.strip()
    return not _TORN_START.match(after) and (blocks[i + 1].heading is not None or _length(after) > 2 * size)
