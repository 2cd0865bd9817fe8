"""The output folder: atomic replacement of the whole package, and the manifest.

A package is built in a hidden sibling folder and swapped in by rename, so a reader sees the
previous complete package or the new one, never a mix; a folder deliver did not make is never
replaced without --force. One build at a time holds a package's lock file; under it, debris
of a build that was killed (its hidden folders and temp files) is cleared away.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from deliver.errors import OutputError
from deliver.files import publish_mode, sha256_file

MANIFEST = "manifest.json"
_MAKER = "deliver"


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


def ensure_folder(out_dir: Path) -> None:
    """Create the output folder if needed. Raises OutputError when it cannot be made or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: the output folder is not writable")


def staging(out_dir: Path, name: str) -> Path:
    """A fresh hidden folder next to the final one, on the same filesystem (so the swap is a rename)."""
    ensure_folder(out_dir)
    folder = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.building-"))
    publish_mode(folder, directory=True)
    return folder


@contextmanager
def locked(out_dir: Path, name: str) -> Iterator[None]:
    """Hold `out_dir/.<name>.lock` while building package `name`; a second build of it fails at once.
    The file is removed on release (a holder re-checks that the file it locked is still the one on disk)."""
    ensure_folder(out_dir)
    path = out_dir / f".{name}.lock"
    while True:
        handle = path.open("a+")
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise OutputError(
                f"{out_dir / name}: another deliver build is writing it ({holder}); wait for it to finish"
            )
        if _same_file(handle, path):
            break
        handle.close()  # the previous holder removed it between our open and our lock: take the new one
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        if os.name != "nt":
            path.unlink(missing_ok=True)
        handle.close()  # closing releases the lock


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _try_lock(handle: IO[str]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def clear_debris(out_dir: Path, name: str) -> list[str]:
    """Remove what a killed build of package `name` left (hidden staging folders, set-aside old
    packages, half-written zips). Only call under `locked`. Returns the names removed."""
    patterns = (f".{name}.building-*", f".{name}.old-*", f".{name}.zip.*.tmp")
    removed = []
    for pattern in patterns:
        for path in out_dir.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def check_target(target: Path, force: bool) -> None:
    """Refuse to replace a folder deliver did not make (unless forced) or a file."""
    if target.is_file() or target.is_symlink():
        raise OutputError(f"{target}: exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()) and not made_by_us(target) and not force:
        raise OutputError(
            f"{target}: exists and was not made by deliver; use --force to replace it or choose another --out"
        )


def swap_in(built: Path, target: Path, archive: Path | None = None) -> None:
    """Replace `target` by `built` as a whole: rename the old one aside, rename the new one in, then delete
    the old. `archive` (a finished temp zip of `built`) becomes `<target>.zip`; the old zip goes first, so a
    kill in between leaves no zip rather than one that does not match the folder."""
    zipped = target.with_name(target.name + ".zip")
    if archive is not None or zipped.is_file():
        zipped.unlink(missing_ok=True)
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
    if archive is not None:
        os.replace(archive, zipped)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_STORED = (".mp3", ".pptx", ".png", ".zip")
"""Already compressed: stored as is (deflating them costs time and saves nothing)."""


def zip_to_temp(folder: Path, name: str) -> Path:
    """Zip `folder` as `<name>/…` into a hidden temp file beside it (`.<name>.zip.*.tmp`), for `swap_in`."""
    fd, tmp = tempfile.mkstemp(dir=folder.parent, prefix=f".{name}.zip.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                method = zipfile.ZIP_STORED if file.suffix.lower() in _STORED else zipfile.ZIP_DEFLATED
                archive.write(file, f"{name}/{file.relative_to(folder).as_posix()}", compress_type=method)
        publish_mode(Path(tmp))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
