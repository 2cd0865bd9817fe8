"""The output folder: atomic replacement of the whole package, and the manifest.

A package is built in a hidden sibling folder and swapped in by rename, so a reader sees the
previous complete package or the new one, never a mix; a folder deliver did not make is never
replaced without --force. One build at a time holds a package's lock file; under it, debris
of a build that was killed (its hidden folders and temp files) is cleared away.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from deliver.errors import MissingTool, OutputError
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
def building(out_dir: Path, name: str) -> Iterator[Path]:
    """A staging folder for package `name`, removed when the block fails (call under `locked`). A write
    that fails for want of space or permission (here or in ffmpeg) becomes one OutputError saying so."""
    try:
        yield staging(out_dir, name)
    except OSError as exc:
        _discard_stages(out_dir, name)
        raise write_failure(exc, out_dir) from None
    except MissingTool as exc:  # ffmpeg writes into the stage too: a full disk is not a missing tool
        _discard_stages(out_dir, name)
        raise tool_write_failure(str(exc), out_dir) or exc from None
    except BaseException:
        _discard_stages(out_dir, name)
        raise


def _discard_stages(out_dir: Path, name: str) -> None:
    """Remove every staging folder of package `name`: under its lock they are all this build's (one a stop
    may have interrupted before its name was known) or a killed build's."""
    for stage in out_dir.glob(f".{name}.building-*"):
        for _ in range(3):  # a child still writing into it (ffmpeg) can make one pass fall short
            _remove(stage)
            if not os.path.lexists(stage):
                break
            time.sleep(0.1)


@contextmanager
def locked(out_dir: Path, name: str) -> Iterator[None]:
    """Hold `out_dir/.<name>.lock` while building package `name`; a second build of it fails at once.
    The file is removed on release (a holder re-checks that the file it locked is still the one on disk).
    Raises OutputError when a link or anything but a plain file of our own stands where the lock goes."""
    ensure_folder(out_dir)
    path = out_dir / f".{name}.lock"
    handle: IO[str] | None = None
    try:
        while True:
            handle = _open_lock(path)
            if not _try_lock(handle):
                handle.seek(0)
                holder = handle.read(200).strip() or "another process"
                handle.close()
                raise OutputError(
                    f"{out_dir / name}: another deliver build is writing it ({holder}); wait for it to finish"
                )
            if _same_file(handle, path):
                break
            handle.close()  # the previous holder removed it between our open and our lock: take the new one
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        _release(handle, path)


def _release(handle: IO[str] | None, path: Path) -> None:
    """Remove the lock file and release it; also when a stop came between our open and our lock, or
    before we knew the file we opened (it is removed only while we hold it, so another build never loses
    a lock it holds)."""
    if handle is None or handle.closed:
        try:
            handle = os.fdopen(os.open(path, os.O_RDWR | _NOFOLLOW), "r+", encoding="utf-8")
        except OSError:
            return
    if os.name != "nt" and _try_lock(handle) and _same_file(handle, path):
        path.unlink(missing_ok=True)
    handle.close()  # closing releases the lock


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open_lock(path: Path) -> IO[str]:
    """Open the lock file without following a link: in a shared folder anyone could plant one at this
    predictable name, and truncating it would destroy whatever it points at."""
    if path.is_symlink():
        raise OutputError(f"{path}: is a link where deliver keeps its lock file; remove it and build again")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(
                f"{path}: is a link where deliver keeps its lock file; remove it and build again"
            ) from None
        raise OutputError(f"{path}: cannot create the lock file ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise OutputError(
            f"{path}: is a hard link or not a plain file, where deliver keeps its lock file; remove it and build again"
        )
    return os.fdopen(fd, "r+", encoding="utf-8")


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.lstat(path))
    except OSError:
        return False


def _try_lock(handle: IO[str]) -> bool:
    try:
        if sys.platform == "win32":  # (the platform check mypy understands)
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def zip_path(target: Path) -> Path:
    """Where the package's zip goes: `<out>/<slug>.zip`, beside the folder."""
    return target.with_name(target.name + ".zip")


def clear_debris(out_dir: Path, name: str) -> list[str]:
    """Clear what a killed build of package `name` left: hidden staging folders and half-written zips are
    removed; a previous package (or its zip) set aside by a swap that was cut short is put back when nothing
    took its place. Only call under `locked`. Returns one message per thing done."""
    from deliver.package.owned import zip_matches

    target = out_dir / name
    done = []
    for path in sorted(out_dir.glob(f".{name}.old-*"), key=lambda p: p.suffix == ".zip"):
        if path.is_dir() and not path.is_symlink() and not os.path.lexists(target):
            os.replace(path, target)
            done.append(f"put back the previous package an interrupted build had set aside ({path.name})")
        elif path.suffix == ".zip" and not os.path.lexists(zip_path(target)) and zip_matches(path, target):
            os.replace(path, zip_path(target))
            done.append(f"put back the previous zip an interrupted build had set aside ({path.name})")
        else:
            _remove(path)
            done.append(f"removed what an interrupted build left: {path.name}")
    for pattern in (f".{name}.building-*", f".{name}.zip.*.tmp"):
        for path in out_dir.glob(pattern):
            _remove(path)
            done.append(f"removed what an interrupted build left: {path.name}")
    return done


def _remove(path: Path) -> None:
    """Remove one of our hidden leftovers; a link planted under such a name goes, never what it points at."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def check_target(target: Path, force: bool) -> None:
    """Refuse to replace a folder deliver did not make (unless forced) or a file."""
    if target.is_file() or target.is_symlink():
        raise OutputError(f"{target}: exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()) and not made_by_us(target) and not force:
        raise OutputError(
            f"{target}: exists and was not made by deliver; use --force to replace it or choose another --out"
        )


def publish(built: Path, target: Path, zipped: bool, drop_zip: bool) -> None:
    """Zip `built` (when `zipped`) and swap it in for `target`; `drop_zip` says the zip already there is the
    previous package's (a --no-zip build removes it, as it no longer matches). Raises OutputError when a
    step cannot be done; `target`, its zip and everything else are then as they were, and no temp is left."""
    archive = zip_to_temp(built, target.name) if zipped else None
    try:
        swap_in(built, target, archive, drop_zip)
    finally:
        if archive is not None:
            archive.unlink(missing_ok=True)


def swap_in(built: Path, target: Path, archive: Path | None = None, drop_zip: bool = True) -> None:
    """Replace `target` (and its zip) by `built` (and `archive`) as a whole. Each old one is renamed aside
    before its new one is renamed in, and deleted only when all are in place: a failure at any step undoes
    the steps before it (OutputError), and a kill leaves the old ones aside, where `clear_debris` puts them
    back. Between the folder and the zip a kill leaves the new folder and no zip, never a zip that does not
    match the folder."""
    zipped, tag = zip_path(target), f".{target.name}.old-{os.getpid()}"
    asides = [(old, target.with_name(tag + suffix)) for old, suffix, wanted in
              ((target, "", True), (zipped, ".zip", archive is not None or drop_zip))
              if wanted and os.path.lexists(old)]  # fmt: skip
    steps = [*asides, (built, target), *([(archive, zipped)] if archive is not None else [])]
    done: list[tuple[Path, Path]] = []
    try:
        for source, destination in steps:
            os.replace(source, destination)
            done.append((source, destination))
    except BaseException as exc:
        _undo(done)
        if isinstance(exc, OSError):
            raise OutputError(
                f"{exc.filename or target}: cannot put the new package in place ({exc.strerror or exc}); "
                "the previous one is left as it was"
            ) from None
        raise
    for _, aside in asides:
        _remove(aside)


def _undo(done: list[tuple[Path, Path]]) -> None:
    """Rename back what a swap moved, last first; what cannot be moved back stays aside for `clear_debris`."""
    for source, destination in reversed(done):
        with suppress(OSError):
            os.replace(destination, source)


_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EISDIR: "a folder stands where a file goes",
    errno.ENOTDIR: "a file stands where a folder goes",
    errno.ENAMETOOLONG: "a file name is too long",
}
_TOOL_SAYS = {"No space left on device": errno.ENOSPC, "Read-only file system": errno.EROFS,
              "Permission denied": errno.EACCES, "Disk quota exceeded": errno.EDQUOT}  # fmt: skip
"""What a program (ffmpeg) writes when it fails for the same reasons (strerror's words)."""


def write_failure(exc: OSError, out_dir: Path) -> OutputError:
    """The one line for a package that could not be written (a full or read-only disk, a folder where a
    file goes …): what went wrong and where, and that the previous package is as it was."""
    what = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
    at = f" (at {Path(exc.filename).name})" if exc.filename else ""
    return OutputError(f"{out_dir}: cannot write the package: {what}{at}; the previous package is left as it was")


def tool_write_failure(message: str, out_dir: Path) -> OutputError | None:
    """The same line when a program deliver runs (ffmpeg) failed to write for one of those reasons."""
    for words, code in _TOOL_SAYS.items():
        if words in message:
            return write_failure(OSError(code, words), out_dir)
    return None


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_STORED = (".mp3", ".pptx", ".png", ".zip")
"""Already compressed: stored as is (deflating them costs time and saves nothing)."""


def zip_to_temp(folder: Path, name: str) -> Path:
    """Zip `folder` as `<name>/…` into a hidden temp file beside it (`.<name>.zip.*.tmp`), for `swap_in`.
    The zip is written through the descriptor mkstemp opened, never reopened by name (a shared folder)."""
    fd, tmp = tempfile.mkstemp(dir=folder.parent, prefix=f".{name}.zip.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file, zipfile.ZipFile(file, "w") as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                method = zipfile.ZIP_STORED if path.suffix.lower() in _STORED else zipfile.ZIP_DEFLATED
                archive.write(path, f"{name}/{path.relative_to(folder).as_posix()}", compress_type=method)
        publish_mode(Path(tmp))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
