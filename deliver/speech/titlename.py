"""Whether a file's name reads as a title a speaker would show, and the title it reads as.

在全市组织工作会议上的讲话.docx and "Remarks at the River Trail.txt" are titles someone wrote; a slug
(en-plain-fdr-inaugural, q3_review_final_v3), a bare document type with a copy number (讲话稿(1)) or
an editor's version mark is not. Version marks are dropped before the name is judged, and from the
title it gives: they never belong on a title slide.
"""

from __future__ import annotations

import re
import unicodedata

_VERSION = re.compile(
    r"(?:[\s_.\-]*(?:[(（［\[]\s*\d{1,3}\s*[)）］\]]|v\d+(?:\.\d+)*|final|draft|copy|rev\d*|"
    r"副本|定稿|终稿|終稿|初稿|修改稿|修订稿|修訂稿|最终版|最終版|终版|最新版|修改版|改\d*|\d{1,2}))+$",
    re.IGNORECASE,
)
"""Marks an editor adds at the end of a name: (1), _v3, -final, 副本, 定稿, a trailing copy number."""
_COPY_OF = re.compile(r"^(?:copy of|副本\s*[-_]?)\s*", re.IGNORECASE)
_ZH_DOCTYPES = re.compile(
    r"讲话稿|講話稿|发言稿|發言稿|演讲稿|演講稿|讲稿|講稿|讲话|講話|发言|發言|致辞|致辭|演讲|演講|"
    r"新建文档|新建文件|文档|文件|稿子|文稿|稿|材料|全文|范文"
)
"""Words that name the kind of document, not its subject: what is left after them must say something."""
_EN_GENERIC = frozenset(
    "speech speeches remarks talk talks notes keynote address presentation script transcript text document "  # noqa: SIM905
    "version new my the a an of for and to final draft copy doc untitled".split()
)
_ZH_MIN = 4
"""Han characters a name must keep beyond its document type to be a title (全市组织工作会议)."""


def name_as_title(stem: str) -> str | None:
    """The title a file name stem reads as, or None when it is a slug (see the module docstring)."""
    name = unicodedata.normalize("NFC", stem).strip()
    name = _VERSION.sub("", _COPY_OF.sub("", name)).strip(" _-.")
    if not name:
        return None
    han = [ch for ch in _ZH_DOCTYPES.sub("", name) if "\u4e00" <= ch <= "\u9fff"]
    if han:
        return _spaced(name) if len(han) >= _ZH_MIN else None
    return name if _reads_as_words(name) else None


def _reads_as_words(name: str) -> bool:
    """Words a person typed: at least two separated by spaces (not dashes or underscores), one of them
    capitalised and one more than a document type ("Bridge Remarks"; not "my speech", "My Speech")."""
    if "_" in name or not re.search(r"\s", name):
        return False
    words = [w for w in name.split() if any(ch.isalpha() for ch in w)]
    subject = [w for w in words if w.casefold().strip(".,:;-") not in _EN_GENERIC]
    return len(words) >= 2 and bool(subject) and any(w[:1].isupper() for w in words)


def _spaced(name: str) -> str:
    """A Chinese name with its dashes and underscores as spaces (张书记_在…上的讲话 → 张书记 在…上的讲话)."""
    return re.sub(r"\s+", " ", re.sub(r"[_]+|(?<!\d)-+|-+(?!\d)", " ", name)).strip()
