"""A section's takes → its PCM (mono 16-bit, joined with pauses at the rate its engine speaks at) and its
cues (each utterance, each subtitle line) on that PCM's timeline.

The PCM stays at the engine's own rate (eSpeak NG and piper speak at 22,050 Hz): the section's encoder
resamples its stream to FRAME_RATE (soxr, outside the interpreter lock; see mp3.Mp3Stream). Cue times are
counted in the engine's samples, which the resampler keeps in place (input sample n is heard at n / rate
seconds).
"""

from __future__ import annotations

import io
import warnings
import wave
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from deliver.audio.mp3 import FRAME_RATE, ffmpeg, pydub, silence
from deliver.audio.subtitles import subtitle_spans
from deliver.audio.takes import Pauses, Said, SectionVoice, Take
from deliver.model import Cue, Language

if TYPE_CHECKING:
    from deliver.voices.base import AudioFormat, Rendition

Sink = Callable[[bytes], object]
"""Where a section's PCM goes, piece by piece in order."""


@lru_cache(maxsize=1)
def _audioop() -> Any:
    """The standard library's audioop (audioop-lts from Python 3.13), imported without its deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    return audioop


def pcm(audio: bytes, audio_format: AudioFormat) -> tuple[bytes, int]:
    """Audio in `audio_format` as mono 16-bit PCM at its own sample rate: (samples, Hz). mp3 is decoded by
    ffmpeg; WAV is read directly."""
    if audio_format == "mp3":
        ffmpeg()
        segment = pydub().from_file(io.BytesIO(audio), codec="mp3").set_channels(1).set_sample_width(2)
        return bytes(segment.raw_data), int(segment.frame_rate)
    with wave.open(io.BytesIO(audio)) as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        data = source.readframes(source.getnframes())
    audioop = _audioop()
    if width != 2:
        data = audioop.lin2lin(data, width, 2)
    if channels == 2:
        data = audioop.tomono(data, 2, 0.5, 0.5)
    return bytes(data), rate


def resampled(data: bytes, rate: int, to: int) -> bytes:
    """Mono 16-bit PCM from `rate` to `to` Hz: only for a take whose rate is not its section's (one engine
    voices a section, so in practice never)."""
    return data if rate == to else bytes(_audioop().ratecv(data, 2, 1, rate, to, None)[0])


def _time_at(rendition: Rendition, text_len: int, offset: int) -> float:
    """When character `offset` of the chunk is heard: piecewise-linear over the engine's boundaries."""
    anchors = [(0, 0.0)]
    for b in rendition.boundaries:
        if b.text_start >= anchors[-1][0]:
            anchors.append((b.text_start, max(b.start, anchors[-1][1])))
    anchors.append((text_len, max(rendition.duration, anchors[-1][1])))
    keys = [a[0] for a in anchors]
    i = max(0, min(len(anchors) - 2, bisect_right(keys, offset) - 1))
    (x0, t0), (x1, t1) = anchors[i], anchors[i + 1]
    return t0 if x1 == x0 else t0 + (t1 - t0) * (offset - x0) / (x1 - x0)


class SectionPcm:
    """A section's PCM made take by take: each take, and the pause before it, goes to the sink as soon as it
    is given, so an encoder runs while later takes are still being synthesized. The section's rate is its
    first take's; `open_sink(rate)` is called once, then, to open where the PCM goes (at `finish` for a
    section with no take, at FRAME_RATE)."""

    def __init__(self, said: tuple[Said, ...], pauses: Pauses, language: Language,
                 open_sink: Callable[[int], Sink], between: Callable[[], None] = lambda: None) -> None:  # fmt: skip
        """`between` is called before each pause between two takes (where an encoder may start a new piece)."""
        self.said, self.pauses, self.language, self.open_sink = said, pauses, language, open_sink
        self.between = between
        self.rate = FRAME_RATE
        self.sink: Sink | None = None
        self.samples = 0
        self.starts: dict[int, float] = {}
        self.ends: dict[int, float] = {}
        self.subtitles: list[Cue] = []
        self.previous: int | None = None

    def add(self, take: Take, audio: bytes) -> None:
        """Take `take`, whose audio bytes are `audio` (in its rendition's format), next."""
        rendition = take.rendition
        decoded, rate = pcm(audio, rendition.format)
        if self.sink is None:
            self.rate, self.sink = rate, self.open_sink(rate)
        decoded = resampled(decoded, rate, self.rate)
        if self.previous is not None:
            self.between()
            pause = silence(self.pauses.sentence if take.said == self.previous else self.pauses.point, self.rate)
            self.sink(pause)
            self.samples += len(pause) // 2
        at = self.samples / self.rate
        self.sink(decoded)
        self.samples += len(decoded) // 2
        scale = len(decoded) / 2 / self.rate / rendition.duration if rendition.duration else 1.0
        self.starts.setdefault(take.said, at)
        self.ends[take.said] = self.samples / self.rate
        point = self.said[take.said].point
        for a, b in subtitle_spans(take.text, self.language):
            start = at + scale * _time_at(rendition, len(take.text), a)
            end = at + scale * _time_at(rendition, len(take.text), b)
            words = tuple((round(at + scale * w.start, 3), w.text_start - a) for w in rendition.boundaries
                          if a < w.text_start < b and start < at + scale * w.start < end)  # fmt: skip
            self.subtitles.append(Cue(round(start, 3), round(end, 3), take.text[a:b], point, _increasing(words)))
        self.previous = take.said

    def finish(self) -> tuple[float, tuple[Cue, ...], tuple[Cue, ...]]:
        """The section's length in seconds and its cues (each utterance, each subtitle line)."""
        if self.sink is None:
            self.sink = self.open_sink(self.rate)
        starts, ends, said = self.starts, self.ends, self.said
        cues = tuple(Cue(round(starts[u], 3), round(ends[u], 3), said[u].text, said[u].point) for u in sorted(starts))
        return self.samples / self.rate, cues, tuple(_clamped(self.subtitles))


def stream_section(
    voice: SectionVoice, pauses: Pauses, language: Language, open_sink: Callable[[int], Sink]
) -> tuple[float, tuple[Cue, ...], tuple[Cue, ...]]:
    """A section's takes joined with pauses into `open_sink(rate)` piece by piece (see `SectionPcm`);
    returns its length in seconds and its cues."""
    section = SectionPcm(voice.said, pauses, language, open_sink)
    for take in voice.takes:
        section.add(take, take.rendition.audio or take.read())
    return section.finish()


def assemble(voice: SectionVoice, pauses: Pauses, language: Language) -> tuple[bytes, int]:
    """A section's PCM whole, and its rate (Hz)."""
    audio = bytearray()
    rates: list[int] = []

    def opened(rate: int) -> Sink:
        rates.append(rate)
        return audio.extend

    stream_section(voice, pauses, language, opened)
    return bytes(audio), rates[0]


def _increasing(words: tuple[tuple[float, int], ...]) -> tuple[tuple[float, int], ...]:
    """Word times strictly after one another and offsets strictly increasing (as WebVTT requires)."""
    out: list[tuple[float, int]] = []
    for seconds, offset in words:
        if not out or (seconds > out[-1][0] and offset > out[-1][1]):
            out.append((seconds, offset))
    return tuple(out)


def _clamped(cues: list[Cue]) -> list[Cue]:
    """Each cue ends by the next one's start; none is shorter than 0.1 s (players drop empty cues)."""
    out: list[Cue] = []
    for i, cue in enumerate(cues):
        end = max(min(cue.end, cues[i + 1].start) if i + 1 < len(cues) else cue.end, cue.start + 0.1)
        out.append(Cue(cue.start, end, cue.text, cue.point, tuple(w for w in cue.words if w[0] < end)))
    return out
