"""Voiced sections (`takes.SectionVoice`) → the package's audio files: audio/NN-<section>.mp3,
audio/speech.mp3, subtitles/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deliver.audio.mp3 import (
    MP3_ARGS,
    SECTION_GAP,
    SectionAudio,
    assemble,
    export_mp3,
    seconds_of,
    silence,
    tag_whole,
    write_chapters,
)
from deliver.audio.mp3join import join
from deliver.audio.subtitles import srt, vtt
from deliver.audio.takes import Pauses, SectionVoice
from deliver.files import slug, write_text
from deliver.model import Cue, Speech


@dataclass(frozen=True)
class Soundtrack:
    """Everything narration put in the package, times in seconds."""

    sections: tuple[SectionAudio, ...]
    starts: tuple[float, ...]
    """Where each section begins in audio/speech.mp3."""
    subtitles: tuple[Cue, ...]
    """Whole-speech subtitle cues (timeline of audio/speech.mp3)."""
    duration: float


def section_file(index: int, title: str) -> str:
    return f"{index + 1:02d}-{slug(title)[:40]}.mp3"


def write_soundtrack(
    stage: Path, speech: Speech, voiced: tuple[SectionVoice, ...], pauses: Pauses,
    step: Callable[[str], None] = lambda _: None, encoded: Path | None = None,
) -> Soundtrack:  # fmt: skip
    """Encode every section of a finished narration and join them (see `SoundtrackWriter`)."""
    with SoundtrackWriter(stage, speech, pauses, encoded) as writer:
        for v in voiced:
            writer.add(v)
        return writer.finish(step)


def encoders() -> int:
    """How many sections are encoded at once: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 2


class SoundtrackWriter:
    """The package's audio, written while the narration goes on: `add` hands over each section as soon
    as it is voiced (in any order) and a worker thread assembles and encodes it (ffmpeg runs LAME in its
    own process, so the workers hold the GIL only to join PCM); `finish` joins the sections in order into
    audio/speech.mp3 with a pause between them, then writes chapters and subtitles. Each worker holds one
    section's PCM at a time, so memory stays bounded by a few sections whatever the speech's length.
    `encoded`: a folder keeping encoded sections by a hash of their audio (None: encode every section).

    Use it as a context manager: leaving it by an error or an interrupt drops the sections not started
    and waits for those being encoded (each writes at a temp name, renamed when whole), so nothing is
    left half-written in `stage`."""

    def __init__(self, stage: Path, speech: Speech, pauses: Pauses, encoded: Path | None = None) -> None:
        self.stage, self.speech, self.pauses, self.encoded = stage, speech, pauses, encoded
        (stage / "audio").mkdir(exist_ok=True)
        (stage / "subtitles").mkdir(exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=encoders(), thread_name_prefix="encode")
        self._gap = self._pool.submit(export_mp3, silence(SECTION_GAP), stage / ".gap.mp3", {})
        self._sections: dict[int, Future[SectionAudio]] = {}

    def __enter__(self) -> SoundtrackWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def add(self, v: SectionVoice) -> None:
        """Queue section `v` for encoding. Raises the failure of a section encoded earlier, if any, so a
        broken encoder stops the build while it is still narrating."""
        jobs: list[Future[Any]] = [self._gap, *self._sections.values()]
        for job in jobs:
            if job.done() and job.exception() is not None:
                job.result()
        self._sections[v.index] = self._pool.submit(self._encode, v)

    def finish(self, step: Callable[[str], None] = lambda _: None) -> Soundtrack:
        """Wait for every section, join them in order; the soundtrack as the package has it."""
        sections: list[SectionAudio] = []
        self._gap.result()
        for n, index in enumerate(sorted(self._sections), start=1):
            step(f"encoding audio {n}/{len(self._sections)}")
            sections.append(self._sections[index].result())
        stage, speech = self.stage, self.speech
        whole = stage / "audio" / "speech.mp3"
        starts = join([s.path for s in sections], stage / ".gap.mp3", whole)
        (stage / ".gap.mp3").unlink()
        duration = starts[-1] + sections[-1].duration if sections else 0.0
        tag_whole(whole, {"title": speech.title, "artist": "deliver"})
        write_chapters(
            whole, [(speech.sections[s.index].title, t, t + s.duration) for s, t in zip(sections, starts, strict=True)]
        )
        cues = [c.shifted(t) for s, t in zip(sections, starts, strict=True) for c in s.subtitles]
        write_text(stage / "subtitles" / "speech.srt", srt(cues))
        write_text(stage / "subtitles" / "speech.vtt", vtt(cues))
        return Soundtrack(tuple(sections), tuple(starts), tuple(cues), duration)

    def _encode(self, v: SectionVoice) -> SectionAudio:
        """In a worker: the section's PCM joined from its takes, encoded to its mp3 (through the cache)."""
        section, audio = _section(self.stage, self.speech, v, self.pauses)
        tags = {
            "title": f"{v.index + 1:02d} {self.speech.sections[v.index].title}",
            "album": self.speech.title,
            "artist": "deliver",
            "track": str(v.index + 1),
        }
        _encoded(audio, section.path, tags, self.encoded)
        return section


_ENCODED = "mp3"
"""Folder of the voice cache holding encoded sections, by a hash of their audio and tags."""


def _encoded(audio: bytes, path: Path, tags: dict[str, str], store: Path | None) -> None:
    """`export_mp3` through a cache of encoded sections: a rebuild in which a section sounds the same (a
    headline or a bullet edited, another section changed) copies its mp3 instead of encoding it again."""
    if store is None:
        export_mp3(audio, path, tags)
        return
    digest = hashlib.sha256(audio + json.dumps([tags, MP3_ARGS], sort_keys=True).encode()).hexdigest()
    kept = store / f"{digest}.mp3"
    if kept.is_file():
        copy = path.with_name(f".{path.name}.copy")
        shutil.copyfile(kept, copy)
        os.replace(copy, path)
        return
    export_mp3(audio, path, tags)
    spare = store / f".{digest}.{os.getpid()}.tmp"
    try:  # a full or read-only cache only loses the shortcut
        store.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, spare)
        os.replace(spare, kept)
    except OSError:
        with contextlib.suppress(OSError):  # the cache's folder may be a file: nothing to clean then
            spare.unlink(missing_ok=True)


def _section(stage: Path, speech: Speech, v: SectionVoice, pauses: Pauses) -> tuple[SectionAudio, bytes]:
    audio, points, subtitles = assemble(v, pauses, speech.language)
    path = stage / "audio" / section_file(v.index, speech.sections[v.index].title)
    info = SectionAudio(v.index, path, seconds_of(audio), points, subtitles, v.engine, v.voice, v.fallback_from)
    return info, audio
