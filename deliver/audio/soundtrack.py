"""Voiced sections (`takes.SectionVoice`) → the package's audio files: audio/NN-<section>.mp3,
audio/speech.mp3, subtitles/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from deliver.audio.mp3 import (
    MP3_ARGS,
    SECTION_GAP,
    Mp3Stream,
    SectionAudio,
    export_mp3,
    silence,
    stream_section,
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
        # More sections at once than cores: a worker holds one take's PCM at a time, and a speech of a few
        # long sections then keeps every core busy to the end instead of leaving one on the last section.
        self._pool = ThreadPoolExecutor(max_workers=2 * encoders(), thread_name_prefix="encode")
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
        """In a worker: the section's takes decoded and streamed into its encoder one by one (LAME runs
        while the next take is decoded), or its mp3 copied from the store when it would sound the same."""
        speech, pauses = self.speech, self.pauses
        path = self.stage / "audio" / section_file(v.index, speech.sections[v.index].title)
        tags = {
            "title": f"{v.index + 1:02d} {speech.sections[v.index].title}",
            "album": speech.title,
            "artist": "deliver",
            "track": str(v.index + 1),
        }
        kept = self.encoded / f"{_digest(v, pauses, tags)}.mp3" if self.encoded is not None else None
        if kept is not None and kept.is_file():
            duration, points, subtitles = stream_section(v, pauses, speech.language, lambda _: None)
            copy = path.with_name(f".{path.name}.copy")
            shutil.copyfile(kept, copy)
            os.replace(copy, path)
        else:
            stream = Mp3Stream(path, tags)
            try:
                duration, points, subtitles = stream_section(v, pauses, speech.language, stream.write)
                stream.close()
            except BaseException:
                stream.abort()
                raise
            if kept is not None:
                _keep(path, kept)
        return SectionAudio(v.index, path, duration, points, subtitles, v.engine, v.voice, v.fallback_from)


_ENCODED = "mp3"
"""Folder of the voice cache holding encoded sections, by a hash of their audio and tags."""


_FORM: Final = 1
"""Version of how takes become a section's PCM (`stream_section`, `pcm`): part of every stored section's
digest, so a change there is never served an mp3 made the old way."""


def _digest(v: SectionVoice, pauses: Pauses, tags: dict[str, str]) -> str:
    """What a section's mp3 is made from: its takes' audio as stored, in order, the pauses, tags and
    encoder settings. A rebuild in which a section sounds the same (a headline or a bullet edited, another
    section changed) finds its mp3 by this before decoding anything twice."""
    digest = hashlib.sha256(json.dumps([_FORM, pauses.sentence, pauses.point, tags, MP3_ARGS], sort_keys=True).encode())
    for take in v.takes:
        audio = take.rendition.audio or take.read()
        digest.update(json.dumps([take.said, take.rendition.format, len(audio)]).encode())
        digest.update(audio)
    return digest.hexdigest()


def _keep(path: Path, kept: Path) -> None:
    """A copy of the section's new mp3 in the store; a full or read-only store only loses the shortcut."""
    spare = kept.with_name(f".{kept.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, spare)
        os.replace(spare, kept)
    except OSError:
        with contextlib.suppress(OSError):  # the store's folder may be a file: nothing to clean then
            spare.unlink(missing_ok=True)
