"""A scripted voice engine that speaks the real contract: WAV audio, word boundaries, injectable failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from deliver.errors import SynthesisError
from deliver.model import Language
from deliver.voices.base import Boundary, Prosody, Rendition, Voice
from deliver.voices.wav import pcm_to_wav

RATE = 16000
SECONDS_PER_CHAR = 0.02


@dataclass
class FakeEngine:
    """Audio length proportional to the text (a quiet tone), one boundary per 4 characters."""

    name: str = "fake"
    online: bool = False
    languages: frozenset[Language] = frozenset({"zh", "en"})
    gives_boundaries: bool = True
    max_chunk: int = 60
    version: str = "fake 1"
    fail: Callable[[str], bool] = lambda text: False
    """Return True to make the call for this text fail (after the engine's own retries)."""
    delay: float = 0.0
    calls: list[str] = field(default_factory=list)
    running: int = 0
    max_running: int = 0
    is_available: bool = True

    def available(self) -> bool:
        return self.is_available

    def voices(self, language: Language | None = None) -> list[Voice]:
        return [
            Voice(self.name, f"{self.name}-{lang}", lang) for lang in sorted(self.languages) if language in (None, lang)
        ]

    def default_voice(self, language: Language) -> Voice:
        return Voice(self.name, f"{self.name}-{language}", language)

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        self.calls.append(text)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            await asyncio.sleep(self.delay)
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
