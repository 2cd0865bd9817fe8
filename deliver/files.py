"""Files written the safe way (to a temp name in the same folder, then renamed into place), safe file
names made from titles (the package folder, the section audio files), and zip archives (.docx, .pptx)
read the safe way (sizes checked before anything is inflated)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Final

_SLUG_MAX: Final = 60
_SLUG_BYTES: Final = 150
"""Room in a file name (255 bytes) for the slug plus `.<slug>.zip.XXXXXXXX.tmp` and the like."""


@lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish_mode(path: Path, directory: bool = False) -> None:
    """Temp files and folders are private (0600/0700); a finished output gets the user's usual mode."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        publish_mode(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def slug(title: str) -> str:
    """A folder name from a title: letters, digits and Chinese kept; no separators, dots or control characters."""
    text = unicodedata.normalize("NFKC", title)
    text = re.sub(r"[^\w\u3400-\u9fff]+", "-", text, flags=re.UNICODE).strip("-_")
    text = text[:_SLUG_MAX].strip("-_")
    while len(text.encode("utf-8")) > _SLUG_BYTES:  # rare CJK characters take 4 bytes; names cap at 255
        text = text[:-1].rstrip("-_")
    return text or "speech"


class ZipTooLarge(ValueError):
    """A zip member inflates past the limit its reader set (a decompression bomb, or not what we expected)."""


def check_zip(archive: zipfile.ZipFile, member_max: int, total_max: int) -> None:
    """Raise ZipTooLarge when any member declares more than `member_max` inflated bytes, or all of them
    together more than `total_max`: checked on the directory, before anything is inflated."""
    total = 0
    for info in archive.infolist():
        if info.file_size > member_max:
            raise ZipTooLarge(f"{info.filename} inflates to {info.file_size // 2**20} MB")
        total += info.file_size
    if total > total_max:
        raise ZipTooLarge(f"its parts inflate to {total // 2**20} MB")


@contextmanager
def open_member(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator[io.RawIOBase]:
    """Member `name` as a stream that raises ZipTooLarge once more than `limit` bytes came out of it
    (whatever its header declares), so a parser reading it never holds more than that."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ZipTooLarge(f"{name} inflates to {info.file_size // 2**20} MB")
    with archive.open(info) as raw:
        yield _Capped(raw, name, limit)


class _Capped(io.RawIOBase):
    """A read-only stream over `raw` that refuses to yield more than `limit` bytes in all."""

    def __init__(self, raw: IO[bytes], name: str, limit: int) -> None:
        self._raw, self._name, self._limit, self._read = raw, name, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        room = self._limit - self._read + 1
        data = self._raw.read(room if size is None or size < 0 else min(size, room))
        self._read += len(data)
        if self._read > self._limit:
            raise ZipTooLarge(f"{self._name} inflates past {self._limit // 2**20} MB")
        return data
