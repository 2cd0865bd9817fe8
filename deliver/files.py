"""Files written the safe way (to a temp name in the same folder, then renamed into place), and safe
file names made from titles (the package folder, the section audio files)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

_SLUG_MAX: Final = 60


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
    return text or "speech"
