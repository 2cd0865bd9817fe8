"""Voiced sections (`takes.SectionVoice`) → the package's audio files: audio/NN-<section>.mp3,
audio/speech.mp3, subtitles/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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
    """Encode each section (on every core), join them frame by frame into the whole-speech track with a
    pause between sections, then write chapters and subtitles. At most a few sections sit in memory.
    `encoded`: a folder keeping encoded sections by a hash of their audio (None: encode every section)."""
    (stage / "audio").mkdir(exist_ok=True)
    (stage / "subtitles").mkdir(exist_ok=True)
    sections: list[SectionAudio] = []
    workers = os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[None]] = deque([pool.submit(export_mp3, silence(SECTION_GAP), stage / ".gap.mp3", {})])
        for v in voiced:
            step(f"encoding audio {v.index + 1}/{len(voiced)}")
            section, audio = _section(stage, speech, v, pauses)
            sections.append(section)
            tags = {
                "title": f"{v.index + 1:02d} {speech.sections[v.index].title}",
                "album": speech.title,
                "artist": "deliver",
                "track": str(v.index + 1),
            }
            pending.append(pool.submit(_encoded, audio, section.path, tags, encoded))
            while len(pending) > workers:  # bounded: a long speech's audio never piles up in memory
                pending.popleft().result()
        for job in pending:
            job.result()
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
