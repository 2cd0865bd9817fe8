"""Bytes → clean text blocks: file types, encoding detection, front matter, markup and page furniture.

Encodings are tried in the order that never mislabels Chinese: BOM → strict UTF-8 → strict
GB18030 → charset-normalizer (which alone calls GBK text Big5). Markdown and HTML go through real
parsers (`markup.py`); plain text keeps its lines, rejoining lines torn by a page's formatting.
Page furniture is dropped line by line (`cleaning.is_noise`) and as the page's trailing footer.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from deliver.errors import InputError
from deliver.model import Notice
from deliver.speech.block import Block as Block
from deliver.speech.cleaning import (
    footer,
    is_noise,
    is_paragraphed,
    join_lines,
    split_runs,
    strip_controls,
    tidy_line,
)

MAX_BYTES = 50 * 1024 * 1024
"""Larger files are not speeches (a 220,000-字 speech is under 1 MB)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document (export its text to .txt or .docx first)",
    b"\xd0\xcf\x11\xe0": "an old Word/Office document (.doc): save it as .docx or .txt",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"ID3": "an MP3 file",
    b"RIFF": "a RIFF (WAV/AVI) file",
    b"\x7fELF": "a program",
    b"MZ": "a program",
}
_BULLET = re.compile(r"^[-*+•·]\s+")
_FRONT_KEY = re.compile(r"^([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff-]{0,39})\s*[:：]\s*(.*)$")
_FRONT_MORE = re.compile(r"^(?:\s+\S|\s*-\s|\s*#)")
"""Front matter lines that continue a key (indented, a YAML list item) or comment."""
_MARKDOWN_NAMES = (".md", ".markdown", ".mdown", ".mkd")


@dataclass(frozen=True)
class Source:
    """A speech as read from a file or stdin, before any structure is inferred."""

    name: str
    """File name without folders ("-" for stdin)."""
    blocks: tuple[Block, ...]
    encoding: str
    """Encoding the text was decoded from ("docx" for Word files)."""
    sha256: str
    """Hash of the raw bytes."""
    meta: dict[str, str]
    """Front matter keys (title, date, occasion, speaker …) when present."""
    removed: tuple[str, ...]
    """Lines dropped as web noise."""
    notices: tuple[Notice, ...] = ()
    """What else reading left out of the speech: markup elements, the page's footer."""
    skipped: tuple[str, ...] = ()
    """Parts of the document that hold text but are not read (a .docx's "footnotes", "comments" …)."""

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def read_source(path: str | Path, stdin: BinaryIO | None = None) -> Source:
    """Read a speech file (.txt, .md, .docx) or "-" for stdin. Raises InputError with a one-line reason."""
    name, data = _read_bytes(str(path), stdin)
    notices: tuple[Notice, ...] = ()
    skipped: tuple[str, ...] = ()
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        from deliver.speech.docx import read_docx

        docx = read_docx(data, name)
        blocks, removed, skipped = docx.blocks, docx.removed, docx.skipped
        encoding, meta = "docx", dict[str, str]()
    elif data.startswith(b"PK\x03\x04") and name.lower().endswith((".docx", ".pptx")):
        raise InputError(f"{name}: is damaged (its zip archive is cut short or corrupt): save it again from Word")
    else:
        encoding, text = decode(data, name)
        blocks, meta, removed, notices = _text_blocks(text, name)
    blocks, footer = _without_footer(blocks)
    if not any(b.text.strip() for b in blocks):
        raise InputError(f"{name}: contains no text to speak")
    return Source(name, blocks, encoding, hashlib.sha256(data).hexdigest(), meta, removed, notices + footer, skipped)


def _read_bytes(path: str, stdin: BinaryIO | None) -> tuple[str, bytes]:
    if path == "-":
        try:
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(MAX_BYTES + 1)
        except (AttributeError, ValueError, OSError):  # no stdin at all, or a closed one
            raise InputError("-: standard input is closed; give the speech as a file") from None
        if len(data) > MAX_BYTES:
            raise InputError(f"-: standard input is larger than {MAX_BYTES // 2**20} MB; that is not a speech")
        return "-", data
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{path}: is a directory, not a speech file")
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES // 2**20} MB; that is not a speech")
    return p.name, data


def decode(data: bytes, name: str = "input") -> tuple[str, str]:
    """Bytes → (encoding, text). Raises InputError for binary or undecodable data."""
    if not data.strip():
        raise InputError(f"{name}: is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, _strict(data, encoding, name)
    unmarked = _bomless_utf16(data)
    if unmarked:
        return unmarked, _strict(data, unmarked, name)
    _reject_binary(data, name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return _detect(data, name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid {encoding} at byte {exc.start}; re-save the file as UTF-8") from None


_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
"""The stream a password-protected .docx/.pptx keeps its content in (inside an OLE container)."""


def _reject_binary(data: bytes, name: str) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0") and _ENCRYPTED in data[: 1 << 20]:
        raise InputError(f"{name}: is password-protected: open it in Word, remove the password and save it again")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not a speech text")
    head = data[:65536]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    # A few stray control bytes are cleaned later; a text file never has this many.
    if controls > max(8, len(head) // 12):
        raise InputError(f"{name}: looks like binary data, not a speech text")


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: every other byte of ASCII text is NUL."""
    head = data[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) * 0.4 and even == 0:
        return "utf-16-le"
    if even > len(head) * 0.4 and odd == 0:
        return "utf-16-be"
    return None


def _detect(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None or _broken_chinese(data, best.encoding):
        try:
            data.decode("gb18030")
        except UnicodeDecodeError as exc:
            _damaged_utf8(data, name)
            where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
            raise InputError(
                f"{name}: text encoding not recognised ({where} is neither UTF-8 nor GB18030); "
                "re-save the file as UTF-8"
            ) from None
    assert best is not None and best.encoding is not None
    return best.encoding, str(best)


def _damaged_utf8(data: bytes, name: str) -> None:
    """Raise InputError at the first bad UTF-8 byte when the rest of `data` is UTF-8 (a damaged or cut file):
    that offset, not where GB18030 gave up, is where the damage is."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad and sum(1 for ch in text if ord(ch) > 127) > 20 * bad:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: invalid UTF-8 at byte offset {exc.start} (the rest is UTF-8: the file is damaged or cut "
                "there); re-save it as UTF-8"
            ) from None


_CJK_CODECS = ("gb", "big5", "hz", "euc", "iso2022", "shift_jis", "cp932", "cp936", "cp949", "cp950", "utf")


def _broken_chinese(data: bytes, encoding: str) -> bool:
    """Mostly GB18030 Chinese with a few bad bytes, which a detector would read as a single-byte code page."""
    if encoding.lower().replace("-", "_").startswith(_CJK_CODECS):
        return False
    text = data.decode("gb18030", errors="replace")
    wide = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return wide > 0.3 * sum(1 for ch in text if ord(ch) > 127)


def _text_blocks(text: str, name: str) -> tuple[tuple[Block, ...], dict[str, str], tuple[str, ...], tuple[Notice, ...]]:
    lines = strip_controls(text).split("\n")
    meta, lines = _front_matter(lines)
    lines, removed = _without_noise(lines)
    paragraphed = is_paragraphed(lines)
    notices: tuple[Notice, ...] = ()
    if name.lower().endswith(_MARKDOWN_NAMES) or _marked_up(lines):
        from deliver.speech.markup import markdown_blocks

        marked = markdown_blocks("\n".join(lines), paragraphed)
        blocks, more = _tidied(marked.blocks)
        removed += more
        notices = tuple(Notice("read", f"left out of the speech: {what}") for what in marked.dropped)
    else:
        blocks = _plain_blocks(lines, paragraphed)
    blocks, repeats = _without_repeated_title(blocks)
    return blocks, meta, removed + repeats, notices


def _marked_up(lines: list[str]) -> bool:
    from deliver.speech.markup import looks_marked_up

    return looks_marked_up("\n".join(lines))


def _without_noise(lines: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Page furniture lines blanked (a blank keeps the paragraph break they stood in)."""
    kept: list[str] = []
    removed: list[str] = []
    for line in lines:
        tidy = tidy_line(line)
        if tidy and is_noise(tidy):
            removed.append(tidy)
            kept.append("")
        else:
            kept.append(line)
    return kept, tuple(removed)


def _plain_blocks(lines: list[str], paragraphed: bool) -> tuple[Block, ...]:
    """Plain text: a line is a paragraph; with blank-line paragraphs, lines torn mid-sentence are rejoined."""
    tidy = [tidy_line(piece) for line in lines for piece in split_runs(line)]
    if paragraphed:
        groups: list[list[str]] = [[]]
        for line in tidy:
            if line:
                groups[-1].append(line)
            elif groups[-1]:
                groups.append([])
        tidy = [joined for group in groups for joined in join_lines(group)]
    return tuple(_bullet_block(line) for line in tidy if line)


def _bullet_block(line: str) -> Block:
    if _BULLET.match(line) and _BULLET.sub("", line):
        return Block(_BULLET.sub("", line), list_item=True)
    return Block(line)


def _tidied(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Blocks from markup, each line tidied; furniture that markup hid from the line check dropped."""
    kept: list[Block] = []
    removed: list[str] = []
    for block in blocks:
        text = tidy_line(block.text)
        if not text:
            continue
        if is_noise(text):
            removed.append(text)
            continue
        kept.append(Block(text, block.heading, block.list_item, block.hint))
    return tuple(kept), tuple(removed)


def _without_repeated_title(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Web pages print the headline twice (page title + article title): keep the first."""
    if not blocks:
        return blocks, ()
    first = re.sub(r"\W", "", blocks[0].text).casefold()
    repeats = [
        i
        for i in (1, 2)
        if i < len(blocks) and len(blocks[i].text) <= 80 and re.sub(r"\W", "", blocks[i].text).casefold() == first
    ]
    return tuple(b for i, b in enumerate(blocks) if i not in repeats), tuple(blocks[i].text for i in repeats)


def _without_footer(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], tuple[Notice, ...]]:
    """The page's trailing boilerplate (licence template, credits, share and QR lines) dropped, a notice each."""
    start, paragraphs = footer([b.text for b in blocks])
    if start == 0 or start >= len(blocks):
        return blocks, ()
    notices = tuple(Notice("read", f"dropped the page footer after the speech: {_short(p)}") for p in paragraphs)
    return blocks[:start], notices


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "…"


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """`---` … `---` at the very top: `key: value` lines (title, date, occasion, speaker …); nested YAML
    (indented lines, list items) is skipped, only top-level scalar keys are kept."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return {}, lines
    for end in range(first + 1, min(len(lines), first + 60)):
        if lines[end].strip() == "---":
            body = [line for line in lines[first + 1 : end] if line.strip()]
            pairs = [_FRONT_KEY.match(line) for line in body if not _FRONT_MORE.match(line)]
            if pairs and all(pairs):
                meta = {m.group(1).lower(): m.group(2).strip().strip("\"'") for m in pairs if m}
                return {k: v for k, v in meta.items() if v}, lines[end + 1 :]
            break
    return {}, lines


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False
