"""The synthesis cache: one file per rendition, keyed by everything that changes its sound.

A rebuild only synthesizes what changed, and an interrupted build resumes: every entry is
written to a temp name and renamed, the metadata last, so a half-written entry never counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from deliver.files import write_bytes
from deliver.voices.base import Boundary, Engine, Prosody, Rendition, Voice

_SCHEMA = 1


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

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / key

    def has(self, key: str) -> bool:
        """Whether an entry for `key` is stored (not checked: a cheap look for forecasts)."""
        return self._paths(key)[0].is_file()

    def get(self, key: str) -> Rendition | None:
        """The stored rendition, or None when absent or damaged (it is then synthesized again)."""
        meta_path, stem = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            audio = stem.with_suffix(f".{meta['format']}").read_bytes()
            if len(audio) != meta["bytes"] or hashlib.sha256(audio).hexdigest() != meta["sha256"]:
                return None
            bounds = tuple(Boundary(*b) for b in meta["boundaries"])
            return Rendition(audio, meta["format"], float(meta["duration"]), bounds)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, rendition: Rendition) -> None:
        """Store atomically: audio first, then the metadata that makes the entry valid."""
        meta_path, stem = self._paths(key)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(stem.with_suffix(f".{rendition.format}"), rendition.audio)
        meta = {
            "format": rendition.format,
            "duration": rendition.duration,
            "bytes": len(rendition.audio),
            "sha256": hashlib.sha256(rendition.audio).hexdigest(),
            "boundaries": [[b.start, b.end, b.text_start, b.text_end] for b in rendition.boundaries],
        }
        write_bytes(meta_path, json.dumps(meta).encode("utf-8"))
