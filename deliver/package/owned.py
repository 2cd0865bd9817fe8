"""What in the output folder is ours to replace: the files a package's manifest lists, unchanged since
deliver wrote them, its zip, and only for the speech it was made from.

"The same speech" is the same file (whatever its edits), or another file whose text is mostly the old
package's (a "save as 讲话稿v2" copy: at least half the old sentences are still there). Two speeches
whose titles only slug alike share almost none, and the second is refused rather than given a
distinct folder name: a folder name that depends on which speech was built first would surprise more.

A rebuild replaces the whole package folder and its zip. Anything else there (a note, the speech kept
beside the slides, a deck edited in place, the user's own `<slug>.zip`, the package of another speech
whose title slugs alike) would be lost with it, so the build stops and names it unless --force.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deliver.errors import OutputError
from deliver.files import sha256_file
from deliver.package.folder import MANIFEST, zip_path

OUTLINE = "outline.json"
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "ehthumbs.db"})
"""What file browsers drop into every folder they show: never the user's work, so not a reason to stop."""
_MANIFEST_MAX = 16 * 2**20
_ZIP_MAX = 4 * 2**30
"""A zip claiming more than this is not one of our packages (and is not read to find out)."""


def origin_of(path: str | Path) -> str:
    """A private id of where a speech was read from: sha256 of its resolved path ("-" for stdin). The
    manifest keeps this, not the path, because packages are shared and a path names its user."""
    where = "-" if str(path) == "-" else str(Path(path).resolve())
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Speaker:
    """Which speech a build is for, as far as telling it from another one goes."""

    origin: str
    """`origin_of` its path."""
    name: str
    """Its file name (older manifests record only this)."""
    said: str
    """Its spoken text (every point's text)."""


def check_replaceable(target: Path, speech: Speaker, zipped: bool, force: bool) -> bool:
    """Raise OutputError naming the first thing a rebuild of `target` would delete or replace that is not
    ours: a file the manifest does not list or one changed since, the package of another speech, a zip not
    made by deliver for this speech (only when a zip is to be written). Returns whether the zip beside
    `target` may be replaced or removed. With `force`, nothing is refused (but a zip not ours is only ever
    replaced by a new one, never just removed)."""
    archive = zip_path(target)
    if zipped and archive.is_dir() and not archive.is_symlink():  # never a zip of ours, even with --force
        raise OutputError(f"{archive}: is a folder where the package's zip goes; move it away or build with --no-zip")
    if not force:
        manifest = read_manifest(target / MANIFEST) if target.is_dir() else None
        if manifest is not None:
            _check_files(target, manifest)
            _check_origin(target, manifest, _read(target / OUTLINE), speech)
    if not os.path.lexists(archive):
        return False
    inside = zip_manifest(archive, target.name)
    ours = inside is not None and _same_speech(inside, _zip_member(archive, f"{target.name}/{OUTLINE}"), speech)
    if zipped and not ours and not force:
        raise OutputError(
            f"{archive}: was not made by deliver for this speech and would be replaced; "
            "move it away, choose another --out, or pass --force"
        )
    return ours or zipped  # --force replaces a zip that is not ours, and --no-zip never removes one


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A deliver manifest's content, or None when the file is absent, damaged or not deliver's."""
    try:
        if path.is_symlink() or path.stat().st_size > _MANIFEST_MAX:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if _is_deliver_manifest(data) else None


def _is_deliver_manifest(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("generator"), dict)
        and data["generator"].get("name") == "deliver"
        and isinstance(data.get("files"), list)
    )


def _check_files(target: Path, manifest: dict[str, Any]) -> None:
    listed = {e.get("path"): e for e in manifest["files"] if isinstance(e, dict)}
    for root, folders, files in os.walk(target):
        folders.sort()
        for file in sorted(files) + sorted(f for f in folders if os.path.islink(os.path.join(root, f))):
            path = Path(root, file)
            relative = path.relative_to(target).as_posix()
            if relative == MANIFEST or file in _LITTER:
                continue
            entry = listed.get(relative)
            if file.startswith("~$") and entry is None:  # Office's owner file beside a document it has open
                raise OutputError(
                    f"{path}: {file[2:]} is open in PowerPoint, WPS or Word; close it and build again "
                    "(or save your edits under another name outside the package folder)"
                )
            if entry is None or path.is_symlink():
                raise OutputError(
                    f"{path}: was not made by deliver and a rebuild would delete it; move it out of "
                    f"{target.name}/ (or pass --force)"
                )
            if path.stat().st_size != entry.get("bytes") or sha256_file(path) != entry.get("sha256"):
                raise OutputError(
                    f"{path}: changed since deliver made it and a rebuild would replace it; save your edits "
                    f"outside {target.name}/ (or pass --force)"
                )


def _check_origin(target: Path, manifest: dict[str, Any], outline: bytes | None, speech: Speaker) -> None:
    if not _same_speech(manifest, outline, speech):
        made_from = manifest.get("source", {}).get("name", "?") if isinstance(manifest.get("source"), dict) else "?"
        raise OutputError(
            f"{target}: holds the package of another speech ({made_from}) whose title makes the same folder name; "
            "choose another --out, or pass --force to replace it"
        )


def _same_speech(manifest: dict[str, Any], outline: bytes | None, speech: Speaker) -> bool:
    """Made from the same speech file (its origin id; older packages: its file name), or from a copy of it:
    at least half the old package's sentences (from its outline.json) are in the speech being built."""
    found = manifest.get("source")
    source: dict[str, Any] = found if isinstance(found, dict) else {}
    same_file = source["origin"] == speech.origin if "origin" in source else source.get("name") == speech.name
    if same_file:
        return True
    old = _sentences(_outline_text(outline))
    return bool(old) and len(old & _sentences(speech.said)) * 2 >= len(old)


_SENTENCE_END = re.compile(r"[。！？!?；;…\n]+|(?<=[.])\s+")


def _sentences(text: str) -> set[str]:
    """The text's sentences, whitespace-free; short ones (同志们：, Thank you.) say nothing about identity."""
    return {s for s in ("".join(part.split()) for part in _SENTENCE_END.split(text)) if len(s) >= 6}


def _outline_text(outline: bytes | None) -> str:
    try:
        data = json.loads(outline or b"{}")
        return "\n".join(p["text"] for s in data.get("sections", []) for p in s.get("points", []))
    except (ValueError, TypeError, KeyError, AttributeError):
        return ""


def _read(path: Path) -> bytes | None:
    try:
        return None if path.is_symlink() or path.stat().st_size > _MANIFEST_MAX else path.read_bytes()
    except OSError:
        return None


def _zip_member(archive: Path, member: str) -> bytes | None:
    """A member of a zip `zip_manifest` has checked whole (its size is the manifest's)."""
    try:
        with zipfile.ZipFile(archive) as z:
            return z.read(member) if z.getinfo(member).file_size <= _MANIFEST_MAX else None
    except (OSError, KeyError, ValueError, RuntimeError, zipfile.BadZipFile, EOFError):
        return None


def zip_manifest(archive: Path, name: str) -> dict[str, Any] | None:
    """The manifest inside `archive` when it is one of our package zips, whole and unchanged (every member
    the manifest lists, with its sha256, and nothing else); else None. A link is never ours."""
    if archive.is_symlink() or not archive.is_file():
        return None
    try:
        with zipfile.ZipFile(archive) as z:
            members = {i.filename: i for i in z.infolist() if not i.is_dir()}
            head = members.get(f"{name}/{MANIFEST}")
            if head is None or head.file_size > _MANIFEST_MAX:
                return None
            manifest = json.loads(z.read(head).decode("utf-8"))
            if not _is_deliver_manifest(manifest) or not _zip_holds(z, members, manifest, name):
                return None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, zipfile.BadZipFile, EOFError):
        return None
    return dict(manifest)


def _zip_holds(z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any], name: str) -> bool:
    listed = {f"{name}/{e['path']}": e for e in manifest["files"]}
    if set(members) != set(listed) | {f"{name}/{MANIFEST}"}:
        return False
    if sum(i.file_size for i in members.values()) > _ZIP_MAX:
        return False
    for member, entry in listed.items():
        if members[member].file_size != entry["bytes"]:
            return False
        digest = hashlib.sha256()
        with z.open(member) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != entry["sha256"]:
            return False
    return True


def zip_matches(archive: Path, target: Path) -> bool:
    """`archive` is our zip of exactly the package now in `target` (same manifest)."""
    inside = zip_manifest(archive, target.name)
    return inside is not None and inside == read_manifest(target / MANIFEST)
