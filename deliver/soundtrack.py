"""Voiced sections → the package's audio files: audio/NN-<section>.mp3, audio/speech.mp3, subtitles/."""

from __future__ import annotations

import os
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deliver.audio import FRAME_RATE, SECTION_GAP, SectionAudio, assemble, encode_wav, export_mp3, srt, vtt, write_chapters
from deliver.files import write_text
from deliver.model import Cue, Speech
from deliver.narrate import NarrationOptions, VoicedSection
from deliver.package import slug

if TYPE_CHECKING:
    from pydub import AudioSegment


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
    stage: Path, speech: Speech, voiced: tuple[VoicedSection, ...], options: NarrationOptions,
    step: Callable[[str], None] = lambda _: None,
) -> Soundtrack:  # fmt: skip
    """Encode each section (in parallel), the whole-speech track from the same PCM, and the subtitles."""
    (stage / "audio").mkdir(exist_ok=True)
    (stage / "subtitles").mkdir(exist_ok=True)
    whole_wav = stage / ".speech.wav"
    sections: list[SectionAudio] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool, wave.open(str(whole_wav), "wb") as whole:
        whole.setnchannels(1)
        whole.setsampwidth(2)
        whole.setframerate(FRAME_RATE)
        jobs = []
        for v in voiced:
            step(f"assembling audio {v.index + 1}/{len(voiced)}")
            section, audio = _section(stage, speech, v, options)
            if sections:
                whole.writeframes(b"\0\0" * round(SECTION_GAP * FRAME_RATE))
            whole.writeframes(audio.raw_data)
            sections.append(section)
            tags = {"title": f"{v.index + 1:02d} {speech.sections[v.index].title}", "album": speech.title, "artist": "deliver", "track": str(v.index + 1)}
            jobs.append(pool.submit(export_mp3, audio, section.path, tags))
        step("encoding audio")
        for job in jobs:
            job.result()
    whole_mp3 = stage / "audio" / "speech.mp3"
    encode_wav(whole_wav, whole_mp3, {"title": speech.title, "artist": "deliver"})
    whole_wav.unlink()
    starts, at = [], 0.0
    for s in sections:
        starts.append(at)
        at += s.duration + SECTION_GAP
    write_chapters(whole_mp3, [(speech.sections[s.index].title, t, t + s.duration) for s, t in zip(sections, starts)])
    cues = [Cue(round(c.start + t, 3), round(c.end + t, 3), c.text, c.point) for s, t in zip(sections, starts) for c in s.subtitles]
    write_text(stage / "subtitles" / "speech.srt", srt(cues))
    write_text(stage / "subtitles" / "speech.vtt", vtt(cues))
    return Soundtrack(tuple(sections), tuple(starts), tuple(cues), at - SECTION_GAP)


def _section(stage: Path, speech: Speech, v: VoicedSection, options: NarrationOptions) -> tuple[SectionAudio, AudioSegment]:
    audio, points, subtitles = assemble(v, options, speech.language)
    path = stage / "audio" / section_file(v.index, speech.sections[v.index].title)
    info = SectionAudio(v.index, path, len(audio) / 1000, points, subtitles, v.voice.engine, v.voice.name, v.fallback_from)
    return info, audio
