"""The output folder: a safe slug, atomic replacement of the whole package, and the manifest.

A package is built in a hidden sibling folder and swapped in by rename, so a reader sees the
previous complete package or the new one, never a mix; a folder deliver did not make is never
replaced without --force.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from deliver.errors import OutputError
from deliver.files import publish_mode, sha256_file

MANIFEST = "manifest.json"
_MAKER = "deliver"
_SLUG_MAX = 60


def slug(title: str) -> str:
    """A folder name from a title: letters, digits and Chinese kept; no separators, dots or control characters."""
    text = unicodedata.normalize("NFKC", title)
    text = re.sub(r"[^\w\u3400-\u9fff]+", "-", text, flags=re.UNICODE).strip("-_")
    text = text[:_SLUG_MAX].strip("-_")
    return text or "speech"


def file_entries(folder: Path) -> list[dict[str, Any]]:
    """Every file under `folder` (manifest excluded) with its size and sha256, in a stable order."""
    return [
        {"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    ]


def made_by_us(folder: Path) -> bool:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator", {}).get("name") == _MAKER


def generator() -> dict[str, str]:
    from deliver import __version__

    return {"name": _MAKER, "version": __version__}


def staging(out_dir: Path, name: str) -> Path:
    """A fresh hidden folder next to the final one, on the same filesystem (so the swap is a rename)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: the output folder is not writable")
    folder = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.building-"))
    publish_mode(folder, directory=True)
    return folder


def check_target(target: Path, force: bool) -> None:
    """Refuse to replace a folder deliver did not make (unless forced) or a file."""
    if target.is_file() or target.is_symlink():
        raise OutputError(f"{target}: exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()) and not made_by_us(target) and not force:
        raise OutputError(f"{target}: exists and was not made by deliver; use --force to replace it or choose another --out")


def swap_in(built: Path, target: Path) -> None:
    """Replace `target` by `built` as a whole: rename the old one aside, rename the new one in, then delete the old."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(built, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_STORED = (".mp3", ".pptx", ".png", ".zip")
"""Already compressed: stored as is (deflating them costs time and saves nothing)."""


def write_zip(folder: Path, path: Path) -> None:
    """Zip `folder` as `<folder name>/…` into `path`, atomically (temp file, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                method = zipfile.ZIP_STORED if file.suffix.lower() in _STORED else zipfile.ZIP_DEFLATED
                archive.write(file, f"{folder.name}/{file.relative_to(folder).as_posix()}", compress_type=method)
        publish_mode(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
