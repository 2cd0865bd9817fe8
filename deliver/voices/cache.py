"""The synthesis cache: one file per rendition, keyed by everything that changes its sound.

A rebuild only synthesizes what changed, and an interrupted build resumes: every entry is
written to a temp name and renamed, the metadata last, so a half-written entry never counts.
An entry's audio file is named for its content's hash and never rewritten: two builds sharing the
cache may each synthesize the same words (eSpeak's samples differ from one call to the next), and
each reads back exactly the audio whose durations it was given, whichever metadata lands last.
The cache is an optimisation, never a reason for a build to fail: an entry that does not validate
is synthesized again (and its bad files cleared), and when the disk is full or read-only the
renditions are held in memory for this build and `problem` says why, for a notice.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any, NamedTuple

from deliver.files import write_bytes
from deliver.voices.base import Boundary, Engine, Prosody, Rendition, Voice

_SCHEMA = 1
_FORMATS = ("mp3", "wav")
_NAMED = re.compile(r"[0-9a-f]{64}\.[0-9a-f]{16}\.(?:mp3|wav)")
"""An audio file name the cache makes: `<key>.<first 16 hex of its sha256>.<format>`."""


class AudioRef(NamedTuple):
    """Where one rendition's audio lies, and what it must hash to (`file` empty: held in memory)."""

    key: str
    file: str
    sha256: str


class Stored(NamedTuple):
    """A rendition as the cache holds it, and where to read its audio back."""

    rendition: Rendition
    ref: AudioRef


def cache_key(engine: Engine, voice: Voice, prosody: Prosody, text: str) -> str:
    """Hash of canonical JSON of engine (and its version), voice, prosody and text."""
    canonical = json.dumps(
        {"schema": _SCHEMA, "engine": engine.name, "version": engine.version, "voice": voice.name,
         "prosody": asdict(prosody), "text": text},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Cache:
    """Renditions on disk under `root/<k[:2]>/<key>.{mp3|wav,json}`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problem: str | None = None
        """Why renditions could not be stored (the first reason), or None while the cache works."""
        self._held: dict[str, Rendition] = {}

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / key

    def has(self, key: str) -> bool:
        """Whether an entry for `key` is stored (not checked: a cheap look for forecasts)."""
        return self._paths(key)[0].is_file()

    def get(self, key: str) -> Rendition | None:
        """The stored rendition, or None when absent or damaged (it is then synthesized again)."""
        found = self.find(key)
        return None if found is None else found.rendition

    def find(self, key: str) -> Stored | None:
        """The stored rendition and where its audio lies, or None when absent or damaged."""
        if key in self._held:
            rendition = self._held[key]
            return Stored(rendition, AudioRef(key, "", hashlib.sha256(rendition.audio).hexdigest()))
        meta_path, stem = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return _valid(meta, stem)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def read(self, ref: AudioRef) -> bytes | None:
        """The audio `ref` names, or None when it is gone or no longer what was stored."""
        if not ref.file:
            held = self._held.get(ref.key)
            audio = b"" if held is None else held.audio
        else:
            try:
                audio = (self.root / ref.key[:2] / ref.file).read_bytes()
            except OSError:
                return None
        return audio if audio and hashlib.sha256(audio).hexdigest() == ref.sha256 else None

    def put(self, key: str, rendition: Rendition) -> AudioRef:
        """Store atomically: audio first (under a name of its own content), then the metadata that makes the
        entry valid. When that cannot be done the rendition is held in memory instead and `problem` records
        why; never raises OSError. Returns where the audio can be read back."""
        meta_path, stem = self._paths(key)
        sha = hashlib.sha256(rendition.audio).hexdigest()
        name = f"{key}.{sha[:16]}.{rendition.format}"
        meta = {
            "format": rendition.format,
            "file": name,
            "duration": rendition.duration,
            "bytes": len(rendition.audio),
            "sha256": sha,
            "boundaries": [[b.start, b.end, b.text_start, b.text_end] for b in rendition.boundaries],
        }
        audio_path = stem.parent / name
        try:
            for attempt in (1, 2):
                try:
                    meta_path.parent.mkdir(parents=True, exist_ok=True)
                    write_bytes(audio_path, rendition.audio)
                    write_bytes(meta_path, json.dumps(meta).encode("utf-8"))
                    return AudioRef(key, name, sha)
                except (IsADirectoryError, NotADirectoryError, FileExistsError):
                    if attempt == 2 or not _clear_in_the_way((audio_path, meta_path)):
                        raise
        except OSError as exc:
            self._held[key] = rendition
            if self.problem is None:
                where = exc.filename or self.root
                self.problem = f"{where}: {exc.strerror or exc}"
        return AudioRef(key, "", sha)


def _valid(meta: Any, stem: Path) -> Stored | None:
    """The rendition an entry's metadata and audio describe, when they agree and make sense. Entries written
    before audio files were named for their content have no `file` (their audio is `<key>.<format>`)."""
    if meta.get("format") not in _FORMATS:
        return None
    duration = float(meta["duration"])
    if not math.isfinite(duration) or duration <= 0:
        return None
    name = meta.get("file", f"{stem.name}.{meta['format']}")
    if name != f"{stem.name}.{meta['format']}" and not (_NAMED.fullmatch(name) and name.startswith(stem.name)):
        return None  # only a name the cache makes: never a path out of its folder
    audio = (stem.parent / name).read_bytes()
    sha = hashlib.sha256(audio).hexdigest()
    if len(audio) != meta["bytes"] or sha != meta["sha256"]:
        return None
    bounds = tuple(Boundary(float(b[0]), float(b[1]), int(b[2]), int(b[3])) for b in meta["boundaries"])
    if any(not (math.isfinite(b.start) and math.isfinite(b.end)) or b.end < b.start for b in bounds):
        return None
    return Stored(Rendition(audio, meta["format"], duration, bounds), AudioRef(stem.name, name, sha))


def _clear_in_the_way(entry: tuple[Path, ...]) -> bool:
    """Remove a folder standing where an entry file goes (its name is a sha256 key: only the cache makes
    such names). A file where a shard folder goes is left alone. Returns whether anything was removed."""
    cleared = False
    for path in entry:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            cleared = True
    return cleared
