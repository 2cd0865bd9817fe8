"""WAV helpers the offline engines share: 16-bit mono PCM in, RIFF bytes and exact durations out."""

from __future__ import annotations

import io
import wave

SAMPLE_WIDTH = 2
"""Bytes per sample: both offline engines give signed 16-bit PCM in native byte order."""


def pcm_duration(pcm: bytes, sample_rate: int) -> float:
    """Seconds of mono 16-bit PCM: exact, from the sample count (no decoding, no padding)."""
    return len(pcm) // SAMPLE_WIDTH / sample_rate


def pcm_to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """RIFF/WAV bytes (PCM16, mono, `sample_rate` Hz) around native-order 16-bit samples (`wave` swaps on big-endian)."""
    if len(pcm) % SAMPLE_WIDTH:
        raise ValueError(f"PCM16 data has an odd byte count ({len(pcm)})")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()
