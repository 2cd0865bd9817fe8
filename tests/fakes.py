"""A scripted voice engine that speaks the real contract: WAV audio, word boundaries, injectable failures;
and the public way tests put engines in the registry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deliver import voices
from deliver.errors import OptionError, SynthesisError
from deliver.model import Language
from deliver.voices.base import Boundary, Engine, Folders, Prosody, Rendition, Voice
from deliver.voices.wav import pcm_to_wav

RATE = 16000
SECONDS_PER_CHAR = 0.02


@dataclass
class FakeEngine:
    """Audio length proportional to the text (a quiet tone), one boundary per 4 characters.
    Its voices are called "<name>-<language>"."""

    name: str = "fake"
    online: bool = False
    languages: frozenset[Language] = frozenset({"zh", "en"})
    max_chunk: int = 60
    version: str = "fake 1"
    fail: Callable[[str], bool] = lambda text: False
    """Return True to make the call for this text fail for good (not retryable)."""
    transient: int = 0
    """The first this many calls fail with a retryable error (a retry cures them)."""
    delay: float = 0.0
    calls: list[str] = field(default_factory=list)
    running: int = 0
    max_running: int = 0
    is_available: bool = True

    def missing(self) -> str | None:
        return None if self.is_available else f"{self.name}: scripted as unavailable"

    def available(self) -> bool:
        return self.missing() is None

    def voices(self, language: Language | None = None) -> list[Voice]:
        return [
            Voice(self.name, f"{self.name}-{lang}", lang) for lang in sorted(self.languages) if language in (None, lang)
        ]

    def voice_ready(self, voice: Voice) -> bool:
        return True

    def owns_voice(self, name: str) -> bool:
        return name.startswith(f"{self.name}-")

    def voice(self, name: str) -> Voice:
        for voice in self.voices():
            if voice.name == name:
                return voice
        raise OptionError(f"{self.name} has no voice {name!r}")

    def default_voice(self, language: Language) -> Voice:
        return Voice(self.name, f"{self.name}-{language}", language)

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        self.calls.append(text)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.transient > 0:
                self.transient -= 1
                raise SynthesisError(f"{self.name}: scripted transient failure", retryable=True)
            if self.fail(text):
                raise SynthesisError(f"{self.name}: scripted failure", retryable=False)
            return render(text)
        finally:
            self.running -= 1


def render(text: str) -> Rendition:
    duration = round(len(text) * SECONDS_PER_CHAR, 3)
    samples = round(duration * RATE)
    tone = b"".join((1000 if (i // 20) % 2 else -1000).to_bytes(2, "little", signed=True) for i in range(samples))
    bounds = tuple(
        Boundary(i * SECONDS_PER_CHAR, min(len(text), i + 4) * SECONDS_PER_CHAR, i, min(len(text), i + 4))
        for i in range(0, len(text), 4)
    )
    return Rendition(pcm_to_wav(tone, RATE), "wav", samples / RATE, bounds)


def folders(root: Path) -> Folders:
    """Engine folders of a test's own."""
    return Folders(voices=root / "voices", models=root / "models")


@contextmanager
def swapped(**engines: Engine) -> Iterator[None]:
    """These engine instances under these names for the block (through `voices.registered`)."""
    with ExitStack() as stack:
        for name, engine in engines.items():
            stack.enter_context(voices.registered(name, _always(engine)))
        yield


def _always(engine: Engine) -> Callable[[Folders], Engine]:
    return lambda _folders: engine
