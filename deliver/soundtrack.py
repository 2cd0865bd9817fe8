"""Voiced sections → the package's audio files: audio/NN-<section>.mp3, audio/speech.mp3, subtitles/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deliver.audio import SECTION_GAP, SectionAudio, assemble, concat_mp3, export_mp3, srt, vtt
from deliver.files import write_text
from deliver.model import Cue, Speech
from deliver.narrate import NarrationOptions, VoicedSection
from deliver.package import slug


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
    """Encode each section, join them into the whole-speech track, write the subtitles."""
    (stage / "audio").mkdir(exist_ok=True)
    (stage / "subtitles").mkdir(exist_ok=True)
    sections: list[SectionAudio] = []
    for v in voiced:
        title = speech.sections[v.index].title
        step(f"encoding audio {v.index + 1}/{len(voiced)}")
        audio, points, subtitles = assemble(v, options, speech.language)
        path = stage / "audio" / section_file(v.index, title)
        tags = {"title": f"{v.index + 1:02d} {title}", "album": speech.title, "artist": "deliver", "track": str(v.index + 1)}
        export_mp3(audio, path, tags)
        sections.append(
            SectionAudio(v.index, path, len(audio) / 1000, points, subtitles, v.voice.engine, v.voice.name, v.fallback_from)
        )
    step("joining the whole-speech track")
    concat_mp3([s.path for s in sections], SECTION_GAP, stage / "audio" / "speech.mp3")
    starts, at = [], 0.0
    for s in sections:
        starts.append(at)
        at += s.duration + SECTION_GAP
    whole = [Cue(round(c.start + t, 3), round(c.end + t, 3), c.text, c.point) for s, t in zip(sections, starts) for c in s.subtitles]
    write_text(stage / "subtitles" / "speech.srt", srt(whole))
    write_text(stage / "subtitles" / "speech.vtt", vtt(whole))
    return Soundtrack(tuple(sections), tuple(starts), tuple(whole), at - SECTION_GAP)
