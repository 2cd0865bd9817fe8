"""A section's mp3 encoded in pieces on several cores at once, joined frame by frame into one file.

LAME runs on one core per encoder. A section of an hour or more (a 15-hour closing section in the ×100
benchmark) would keep one core encoding long after the narration has ended, so its PCM is cut, at the
first pause after every `PIECE_SECONDS` of audio, into pieces each encoded by its own LAME in its own
thread (at most `slots` at once). Each piece starts with a fresh bit reservoir, so their frames follow one
another as they are; the joined file has one LAME Info frame for all of them. Where two pieces meet, the
first one's padding and the next one's encoder delay are heard (within the pause, about 50–70 ms of
silence), so `close` returns how to move the section's cue times onto the joined file's timeline.
"""

from __future__ import annotations

import queue
import threading
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Final

from deliver.audio.mp3 import ENCODER_DELAY, FRAME_RATE, Mp3Stream, Resampler, blocks, id3_tag
from deliver.audio.mp3join import frames, info_frame
from deliver.files import publish_mode

PIECE_SECONDS: Final = 300.0
"""Audio a piece holds before the next pause starts another (a speech's sections are mostly shorter: then
a section is one piece, as before)."""
_QUEUED: Final = 16
"""Blocks of PCM waiting for a piece's encoder (each a take or a pause, at most 4 MB)."""

Timeline = Callable[[float], float]
"""Seconds on the section's PCM timeline → seconds in its joined mp3."""


class _Piece:
    """One piece: its own LAME, fed through a bounded queue by the section's writer, run in its own thread."""

    def __init__(self, path: Path, start: float, done: Callable[[], None]) -> None:
        self.stream = Mp3Stream(path, {})
        self.path, self.start = path, start
        """`start`: where the piece begins on the section's PCM timeline (seconds)."""
        self.samples = 0
        self.error: BaseException | None = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(_QUEUED)
        self._done = done
        self._thread = threading.Thread(target=self._run, name=f"piece {path.name}", daemon=True)
        self._thread.start()

    def put(self, pcm: bytes) -> None:
        self.samples += len(pcm) // 2
        self._queue.put(pcm)

    def finish(self) -> None:
        """No more PCM: the piece's thread flushes LAME and writes its Info frame."""
        self._queue.put(None)

    def wait(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        ended = False
        try:
            while (pcm := self._queue.get()) is not None:
                if self.error is None:
                    self.stream.write(pcm)
            ended = True
            if self.error is None:
                self.stream.close()
        except BaseException as exc:  # kept for the writer, which raises it; the queue is still drained
            self.error = self.error or exc
            while not ended and self._queue.get() is not None:
                pass
        finally:
            if self.error is not None:
                self.stream.abort()
            self._done()


class PiecewiseMp3:
    """A section's mp3 at `path` with `tags`, from PCM at `rate` Hz written to it (`write`), encoded in pieces
    on up to `slots` cores; `between` marks a pause between takes, where a new piece may start."""

    def __init__(self, path: Path, tags: dict[str, str], rate: int, slots: int) -> None:
        self.path, self.tags, self.rate = path, tags, rate
        self._resampler = None if rate == FRAME_RATE else Resampler(rate)
        self._slots = threading.Semaphore(max(1, slots))
        self._pieces: list[_Piece] = []
        self._heard = 0
        """Samples of PCM written (at `rate`)."""
        self._open()

    def write(self, pcm: bytes) -> None:
        self._heard += len(pcm) // 2
        for block in blocks(pcm):
            self._check()
            self._pieces[-1].put(block if self._resampler is None else self._resampler.resample(block))

    def between(self) -> None:
        """A pause follows: start a new piece when the open one holds `PIECE_SECONDS` of audio already."""
        if self._pieces[-1].samples >= PIECE_SECONDS * FRAME_RATE:
            self._pieces[-1].finish()
            self._open()

    def close(self) -> Timeline:
        """Finish every piece, join them into `path` (a temp name renamed); returns the section's timeline."""
        try:
            if self._resampler is not None:
                self._pieces[-1].put(self._resampler.resample(b"", last=True))
            self._pieces[-1].finish()
            for piece in self._pieces:
                piece.wait()
            self._check()
            return self._join()
        finally:
            self._remove()

    def abort(self) -> None:
        """Stop every piece and remove what they wrote."""
        for piece in self._pieces:
            piece.error = piece.error or RuntimeError("aborted")
            piece.finish()
        for piece in self._pieces:
            piece.wait()
        self._remove()

    def _open(self) -> None:
        self._slots.acquire()  # waits while `slots` pieces are still encoding: cores, and memory, stay bounded
        try:
            path = self.path.with_name(f".{self.path.name}.{id(self)}.{len(self._pieces):04d}.piece.mp3")
            self._pieces.append(_Piece(path, self._heard / self.rate, self._slots.release))
        except BaseException:
            self._slots.release()
            raise

    def _check(self) -> None:
        for piece in self._pieces:
            if piece.error is not None:
                raise piece.error

    def _join(self) -> Timeline:
        """The pieces' frames one after another under one ID3 tag and Info frame; each piece's shift (seconds
        added before it by the padding and delay where earlier pieces meet)."""
        shifts, added, count, size, first = [], 0, 0, 0, b""
        for piece in self._pieces:  # one piece in memory at a time: a 15-hour section's are 320 MB
            part = frames(piece.path)
            shifts.append(added / FRAME_RATE)
            added += part.count * part.samples_per_frame - piece.samples
            count, size, first = count + part.count, size + len(part.audio), first or bytes(part.audio[:4])
            last = part.count * part.samples_per_frame
        padding = last - ENCODER_DELAY - self._pieces[-1].samples
        tmp = self.path.with_name(f".{self.path.name}.{id(self)}.joined.mp3")
        try:
            with tmp.open("wb") as out:
                out.write(id3_tag(self.tags))
                out.write(info_frame(first, count, size, ENCODER_DELAY, padding))
                for piece in self._pieces:
                    out.write(frames(piece.path).audio)
            publish_mode(tmp)
            tmp.replace(self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        starts = [piece.start for piece in self._pieces]
        return lambda t: t + shifts[max(0, bisect_right(starts, t) - 1)]

    def _remove(self) -> None:
        for piece in self._pieces:
            piece.path.unlink(missing_ok=True)
            piece.stream.tmp.unlink(missing_ok=True)
