"""Reading a .docx safely and whole: its body's text in document order, as blocks with their hints.

Safely: a .docx is a zip, and a few MB of it can inflate to many GB. Every member's declared size is
checked against a limit before anything is inflated, the parts we read are inflated as a stream that
stops at the limit, and the XML is parsed with entities, DTDs and the network off.

Whole: the text a reader of the document sees is the text spoken. Paragraphs, tables (cell by cell),
content controls, tracked insertions, text boxes, field results and hyperlinks are read where they
stand; tracked deletions, moved-from text, field codes and a control's placeholder prompt are not
what the document says. Footnotes, endnotes, comments, headers, footers and equations are not read,
and a notice names each that holds text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from deliver.errors import InputError
from deliver.files import ZipTooLarge, check_zip, open_member
from deliver.speech.cleaning import clean_lines, strip_controls
from deliver.speech.reading import Block

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
PART_MAX = 32 * 2**20
"""Inflated bytes of one XML part we parse: a 220,000-字 speech's document.xml is a few MB."""
MEMBER_MAX = 256 * 2**20
TOTAL_MAX = 1024 * 2**20
"""Declared sizes of any member and of all of them (images included, which are never inflated)."""
_NOT_SAID = frozenset(
    {f"{_W}del", f"{_W}moveFrom", f"{_W}instrText", f"{_W}delInstrText", f"{_W}sdtPr", f"{_MC}Fallback"}
)
"""Subtrees whose text is not what the document says (a deletion, moved-away text, a field's code,
a control's settings, the legacy copy of a text box beside its modern one)."""
_SKIPPED_PARTS = (
    ("word/footnotes.xml", "footnotes"),
    ("word/endnotes.xml", "endnotes"),
    ("word/comments.xml", "comments"),
    ("word/header", "headers"),
    ("word/footer", "footers"),
)


@dataclass(frozen=True)
class DocxText:
    """What a .docx says, as blocks, with the lines dropped as noise and what was not read."""

    blocks: tuple[Block, ...]
    removed: tuple[str, ...]
    skipped: tuple[str, ...]
    """What holds text but is not read, in the user's words ("footnotes", "equations")."""


def read_docx(data: bytes, name: str) -> DocxText:
    """The text of .docx `data`. Raises InputError (one line, naming `name`) for a damaged file, a zip bomb
    or XML we will not parse (a DOCTYPE)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, MEMBER_MAX, TOTAL_MAX)
            styles = _styles(archive)
            with open_member(archive, "word/document.xml", PART_MAX) as stream:
                paragraphs = list(_paragraphs(stream, styles))
            skipped = _skipped(archive)
    except ZipTooLarge as exc:
        raise InputError(f"{name}: {exc}; that is not a speech (a decompression bomb?)") from None
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError, RuntimeError, SyntaxError) as exc:
        raise InputError(f"{name}: not a readable .docx ({type(exc).__name__}); re-save it in Word") from None
    blocks, removed = _blocks(paragraphs)
    math = sum(p.equations for p in paragraphs)
    return DocxText(blocks, removed, skipped + ((f"equations ({math})",) if math else ()))


@dataclass(frozen=True)
class _Paragraph:
    text: str
    style: str
    numbered: bool
    equations: int


def _parser_options() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _refuse_doctype(doctype: str | None) -> None:
    if doctype:
        raise ValueError("a DOCTYPE in a Word part")


def _styles(archive: zipfile.ZipFile) -> dict[str, str]:
    """styleId → style name (Word's ids are often numbers in a Chinese Word: "1" for heading 1)."""
    from lxml import etree

    if "word/styles.xml" not in archive.namelist():
        return {}
    with open_member(archive, "word/styles.xml", PART_MAX) as stream:
        root = etree.parse(stream, etree.XMLParser(**_parser_options())).getroot()
    _refuse_doctype(root.getroottree().docinfo.doctype)
    names = {}
    for style in root.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        names[style.get(f"{_W}styleId", "")] = name.get(f"{_W}val", "") if name is not None else ""
    return names


def _paragraphs(stream: io.RawIOBase, styles: dict[str, str]) -> Iterator[_Paragraph]:
    """Every paragraph of the body at its end tag. A paragraph inside another (a text box anchored in it)
    ends first and is cleared once read, so its text is said once, just before its anchor's."""
    from lxml import etree

    checked = False
    for _, element in etree.iterparse(stream, events=("end",), **_parser_options()):
        if not checked:
            _refuse_doctype(element.getroottree().docinfo.doctype)
            checked = True
        if element.tag != f"{_W}p":
            continue
        if not any(_unsaid(a) for a in element.iterancestors()):
            yield _paragraph(element, styles)
        element.clear(keep_tail=True)


def _paragraph(p: Any, styles: dict[str, str]) -> _Paragraph:
    pieces: list[str] = []
    _collect(p, pieces)
    props = p.find(f"{_W}pPr")
    style_el = props.find(f"{_W}pStyle") if props is not None else None
    style_id = style_el.get(f"{_W}val", "") if style_el is not None else ""
    style = styles.get(style_id, style_id)
    numbered = (props is not None and props.find(f"{_W}numPr") is not None) or style.startswith("List")
    equations = sum(1 for _ in p.iter(f"{_MATH}oMath"))
    return _Paragraph("".join(pieces), style, numbered, equations)


def _unsaid(element: Any) -> bool:
    """Whether the text under `element` is not what the document says: see _NOT_SAID; and a content
    control still showing its prompt ("Click here to enter text.")."""
    if element.tag in _NOT_SAID:
        return True
    return bool(element.tag == f"{_W}sdt" and element.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None)


def _collect(element: Any, pieces: list[str]) -> None:
    """The text under `element` in order, leaving out what is not said (see _NOT_SAID)."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag == f"{_W}pPr" or _unsaid(child):
            continue
        if tag == f"{_W}t":
            pieces.append(child.text or "")
        elif tag == f"{_W}tab":
            pieces.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            pieces.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            pieces.append("-")
        else:
            _collect(child, pieces)


def _skipped(archive: zipfile.ZipFile) -> tuple[str, ...]:
    """The parts with text that are not read, named for a notice."""
    from lxml import etree

    found = []
    for prefix, what in _SKIPPED_PARTS:
        for member in (m for m in archive.namelist() if m.startswith(prefix) and m.endswith(".xml")):
            with open_member(archive, member, PART_MAX) as stream:
                root = etree.parse(stream, etree.XMLParser(**_parser_options())).getroot()
            if any((t.text or "").strip() for t in root.iter(f"{_W}t")) and what not in found:
                found.append(what)
    return tuple(found)


def _blocks(paragraphs: list[_Paragraph]) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    blocks: list[Block] = []
    removed: list[str] = []
    for para in paragraphs:
        cleaned = clean_lines(strip_controls(para.text).split("\n"))
        removed.extend(cleaned.removed)
        level = _heading_level(para.style)
        blocks.extend(Block(line, heading=level, list_item=para.numbered) for line in cleaned.lines)
    if blocks and blocks[0].heading is None:
        # The title is often just a bold first paragraph: apply the repeated-title rule across paragraphs.
        again = clean_lines([b.text for b in blocks[:3]])
        removed.extend(again.removed)
        if again.removed:
            blocks = [blocks[0]] + [b for b in blocks[1:3] if b.text not in again.removed] + blocks[3:]
    return tuple(blocks), tuple(removed)


def _heading_level(style: str) -> int | None:
    lowered = style.lower()
    if lowered in ("title", "标题"):
        return 0
    match = re.match(r"(?:heading|标题)\s*(\d)", lowered)
    return int(match.group(1)) if match else None
