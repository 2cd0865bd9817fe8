"""Voiced sections (`takes.SectionVoice`) → the package's audio files: audio/NN-<section>.mp3,
audio/speech.mp3, subtitles/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any, Final, TypeVar

from deliver.audio.feed import Abandoned, Feed
from deliver.audio.mp3 import (
    ENCODING,
    SECTION_GAP,
    SectionAudio,
    export_mp3,
    silence,
    tag_whole,
    write_chapters,
)
from deliver.audio.mp3join import join
from deliver.audio.mp3pieces import PIECE_SECONDS, PiecewiseMp3
from deliver.audio.sectionpcm import SectionPcm, Sink, stream_section
from deliver.audio.subtitles import srt, vtt
from deliver.audio.takes import Pauses, SectionVoice, Take
from deliver.files import slug, write_text
from deliver.model import Cue, Speech

T = TypeVar("T")


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
    """The package's audio, written while the narration goes on. A section is handed over take by take
    while it is voiced (`begin`, `take`, `end`) or whole (`add`), sections in any order; a worker thread
    streams each section's takes into its encoder as they come (soxr and LAME release the GIL while they
    work, so the worker holds it only to read takes). `finish` joins the sections in order into
    audio/speech.mp3 with a pause between them, then writes chapters and subtitles. A worker holds one
    take's PCM at a time, so memory stays bounded whatever the speech's length.
    `encoded`: a folder keeping encoded sections by a hash of their audio (None: encode every section).

    Use it as a context manager: leaving it by an error or an interrupt drops the sections not started,
    stops those still being voiced and waits for the others (each writes at a temp name, renamed when
    whole), so nothing is left half-written in `stage`."""

    def __init__(self, stage: Path, speech: Speech, pauses: Pauses, encoded: Path | None = None) -> None:
        self.stage, self.speech, self.pauses, self.encoded = stage, speech, pauses, encoded
        (stage / "audio").mkdir(exist_ok=True)
        (stage / "subtitles").mkdir(exist_ok=True)
        # More sections at once than cores: a section being voiced holds a worker while it waits for its
        # takes, and a speech of a few long sections then keeps every core busy to the end.
        self._pool = ThreadPoolExecutor(max_workers=2 * encoders(), thread_name_prefix="encode")
        self._failed: list[Future[Any]] = []
        self._gap = self._submit(export_mp3, silence(SECTION_GAP), stage / ".gap.mp3", {})
        self._sections: dict[int, Future[SectionAudio]] = {}
        self._feeds: dict[int, Feed] = {}

    def __enter__(self) -> SoundtrackWriter:
        return self

    def __exit__(self, *_: object) -> None:
        for feed in self._feeds.values():
            feed.abandon()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def begin(self, head: SectionVoice) -> None:
        """Section `head.index` is being voiced by `head.engine` (`head.takes` is empty): its takes follow by
        `take`, in order, and `end` closes it. Begun again (its narration fell back to another engine), the
        takes given before are dropped. Raises the failure of a section encoded earlier, if any."""
        self._check()
        earlier = self._feeds.pop(head.index, None)
        if earlier is not None:
            earlier.abandon()
        feed = self._feeds[head.index] = Feed(head)
        self._sections[head.index] = self._submit(self._encode_feed, feed)

    def take(self, index: int, take: Take, stored: bool = False) -> None:
        """The next take of section `index` (begun); `stored`: its audio was in the synthesis cache before this
        build. Raises the failure of a section encoded earlier, so a broken encoder stops the narration."""
        self._check()
        self._feeds[index].put(take, stored)

    def end(self, v: SectionVoice) -> None:
        """Section `v` is whole: the takes handed over since it began are `v`'s (else it is encoded from `v`)."""
        self._check()
        feed = self._feeds.pop(v.index, None)
        if feed is not None and feed.count == len(v.takes) and feed.head == replace(v, takes=()):
            feed.close()
            return
        if feed is not None:
            feed.abandon()
        self.add(v)

    def add(self, v: SectionVoice) -> None:
        """Queue section `v`, whole, for encoding. Raises the failure of a section encoded earlier, if any."""
        self._check()
        self._sections[v.index] = self._submit(self._encode, v)

    def finish(self, step: Callable[[str], None] = lambda _: None) -> Soundtrack:
        """Wait for every section, join them in order; the soundtrack as the package has it."""
        if self._feeds:
            raise RuntimeError(f"sections {sorted(self._feeds)} were begun and never ended")
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

    def _submit(self, job: Callable[..., T], *args: Any) -> Future[T]:
        future = self._pool.submit(job, *args)
        future.add_done_callback(self._watch)
        return future

    def _watch(self, job: Future[Any]) -> None:
        """Keep a job's failure, to be raised on the next handover (a section voiced again is no failure)."""
        if (
            not job.cancelled()
            and isinstance(job.exception(), Exception)
            and not isinstance(job.exception(), Abandoned)
        ):
            self._failed.append(job)

    def _check(self) -> None:
        if self._failed:
            self._failed[0].result()

    def _encode_feed(self, feed: Feed) -> SectionAudio:
        """In a worker: a section's takes as they come. Until one is new to this build they are only gathered,
        so a section wholly from the synthesis cache is first looked for in the store (`_encode`); from the
        first new take on, every take goes into the encoder as soon as it is given."""
        early: list[Take] = []
        coming = feed.takes()
        for take, stored in coming:
            early.append(take)
            if not stored:
                return self._stream(feed.head, chain(early, (later for later, _ in coming)))
        return self._encode(replace(feed.head, takes=tuple(early)))

    def _encode(self, v: SectionVoice) -> SectionAudio:
        """In a worker: the section's mp3 copied from the store when it would sound the same, else encoded
        from its takes (see `_stream`)."""
        path, tags = self._target(v.index)
        digest = _digest(v, self.pauses, tags) if self.encoded is not None else None
        kept = self.encoded / f"{digest}.mp3" if self.encoded is not None else None
        if kept is None or not kept.is_file():
            return self._stream(v, v.takes, digest)
        duration, points, subtitles = stream_section(v, self.pauses, self.speech.language, lambda _: _drop)
        copy = path.with_name(f".{path.name}.{threading.get_ident()}.copy")
        shutil.copyfile(kept, copy)
        os.replace(copy, path)
        return SectionAudio(v.index, path, duration, points, subtitles, v.engine, v.voice, v.fallback_from)

    def _stream(self, head: SectionVoice, takes: Iterable[Take], digest: str | None = None) -> SectionAudio:
        """The section's takes, each read once, streamed into its encoder (LAME runs while the next take is
        read; a long section in pieces on every core, see mp3pieces.py) and into the hash it is stored by
        (`digest`, when known already, is not computed again)."""
        path, tags = self._target(head.index)
        hashed = _Digest(self.pauses, tags)
        streams: list[PiecewiseMp3] = []

        def opened(rate: int) -> Sink:
            streams.append(PiecewiseMp3(path, tags, rate, encoders()))
            return streams[0].write

        section = SectionPcm(head.said, self.pauses, self.speech.language, opened, lambda: streams[0].between())
        try:
            for take in takes:
                audio = take.rendition.audio or take.read()
                if digest is None and self.encoded is not None:
                    hashed.add(take, audio)
                section.add(take, audio)
            duration, points, subtitles = section.finish()
            heard = streams[0].close()
        except BaseException:
            for stream in streams:
                stream.abort()
            raise
        points, subtitles = tuple(c.moved(heard) for c in points), tuple(c.moved(heard) for c in subtitles)
        if self.encoded is not None:
            _keep(path, self.encoded / f"{digest or hashed.hexdigest()}.mp3")
        return SectionAudio(head.index, path, heard(duration), points, subtitles, head.engine, head.voice,
                            head.fallback_from)  # fmt: skip

    def _target(self, index: int) -> tuple[Path, dict[str, str]]:
        """Where section `index`'s mp3 goes and its tags."""
        title = self.speech.sections[index].title
        tags = {"title": f"{index + 1:02d} {title}", "album": self.speech.title, "artist": "deliver",
                "track": str(index + 1)}  # fmt: skip
        return self.stage / "audio" / section_file(index, title), tags


def _drop(_: bytes) -> None:
    """A sink that keeps nothing (a stored section's takes are read only for their cues)."""


_ENCODED = "mp3"
"""Folder of the voice cache holding encoded sections, by a hash of their audio and tags."""


_FORM: Final = 3
"""Version of how takes become a section's PCM and its mp3 (`SectionPcm`, `Mp3Stream`): part of every stored
section's digest, so a change there is never served an mp3 made the old way. 3: encoded in this process
(LAME, soxr); 2: the PCM at the engine's own rate, resampled and encoded by ffmpeg; 1: resampled in Python
to FRAME_RATE take by take."""


class _Digest:
    """What a section's mp3 is made from: its takes' audio as stored, in order, the pauses, tags and
    encoder settings. A rebuild in which a section sounds the same (a headline or a bullet edited, another
    section changed) finds its mp3 by this before decoding anything twice."""

    def __init__(self, pauses: Pauses, tags: dict[str, str]) -> None:
        made = json.dumps([_FORM, pauses.sentence, pauses.point, tags, ENCODING, PIECE_SECONDS], sort_keys=True)
        self._hash = hashlib.sha256(made.encode())

    def add(self, take: Take, audio: bytes) -> None:
        self._hash.update(json.dumps([take.said, take.rendition.format, len(audio)]).encode())
        self._hash.update(audio)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _digest(v: SectionVoice, pauses: Pauses, tags: dict[str, str]) -> str:
    """The digest of a section given whole (see `_Digest`)."""
    digest = _Digest(pauses, tags)
    for take in v.takes:
        digest.add(take, take.rendition.audio or take.read())
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
