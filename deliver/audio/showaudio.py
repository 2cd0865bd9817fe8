"""The show's audio: audio/speech.mp3 played stretch by stretch with silence held wherever the show's
timeline holds a slide (agenda, dividers, closing, a held title), written as one WAV.

One streaming pass, sample-exact: ffmpeg decodes the mp3 to PCM on a pipe, each stretch is copied
through and each hold written as zeros, a block at a time. Memory stays at one block whatever the
length of the speech, and there is no filter graph that grows with the number of slides.
"""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from deliver.audio.mp3 import FRAME_RATE
from deliver.errors import OutputError

BLOCK: Final = 1 << 16
"""Samples copied or held at a time."""


@dataclass(frozen=True)
class Stretch:
    """One slide's part of the show: the source played from `source[0]` to `source[1]` seconds (None for
    a silent slide), then silence until `until` seconds on the show's timeline."""

    source: tuple[float, float] | None
    until: float


def write_show_audio(source: Path, stretches: Sequence[Stretch], out: Path, ffmpeg: str) -> float:
    """Write `out` (mono 16-bit WAV at FRAME_RATE): `stretches` in order, taken from `source` (their
    source times must not go back). Returns its length in seconds. Raises OutputError if decoding fails."""
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-i", str(source),
               "-f", "s16le", "-ac", "1", "-ar", str(FRAME_RATE), "-"]  # fmt: skip
    decoder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert decoder.stdout is not None
    written = 0
    with wave.open(str(out), "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(FRAME_RATE)
        reader = _Reader(decoder.stdout)
        for stretch in stretches:
            if stretch.source is not None:
                begin, end = (round(t * FRAME_RATE) for t in stretch.source)
                reader.skip_to(begin)
                written += reader.copy(max(0, end - max(begin, reader.at)), sink)
            written += _hold(max(0, round(stretch.until * FRAME_RATE) - written), sink)
        reader.drain()
    _, errors = decoder.communicate()
    if decoder.returncode != 0:
        raise OutputError(f"ffmpeg could not decode {source.name}: {errors.decode(errors='replace').strip()[-300:]}")
    return written / FRAME_RATE


def _hold(samples: int, sink: wave.Wave_write) -> int:
    """Write `samples` of silence; returns how many."""
    for at in range(0, samples, BLOCK):
        sink.writeframesraw(b"\0\0" * min(BLOCK, samples - at))
    return samples


class _Reader:
    """The decoded source, read forward only; `at` is the next sample it gives."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self.pipe = pipe
        self.at = 0

    def _read(self, samples: int) -> bytes:
        data = self.pipe.read(2 * samples)
        self.at += len(data) // 2
        return data

    def skip_to(self, sample: int) -> None:
        while self.at < sample and self._read(min(BLOCK, sample - self.at)):
            pass

    def copy(self, samples: int, sink: wave.Wave_write) -> int:
        """Copy `samples` to `sink`, padding with silence past the end of the source; returns how many."""
        left = samples
        while left > 0:
            data = self._read(min(BLOCK, left))
            if not data:
                _hold(left, sink)
                break
            sink.writeframesraw(data)
            left -= len(data) // 2
        return samples

    def drain(self) -> None:
        """Read the rest, so the decoder ends normally rather than on a broken pipe."""
        while self._read(BLOCK):
            pass
