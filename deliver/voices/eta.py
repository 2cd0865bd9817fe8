"""How long the narration will take on this machine, and how far it has got.

Before synthesis: the speech's estimated audio length (the timing estimate, shared out over the chunks by
their length), less what the cache already holds, × the engine's speed on this machine (seconds of work per
second of audio, remembered per user from past builds; a cautious prior until then). During synthesis:
sections and seconds of audio done, and the time left at this run's own measured speed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Final

from deliver.files import write_bytes
from deliver.model import Speech
from deliver.paths import user_cache_dir
from deliver.voices import candidates
from deliver.voices.cache import Cache
from deliver.voices.narrate import NarrationOptions, chunks_of, planned_keys, utterances_of

ESTIMATE: Final = "narration estimate"
"""The progress message that opens with this carries the forecast; its `done` is the expected seconds."""
LONG: Final = 120.0
"""Seconds of narration beyond which a first look without it is worth suggesting."""
PRIOR_SPEED: Final = {"kokoro": 1.0, "piper": 0.2, "espeak": 0.005, "edge": 0.1}
"""Seconds of work per second of audio before this machine has measured its own: kokoro's is the AVX2
class with float convolutions on 2 busy cores (bench/kokoro_graph.py), other engines' from bench/."""
MIN_AUDIO: Final = 20.0
"""Seconds of fresh audio a build must synthesize before its speed is remembered."""


@dataclass(frozen=True)
class Forecast:
    """What the narration has to do, and how long that should take here."""

    engine: str
    version: str
    """The engine's version (for Kokoro it names the model graph chosen for this CPU)."""
    chunk_audio: tuple[float, ...]
    """Estimated seconds of audio of each chunk, in narration order."""
    chunk_section: tuple[int, ...]
    cached: tuple[bool, ...]
    """Whether each chunk is in the cache already (it then costs nothing)."""
    speed: float
    """Seconds of work per second of audio."""
    measured: bool
    """Whether `speed` was measured on this machine (else the engine's prior)."""

    @property
    def fresh_audio(self) -> float:
        return sum(a for a, c in zip(self.chunk_audio, self.cached, strict=True) if not c)

    @property
    def seconds(self) -> float:
        return self.fresh_audio * self.speed

    def message(self) -> str:
        source = "measured here" if self.measured else "a first guess until this machine has measured itself"
        return (f"{ESTIMATE}: about {_clock(self.seconds)} with {self.engine} for {_clock(self.fresh_audio)} of audio "
                f"to synthesize ({self.speed:.2f} s per second of audio, {source})")  # fmt: skip


def forecast(speech: Speech, options: NarrationOptions, audio_seconds: float) -> Forecast:
    """The narration's forecast; `audio_seconds` is the timing estimate of the whole speech."""
    engine = candidates(speech.language, options.folders, options.engine, options.voice)[0]
    chunks = [
        (s, len(c.text)) for s, said in enumerate(utterances_of(speech)) for c in chunks_of(said, engine.max_chunk)
    ]
    characters = sum(n for _, n in chunks) or 1
    cache = Cache(options.cache_dir)
    cached = tuple(cache.has(key) for key in planned_keys(speech, options))
    speed = remembered(engine.name)
    audio = tuple(audio_seconds * n / characters for _, n in chunks)
    return Forecast(engine.name, engine.version, audio, tuple(s for s, _ in chunks), cached,
                    speed or PRIOR_SPEED.get(engine.name, 1.0), speed is not None)  # fmt: skip


class NarrationClock:
    """Progress messages for chunks done so far, with the time left at this run's measured speed."""

    def __init__(self, ahead: Forecast, now: Callable[[], float] = time.monotonic) -> None:
        self.ahead, self.now, self.start = ahead, now, now()
        # Sums of the chunks before each one, made once: a message per chunk that summed them anew cost the
        # narration of a 4,000-chunk speech seconds.
        self._audio = (0.0, *accumulate(ahead.chunk_audio))
        self._fresh = (0.0, *accumulate(a * (not c) for a, c in zip(ahead.chunk_audio, ahead.cached, strict=True)))
        self._sections = len(set(ahead.chunk_section))

    def elapsed(self) -> float:
        return self.now() - self.start

    def message(self, done: int) -> str:
        ahead, sections = self.ahead, self._sections
        done = min(done, len(ahead.chunk_audio))
        fresh_done = self._fresh[done]
        fresh_left = self._fresh[-1] - fresh_done
        speed = self.elapsed() / fresh_done if fresh_done > 0 else ahead.speed
        section = min(ahead.chunk_section[done] + 1 if done < len(ahead.chunk_section) else sections, sections)
        return (f"narrating section {section} of {sections} · {_clock(self._audio[done])} of {_clock(self._audio[-1])} "
                f"of audio · about {_clock(fresh_left * speed)} left")  # fmt: skip


def remember(ahead: Forecast, durations: Sequence[float], seconds: float, folder: Path | None = None) -> float | None:
    """Store this build's speed (work seconds per fresh audio second) for its engine; returns it, or None when
    it synthesized too little to tell. `durations` are the chunks' real audio seconds, in narration order."""
    fresh = sum(d for d, c in zip(durations, ahead.cached, strict=False) if not c)
    if fresh < MIN_AUDIO:
        return None
    speed = seconds / fresh
    path = _speed_file(folder)
    table = _table(path)
    table[ahead.engine] = round(speed, 4)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, json.dumps(table, indent=1, sort_keys=True).encode("utf-8"))
    return speed


def remembered(engine: str, folder: Path | None = None) -> float | None:
    """This machine's last measured speed for `engine`, or None."""
    value = _table(_speed_file(folder)).get(engine)
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def _speed_file(folder: Path | None) -> Path:
    return (folder or user_cache_dir()) / "narration-speed.json"


def _table(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _clock(seconds: float) -> str:
    """12 s, 4 min, 1 h 05 min: the precision a waiting user needs."""
    if seconds < 90:
        return f"{max(0, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{int(seconds // 3600)} h {round(seconds % 3600 / 60):02d} min"
