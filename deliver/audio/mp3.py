"""mp3 files: encoding a section's PCM as it is streamed in, cutting and splitting without re-encoding,
tags and chapters, decoded lengths.

LAME encodes each section in this process from PCM written to it take by take (see sectionpcm.py), so
memory stays bounded by a take, not a section or the speech (a 220,000-字 speech is 15+ hours of audio).
ffmpeg cuts clips without re-encoding; pydub (over ffmpeg) decodes mp3 renditions (edge's) and measures
decoded lengths.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.audio.mp3join import info_frame
from deliver.errors import MissingTool
from deliver.files import publish_mode
from deliver.model import Cue

if TYPE_CHECKING:
    from pydub import AudioSegment


FRAME_RATE: Final = 24000
_QUIET: Final = ("-nostdin", "-hide_banner", "-loglevel", "error", "-y")
"""ffmpeg arguments every run starts with: no stdin, errors only, overwrite (our temp names)."""
_STREAMS: Final = itertools.count()
"""Numbers the temp files of the encoders this process opens."""
SECTION_GAP: Final = 1.0
"""Seconds of silence between sections in the whole-speech track."""


@dataclass(frozen=True)
class SectionAudio:
    """One section's audio file and its cues, times in seconds from the start of the file."""

    index: int
    path: Path
    duration: float
    """Length of the decoded audio."""
    points: tuple[Cue, ...]
    """One cue per utterance (point or salutation): when its slide should show."""
    subtitles: tuple[Cue, ...]
    engine: str = ""
    voice: str = ""
    fallback_from: tuple[str, ...] = ()
    """Engines that failed for this section before `engine` voiced it, with their reasons."""


@lru_cache(maxsize=1)
def ffmpeg() -> str:
    """The ffmpeg binary bundled by imageio-ffmpeg (pydub is pointed at it)."""
    try:
        import imageio_ffmpeg

        path: str = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise MissingTool(
            f"ffmpeg not found ({exc}); reinstall it with: pip install --force-reinstall imageio-ffmpeg"
        ) from None
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):  # IMAGEIO_FFMPEG_EXE is returned unchecked
        raise MissingTool(f"ffmpeg not found at {path}; reinstall it with: pip install --force-reinstall imageio-ffmpeg"
                          " (or unset IMAGEIO_FFMPEG_EXE)")  # fmt: skip
    pydub().converter = path
    return path


@lru_cache(maxsize=1)
def pydub() -> type[AudioSegment]:
    """pydub's AudioSegment, imported without its warnings: ffmpeg not on PATH (we bring our own) and
    audioop's deprecation (Python 3.13 gets audioop-lts instead)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment
    segment: type[AudioSegment] = AudioSegment
    return segment


def seconds_of(data: bytes | bytearray) -> float:
    """Length of mono 16-bit PCM at FRAME_RATE."""
    return len(data) / 2 / FRAME_RATE


def silence(seconds: float, rate: int = FRAME_RATE) -> bytes:
    """`seconds` of mono 16-bit PCM silence at `rate` Hz."""
    return b"\0\0" * round(seconds * rate)


def export_mp3(audio: bytes, path: Path, tags: dict[str, str], rate: int = FRAME_RATE) -> None:
    """Encode mono PCM at `rate` Hz to mp3 (at FRAME_RATE) at a temp name beside `path`, then rename (never a
    partial file)."""
    stream = Mp3Stream(path, tags, rate)
    try:
        stream.write(audio)
        stream.close()
    except BaseException:
        stream.abort()
        raise


class Mp3Stream:
    """An mp3 encoded in this process while PCM (mono, 16-bit, `rate` Hz) is written to it, so a section is
    encoded while it is voiced and never sits in memory whole: soxr resamples to FRAME_RATE when `rate`
    differs, LAME (lameenc) encodes, and on close the LAME Info frame (length, encoder delay and padding)
    is written in the room kept for it after the ID3 tag. Both release the interpreter lock while they
    work, and no process or pipe stands between the PCM and the encoder: through ffmpeg the same audio
    cost 2.4× the CPU (its threads hand every 24 ms frame to one another). Written to a temp name,
    renamed on close."""

    def __init__(self, path: Path, tags: dict[str, str], rate: int = FRAME_RATE) -> None:
        self.path = path
        # A name of its own: a section voiced again by another engine is encoded anew while the stream it
        # replaces is still being stopped.
        self.tmp = path.with_name(f".{path.name}.{next(_STREAMS)}.tmp.mp3")
        self._tag = id3_tag(tags)
        self._encoder = _lame()
        self._resampler = None if rate == FRAME_RATE else Resampler(rate)
        self._samples = self._bytes = 0
        self._first = b""
        self._file = self.tmp.open("wb")
        self._file.write(self._tag + bytes(_INFO_ROOM))

    def write(self, pcm: bytes) -> None:
        for piece in blocks(pcm):
            if self._resampler is not None:
                piece = self._resampler.resample(piece)
            self._samples += len(piece) // 2
            self._put(self._encoder.encode(piece))

    def close(self) -> None:
        """Finish the file (raises OSError when it cannot be written, having removed it)."""
        try:
            if self._resampler is not None:
                tail = self._resampler.resample(b"", last=True)
                self._samples += len(tail) // 2
                self._put(self._encoder.encode(tail))
            self._put(self._encoder.flush())
            count = self._bytes // _FRAME_BYTES
            padding = count * SAMPLES_PER_FRAME - ENCODER_DELAY - self._samples
            info = info_frame(self._first or _HEADER, count, self._bytes, ENCODER_DELAY, padding)
            self._file.seek(len(self._tag) + _INFO_ROOM - len(info))
            self._file.write(info)
            self._file.close()
        except OSError:
            self.abort()
            raise
        if self._bytes % _FRAME_BYTES:
            self.abort()
            raise MissingTool(f"LAME wrote frames of another size than {_FRAME_BYTES} bytes for {self.path.name}")
        self._release()
        publish_mode(self.tmp)
        self.tmp.replace(self.path)

    def abort(self) -> None:
        with suppress(OSError):
            self._file.close()
        self._release()
        self.tmp.unlink(missing_ok=True)

    def _release(self) -> None:
        """Let LAME's state (megabytes) go now: a long section's pieces are kept until it is joined."""
        self._encoder = self._resampler = None

    def _put(self, mp3: bytes | bytearray) -> None:
        if mp3:
            if not self._first:
                self._first = bytes(mp3[:4])
            self._file.write(mp3)
            self._bytes += len(mp3)


_KBPS: Final = 48
"""Mono 24 kHz 48 kbit/s CBR, what Microsoft's own neural voices are served at: clear for a voice, and the
narrated deck of a long speech stays a quarter smaller than at 64 kbit/s (it is built in memory)."""
_QUALITY: Final = 7
"""LAME's -q 7: fast, and for speech at 48 kbit/s as clear as the slower settings."""
SAMPLES_PER_FRAME: Final = 576
"""An MPEG-2 Layer III frame (24 kHz) holds 576 samples."""
_FRAME_BYTES: Final = 72 * _KBPS * 1000 // FRAME_RATE
"""144: every audio frame at 48 kbit/s and 24 kHz is this long (no padding slot)."""
ENCODER_DELAY: Final = 576
"""Samples LAME puts before the first one it was given (measured: an impulse is decoded 576 + 529 in)."""
_BLOCK: Final = 1 << 22
"""Bytes of PCM handed to the resampler and the encoder at a time (see `blocks`)."""
_HEADER: Final = bytes.fromhex("fff364c4")
"""The header LAME gives every frame here (MPEG-2 Layer III, 48 kbit/s, 24 kHz, mono), for a file of none."""
_INFO_ROOM: Final = 72 * 64 * 1000 // FRAME_RATE
"""Bytes kept after the ID3 tag for the Info frame, written once the frames are counted."""
ENCODING: Final = {"encoder": "lameenc", "kbps": _KBPS, "quality": _QUALITY, "rate": FRAME_RATE, "resampler": "soxr HQ"}
"""What the section mp3s are made with (part of a stored section's digest)."""


_LAME_SETUP = threading.Lock()
"""LAME fills tables shared by every encoder while one is set up (its documentation asks that this be done
one at a time); encoding itself runs in parallel."""


def _lame() -> Any:
    """A LAME encoder for mono FRAME_RATE PCM at 48 kbit/s CBR, set up (lameenc carries no type annotations)."""
    try:
        import lameenc
    except ImportError as exc:
        raise MissingTool(f"the mp3 encoder is missing ({exc}); reinstall it with: pip install lameenc") from None
    with _LAME_SETUP:
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(_KBPS)
        encoder.set_in_sample_rate(FRAME_RATE)
        encoder.set_channels(1)
        encoder.set_quality(_QUALITY)
        encoder.encode(b"")  # lameenc sets LAME's parameters up on its first call
    return encoder


class Resampler:
    """Mono 16-bit PCM from `rate` to FRAME_RATE as it streams by (soxr's high quality; input sample n is heard
    at n / rate seconds, so cue times counted in the engine's samples stay where they are)."""

    def __init__(self, rate: int) -> None:
        try:
            import numpy
            import soxr
        except ImportError as exc:
            raise MissingTool(f"the resampler is missing ({exc}); reinstall it with: pip install soxr") from None
        self._numpy: Any = numpy
        self._stream: Any = soxr.ResampleStream(rate, FRAME_RATE, 1, dtype="int16")

    def resample(self, pcm: bytes, last: bool = False) -> bytes:
        """The next stretch at FRAME_RATE (`last`: the stream ends here; what the filter still holds comes out)."""
        out: bytes = self._stream.resample_chunk(self._numpy.frombuffer(pcm, dtype="<i2"), last=last).tobytes()
        return out


def blocks(pcm: bytes) -> Iterator[bytes]:
    """`pcm` in pieces of at most 4 MB (87 s at 24 kHz): soxr and LAME size their buffers in ints, and a
    15-hour section handed over at once crashed soxr."""
    if len(pcm) <= _BLOCK:
        yield pcm
        return
    view = memoryview(pcm)
    for at in range(0, len(view), _BLOCK):
        yield bytes(view[at : at + _BLOCK])


def id3_tag(tags: dict[str, str]) -> bytes:
    """An ID3v2.4 tag holding `tags` (title, album, artist, track), as bytes to open a file with."""
    mutagen = _id3()
    frames = {"title": mutagen.TIT2, "album": mutagen.TALB, "artist": mutagen.TPE1, "track": mutagen.TRCK}
    id3 = mutagen.ID3()
    for key, value in tags.items():
        id3.add(frames[key](encoding=3, text=[value]))
    if not tags:
        return b""
    out = io.BytesIO()
    id3.save(out, v2_version=4, padding=lambda _: 0)
    return out.getvalue()


def cut_mp3(source: Path, start: float, end: float, path: Path) -> None:
    """Copy `source` from `start` to `end` seconds into `path` without re-encoding (frame-accurate: ±48 ms)."""
    command = [ffmpeg(), *_QUIET, "-ss", f"{start:.3f}", "-i", str(source), "-t", f"{max(0.05, end - start):.3f}",
               "-map_metadata", "-1", "-c", "copy", str(path)]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        raise MissingTool(
            f"ffmpeg could not cut {source.name}: {exc.stderr.decode(errors='replace').strip()[:200]}"
        ) from None


def split_mp3(source: Path, cuts: list[float], folder: Path, prefix: str) -> list[Path]:
    """Split `source` at `cuts` (seconds, increasing) without re-encoding: len(cuts) + 1 files
    `folder/<prefix>-NNNN.mp3` that tile it. Our own mp3s are split frame by frame (`mp3join.split`, ±12 ms);
    any other in one ffmpeg run (each cut lands on an mp3 frame: ±48 ms)."""
    from deliver.audio.mp3join import split

    with suppress(MissingTool):  # not an mp3 of our encoder's: ffmpeg reads it
        framed = split(source, cuts, folder, prefix)
        if framed is not None:
            return framed
    pattern = folder / f"{prefix}-%04d.mp3"
    command = [ffmpeg(), *_QUIET, "-i", str(source), "-map", "0:a", "-c", "copy", "-map_metadata", "-1",
               "-f", "segment", "-segment_format", "mp3", "-reset_timestamps", "1"]  # fmt: skip
    if cuts:
        command += ["-segment_times", ",".join(f"{t:.3f}" for t in cuts)]
    try:
        subprocess.run([*command, str(pattern)], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        raise MissingTool(
            f"ffmpeg could not split {source.name}: {exc.stderr.decode(errors='replace').strip()[:200]}"
        ) from None
    paths = [folder / f"{prefix}-{i:04d}.mp3" for i in range(len(cuts) + 1)]
    if not all(p.exists() for p in paths):  # two cuts inside one frame: fall back to exact cuts
        bounds = [0.0, *cuts, decoded_seconds(source)]
        for path, (start, end) in zip(paths, pairwise(bounds), strict=True):
            cut_mp3(source, start, end, path)
    return paths


def tag_whole(path: Path, tags: dict[str, str]) -> None:
    """Title and artist (ID3) on an mp3 that has no tag yet (the joined whole-speech track)."""
    mutagen = _id3()
    id3 = mutagen.ID3()
    id3.add(mutagen.TIT2(text=[tags.get("title", "")]))
    id3.add(mutagen.TPE1(text=[tags.get("artist", "")]))
    id3.save(str(path), v2_version=4)


def _id3() -> Any:
    """mutagen.id3, as Any: mutagen's functions carry no annotations, so a typed call to them is refused."""
    import mutagen.id3

    return mutagen.id3


_TOC_MAX = 255


def write_chapters(path: Path, chapters: list[tuple[str, float, float]]) -> None:
    """ID3 CHAP frames (one per section, times in seconds) and a CTOC listing them in order."""
    mutagen = _id3()
    CHAP, CTOC, TIT2, CTOCFlags = mutagen.CHAP, mutagen.CTOC, mutagen.TIT2, mutagen.CTOCFlags
    tags = mutagen.ID3(str(path))
    ids = [f"ch{i:04d}" for i in range(len(chapters))]
    # A CTOC lists at most 255 children: beyond that, the top-level table lists tables of 255 chapters.
    groups = [ids[i : i + _TOC_MAX] for i in range(0, len(ids), _TOC_MAX)]
    top = ids if len(groups) == 1 else [f"toc{g:03d}" for g in range(len(groups))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=top,
                  sub_frames=[TIT2(text=["Sections"])]))  # fmt: skip
    for element_id, group in zip(top, groups if len(groups) > 1 else [], strict=False):
        label = f"Sections {ids.index(group[0]) + 1}–{ids.index(group[-1]) + 1}"
        tags.add(CTOC(element_id=element_id, flags=CTOCFlags.ORDERED, child_element_ids=group,
                      sub_frames=[TIT2(text=[label])]))  # fmt: skip
    for element_id, (title, start, end) in zip(ids, chapters, strict=True):
        tags.add(CHAP(element_id=element_id, start_time=round(start * 1000), end_time=round(end * 1000),
                      sub_frames=[TIT2(text=[title])]))  # fmt: skip
    tags.save(str(path), v2_version=4)


def read_chapters(path: Path) -> list[tuple[str, float, float]]:
    """Chapters of an mp3 in time order (mutagen stores CHAP frames unordered)."""
    chaps = _id3().ID3(str(path)).getall("CHAP")
    found = [(str(c.sub_frames["TIT2"].text[0]), c.start_time / 1000, c.end_time / 1000) for c in chaps]
    return sorted(found, key=lambda chapter: chapter[1])


def decoded_seconds(path: Path) -> float:
    """Length of an mp3 as decoded (what a player plays), in seconds."""
    ffmpeg()
    return len(pydub().from_file(str(path), codec="mp3")) / 1000
