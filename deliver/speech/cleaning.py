"""Text cleaning: control characters, stray spaces and the web noise that pasted speeches carry.

Pure functions on strings. Nothing here decides structure; it only removes what no speaker
would say and what would corrupt XML or audio later.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    r"^\s*(?:分享到[：:]?.*|返回顶部|打印本页|关闭窗口|扫一扫.*|上一篇[：:].*|下一篇[：:].*|【?字体[：:].*"
    r"|[-—\s]*\d+[-—\s]*|第\s*\d+\s*页\s*(?:[，,/]?\s*共\s*\d+\s*页)?|page \d+( of \d+)?)\s*$",
    re.IGNORECASE,
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
    """True for page furniture: source/author/date lines, share buttons, page numbers."""
    if _FURNITURE.match(line):
        return True
    if _META_LINE.match(line) and len(line) <= 120 and not line.rstrip().endswith(("。", ".", "！", "？")):
        return True
    # Several metadata fields on one line ("作者：… 更新时间：…") even when not first.
    return len(_META_FIELD.findall(line)) >= 2 and len(line) <= 120


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
