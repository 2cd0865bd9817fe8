"""Text cleaning: control characters, stray spaces and the web noise that pasted speeches carry.

Pure functions on strings. Nothing here decides structure; it only removes what no speaker
would say and what would corrupt XML or audio later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

# C0/C1 controls (tab and newline are kept), BOMs, non-characters and lone surrogates:
# XML 1.0 forbids most of them, and none is ever spoken.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\u00ad]")
_BOOKMARK = re.compile(r"\[\s*bookmark\s*:[^\]]*\]", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")

# Lines that carry page furniture rather than speech: "来源：网络  作者：…  更新时间：…",
# share buttons, pagination, editor credits.
_META_KEYS = (
    "来源|作者|更新时间|发布时间|发布日期|时间|日期|编辑|责任编辑|编者|字号|浏览|浏览次数|阅读|阅读量|点击|点击数"
    "|source|author|posted|posted by|written by|published|updated|last updated|editor|views"
)
_META_LINE = re.compile(rf"^\s*[（(]?\s*(?:{_META_KEYS})\s*[：:]", re.IGNORECASE)
_META_FIELD = re.compile(rf"(?:{_META_KEYS})\s*[：:]", re.IGNORECASE)
_FURNITURE = re.compile(
    r"^\s*(?:分享到[：:]?.*|返回顶部|打印本页|关闭窗口|扫一扫.*|掃一掃.*|上一篇[：:].*|下一篇[：:].*|【?字体[：:].*"
    r"|[-—\s]*\d+[-—\s]*|第\s*\d+\s*页\s*(?:[，,/]?\s*共\s*\d+\s*页)?|page \d+( of \d+)?"
    r"|(?:https?://|www\.)\S+|retrieved from\b.*|(?:当前位置|您的位置|你的位置|所在位置|you are here)[：:].*"
    r"|(?:[^<>›»\s，。！？；,;!?][^<>›»，。！？；,;!?]{0,14}\s*[>›»]\s*){1,6}[^<>›»，。！？；,;!?]{1,20})\s*$",
    re.IGNORECASE,
)
# Page furniture by shape: a short line with no sentence in it that carries a credit, share, QR or
# copyright label. Position-independent (the footer zone below also catches what only its place betrays).
_CREDIT = re.compile(
    r"责任编辑|責任編輯|编审|審校|审校|校对|校對|供稿|撰稿|原标题|原標題|原文链接|原文連結|本文链接|阅读原文|閱讀原文"
    r"|扫码|掃碼|二维码|二維碼|QR code|版权所有|版權所有|copyright|©|all rights reserved|转载请注明|轉載請註明"
    r"|网站标识码|網站標識碼|ICP备|ICP證|备案号|公网安备|share (?:this|on)|follow us|subscribe",
    re.IGNORECASE,
)
_SENTENCE_IN = re.compile(r"[。！？!?]|[.](?:\s|$)")
# Phrases only a licence or copyright notice uses (it speaks of "this work"); enough on their own.
_LICENCE = re.compile(
    r"本作品|本站|版权所有|版權所有|版权归|版權歸|未经(?:许可|授权)|未經(?:許可|授權)|不得转载|禁止转载|转载请注明|轉載請註明"
    r"|授权条款|授權條款|all rights reserved|licensed under|this work is (?:licensed|in the public domain)"
    r"|retrieved from|©\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})"
    r"|this page was last (?:edited|modified)|text is available under"
    r"|(?:本页面|此页面|本頁面|此頁面)?最后(?:修订|编辑)于|最後(?:修訂|編輯)於",
    re.IGNORECASE,
)
# Words a notice uses and a speech may too ("保护版权"): a notice only in a short line, or two of them
# in a line that nobody says in the first person.
_LICENCE_TOPIC = re.compile(
    r"著作权法|著作權法|著作权|著作權|公有领域|公有領域|版权|版權|知识共享|創用\s*CC|public domain|creative commons"
    r"|\bCC[ -]?(?:BY|0)\b|copyright|licen[cs]e",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"我们|我|咱们|大家|\b(?:we|our|us|I)\b", re.IGNORECASE)
# Labels a page puts before credits and notes ("责任编辑：", "注：", "Source:"), and site/encyclopedia words.
_FOOTER_LABEL = re.compile(
    r"^\s*[【\[（(]?\s*(?:本文|文章|图片|稿件)?(?:责任编辑|責任編輯|编辑|編輯|审核|審核|校对|校對|来源|來源|出处|出處|作者|供稿|撰稿|摄影|攝影"
    r"|注|附|备注|備註|说明|說明|原标题|原標題|链接|連結|note|notes|source|sources|credits?|editor|tags?|categor(?:y|ies))"
    r"\s*[】\]）)]?\s*[：:]",
    re.IGNORECASE,
)
_SITE = re.compile(
    r"维基|維基|wiki|百科|https?://|www\.|\.(?:com|cn|org|net|gov)\b|公众号|公眾號|微信|微博", re.IGNORECASE
)
_NO_WORDS = re.compile(
    r"^[\W_]*$|^(?:true|false|null|none|undefined|nan)(?:\s+(?:true|false|null|none))*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Cleaned:
    """Lines with noise removed, and what was removed (for the user, never silently)."""

    lines: tuple[str, ...]
    removed: tuple[str, ...]


def strip_controls(text: str) -> str:
    """Remove characters that would corrupt XML or mean nothing spoken; normalise line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _ZERO_WIDTH.sub("", text)
    return _CONTROL.sub("", text)


def tidy_line(line: str) -> str:
    """One line without bookmarks, stray (full-width) spaces and spaces between Chinese characters."""
    line = _BOOKMARK.sub("", line)
    line = unicodedata.normalize("NFC", line)
    line = _SPACES.sub(" ", line).strip()
    return _SPACE_BETWEEN_CJK.sub("", line)


def is_noise(line: str) -> bool:
    """True for page furniture: source/author/date lines, share buttons, page numbers, bare URLs, credit lines."""
    if _FURNITURE.match(line):
        return True
    if _META_LINE.match(line) and len(line) <= 120 and not line.rstrip().endswith(("。", ".", "！", "？")):
        return True
    if _CREDIT.search(line) and len(line) <= 60 and not _SENTENCE_IN.search(line):
        return True
    # Several metadata fields on one line ("作者：… 更新时间：…") even when not first.
    return len(_META_FIELD.findall(line)) >= 2 and len(line) <= 120


def is_licence(text: str) -> bool:
    """A copyright or licence notice (Wikisource's template, "版权所有", "CC BY", "Retrieved from")."""
    if len(text) > 400:
        return False
    if _LICENCE.search(text):
        return True
    topics = {m.group(0).casefold() for m in _LICENCE_TOPIC.finditer(text)}
    return bool(topics) and (len(text) <= 40 or len(topics) >= 2) and not _FIRST_PERSON.search(text)


def footer(texts: Sequence[str]) -> tuple[int, list[str]]:
    """Where the page's trailing boilerplate begins (len(texts) when there is none), and its paragraphs.

    Lines torn apart by the page's formatting are read together first (the Wikisource template comes
    as "本作品是中华人民共和国的" / "法律" / "、" …). Then, backwards from the end: licence notices, labelled
    credits and notes (责任编辑：, 注：, Source:) and short lines naming a site or carrying a URL belong to
    the footer; paragraphs without words ("、", "false") and short fragments belong to it only when a footer
    line stands above them. The first paragraph that is none of these is the speech's last."""
    groups = _torn_groups(texts)
    start = len(groups)
    for i in range(len(groups) - 1, -1, -1):
        text = groups[i][1]
        if _footer_line(text):
            start = i
        elif not _fragment(text):
            break
    if start == len(groups):
        return len(texts), []
    return groups[start][0], [text for _, text in groups[start:] if re.search(r"\w", text)]


def _torn_groups(texts: Sequence[str]) -> list[tuple[int, str]]:
    """(index of the first line, the lines joined) for each run of lines torn mid-sentence."""
    groups: list[tuple[int, str]] = []
    for i, raw in enumerate(texts):
        text = raw.strip()
        if groups and not _breaks(groups[-1][1], text) and not _FOOTER_LABEL.match(text):
            groups[-1] = (groups[-1][0], _glue(groups[-1][1], text))
        else:
            groups.append((i, text))
    return groups


def _footer_line(text: str) -> bool:
    if is_licence(text) or is_noise(text):
        return True
    short = len(text) <= 80
    return short and (_FOOTER_LABEL.match(text) is not None or _SITE.search(text) is not None)


def _fragment(text: str) -> bool:
    return not text or _NO_WORDS.match(text) is not None or (len(text) <= 8 and not _SENTENCE_IN.search(text))


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W", "", a).casefold() == re.sub(r"\W", "", b).casefold()


def clean_lines(raw_lines: list[str]) -> Cleaned:
    """Tidy each line, drop empty lines and noise, and drop a title repeated just below itself."""
    kept: list[str] = []
    removed: list[str] = []
    for raw in raw_lines:
        line = tidy_line(raw)
        if not line:
            continue
        if is_noise(line):
            removed.append(line)
            continue
        # Web pages print the headline twice (page title + article title): keep the first.
        if kept and len(kept) <= 2 and len(line) <= 80 and _same(line, kept[0]):
            removed.append(line)
            continue
        kept.append(line)
    return Cleaned(tuple(kept), tuple(removed))


_RUN_AFTER_SENTENCE = re.compile(r"(?<=[。！？!?”」』])[ \t\u3000]{2,}(?=\S)")


def split_runs(line: str) -> list[str]:
    """A line holding several paragraphs, run together with spaces after a sentence end, as its paragraphs."""
    return _RUN_AFTER_SENTENCE.split(line)


_TERMINAL = re.compile(r"(?:[。！？!?；;：:…]+|(?<![A-Z])[.])[”’」』）)\]】\"']*$")


def is_paragraphed(lines: Sequence[str]) -> bool:
    """True when blank lines separate the paragraphs, so a line break alone does not end one: most lines
    that end a sentence are followed by a blank line (torn lines in between do not count)."""
    last = max((i for i, line in enumerate(lines) if line.strip()), default=0)
    ends = [i for i, line in enumerate(lines[:last]) if line.strip() and _TERMINAL.search(line.strip())]
    if ends:
        return sum(1 for i in ends if not lines[i + 1].strip()) >= 0.5 * len(ends)
    filled = [bool(line.strip()) for line in lines]
    return sum(filled) >= 2 and sum(1 for a, b in pairwise(filled) if a and b) < 0.5 * sum(filled)


def join_lines(lines: Iterable[str]) -> list[str]:
    """Lines of one paragraph → its sentences' lines: a break that ends a sentence stays, any other
    (a line torn by formatting: "在" / "工资制度和价格改革" / "上迈出…") is joined."""
    return list(_joined(lines))


def _joined(lines: Iterable[str]) -> Iterator[str]:
    current = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if current and _breaks(current, line):
            yield current
            current = ""
        current = _glue(current, line) if current else line
    if current:
        yield current


def _breaks(current: str, line: str) -> bool:
    """Whether `line` starts a new paragraph after `current` (else `current` was torn mid-sentence)."""
    return not current or _TERMINAL.search(current) is not None or standalone(current) or standalone(line)


_STANDALONE = re.compile(
    r"^(?:[（(【\[〔][^（()）【】\[\]〔〕]{1,60}[）)】\]〕]|——.*|—\s.*|[-–]{2}.*"
    r"|[一二三四五六七八九十]+[、是要]|[（(][一二三四五六七八九十\d]+[）)]|第[一二三四五六七八九十\d]+[，、,.．部条章节]"
    r"|\d{1,2}[.．、](?!\d)|[IVX]+\.\s).*$"
)


def standalone(line: str) -> bool:
    """A line that is never the middle of a sentence: a bracketed line, a dash subtitle, a numbered item."""
    return _STANDALONE.match(line) is not None


def _glue(left: str, right: str) -> str:
    """Join a torn line: a space only between two Latin words or numbers."""
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right
