"""The engine contract: what every voice engine takes and gives back.

Engines implement synthesis only. Chunking, the cache, retries, concurrency, fallback and audio
files belong to the shared layer (`voices/__init__.py`, `voices/narrate.py`, `voices/cache.py`, `audio/`).
An engine is built by a factory that is handed its `Folders`: no engine reads the environment.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol, runtime_checkable

from deliver.errors import OptionError
from deliver.model import Language

AudioFormat = Literal["mp3", "wav"]
RATE_RANGE: Final = (-50, 100)
"""Speaking-rate change a voice accepts, percent (--voice-rate; --speed 0.5 … 2.0)."""
PITCH_RANGE: Final = (-50, 50)
"""Pitch change, Hz."""
VOLUME_RANGE: Final = (-50, 50)
"""Volume change, percent."""


@dataclass(frozen=True)
class Voice:
    """A voice of one engine."""

    engine: str
    """Engine name: "edge", "kokoro", "piper", "espeak"."""
    name: str
    """The engine's own id: "zh-CN-YunjianNeural", "cmn", a path to a piper .onnx, "zf_xiaoxiao"."""
    language: Language
    label: str = ""
    """Human description for `deliver voices` (gender, style)."""


@dataclass(frozen=True)
class Prosody:
    """Relative changes to a voice's default delivery; validated at construction."""

    rate: int = 0
    """Speaking-rate change in percent (−50 … +100)."""
    pitch: int = 0
    """Pitch change in Hz (−50 … +50)."""
    volume: int = 0
    """Volume change in percent (−50 … +50)."""

    def __post_init__(self) -> None:
        for name, value, (low, high), unit in (
            ("voice-rate", self.rate, RATE_RANGE, "%"),
            ("pitch", self.pitch, PITCH_RANGE, "Hz"),
            ("volume", self.volume, VOLUME_RANGE, "%"),
        ):
            if not low <= value <= high:
                raise OptionError(f"--{name} {value:+d}{unit}: must be between {low:+d}{unit} and {high:+d}{unit}")


@dataclass(frozen=True)
class Boundary:
    """Where a stretch of the synthesized text is heard in the audio."""

    start: float
    """Seconds from the start of this rendition's audio."""
    end: float
    text_start: int
    """Character offset into the text given to `synthesize`."""
    text_end: int


@dataclass(frozen=True)
class Rendition:
    """Audio for one chunk of text, with boundary cues mapped onto that text."""

    audio: bytes
    format: AudioFormat
    duration: float
    """Seconds of audio (decoded length, padding included)."""
    boundaries: tuple[Boundary, ...]
    """In order; may be empty for an engine that gives none (the chunk is then one cue)."""


@dataclass(frozen=True)
class Folders:
    """Where engines keep their files, chosen once at the edge (see `paths.py`) and passed to each factory."""

    voices: Path
    """Installed voice files, one subfolder per engine (kokoro's style vectors: `voices/kokoro`)."""
    models: Path
    """Model files an engine derives and keeps (kokoro's timed model: `models/kokoro`)."""


@runtime_checkable
class Engine(Protocol):
    """A voice engine. Capabilities are attributes, so selection reads flags instead of names."""

    name: str
    online: bool
    """Needs the network: `auto` tries online engines first and says so when it narrates offline."""
    languages: frozenset[Language]
    """Languages it has a voice for; selection skips an engine whose set lacks the speech's."""
    max_chunk: int
    """Longest text (characters) to send in one call; the shared layer splits at sentence ends."""

    @property
    def version(self) -> str:
        """Changes when the same text would sound different (part of the cache key)."""

    def missing(self) -> str | None:
        """Why the engine cannot run here and how to fix it (one line), or None when it can. Cheap, no synthesis."""

    def available(self) -> bool:
        """`missing() is None`."""

    def voices(self, language: Language | None = None) -> list[Voice]:
        """Voices this engine offers, optionally for one language (installed or not: see `voice_ready`)."""

    def voice_ready(self, voice: Voice) -> bool:
        """Whether `voice` (one of `voices()`) can speak here now, e.g. its file is installed."""

    def owns_voice(self, name: str) -> bool:
        """Whether `name` names a voice of this engine (a cheap check of the name; no I/O)."""

    def voice(self, name: str) -> Voice:
        """The voice this engine calls `name`, checked (a piper voice file joins `languages`). Raises OptionError."""

    def default_voice(self, language: Language) -> Voice:
        """The voice used when none is asked for. Raises EngineUnavailable when there is none."""

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Speak `text` once (the shared layer retries). Raises SynthesisError (with `retryable`) or
        EngineUnavailable."""


Factory = Callable[[Folders], Engine]
"""Builds an engine from the folders it may keep files in (registered by name in `deliver.voices`)."""


def distribution_version(name: str) -> str:
    """The installed version of a Python distribution, "?" when it is not installed (for cache keys)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"
