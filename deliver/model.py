"""The one vocabulary every stage speaks: frozen dataclasses and their JSON shapes.

`to_dict()` functions here are the only place that knows the wire format of
`outline --json` (a public interface: keep it stable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["zh", "en"]
SectionKind = Literal["opening", "body", "closing"]


@dataclass(frozen=True)
class Point:
    """One slide's worth of speech."""

    text: str
    """Exactly what the speaker says; goes to the speaker notes and to the voice."""
    headline: str
    """Short slide title (≈ ≤ 16 CJK characters or ≈ ≤ 8 English words)."""
    bullets: tuple[str, ...]
    """What the slide shows: condensed phrases, never the whole paragraph."""
    continued: bool = False
    """True when this point continues the previous one (a long passage split at sentence ends)."""


@dataclass(frozen=True)
class Section:
    """A part of the speech: the opening, one body section, or the closing."""

    title: str
    """The section's stated topic (for the opening and closing, a generic label)."""
    kind: SectionKind
    """Where the section stands in the speech."""
    points: tuple[Point, ...]
    """The section's points in speaking order (at least one)."""


@dataclass(frozen=True)
class Speech:
    """A whole speech, parsed."""

    title: str
    """The speech's title (from the text, or the file name when the text has none)."""
    language: Language
    """Main language of the text."""
    salutation: str | None
    """Opening address such as 同志们： or "Ladies and gentlemen," (spoken before the opening); None if absent."""
    sections: tuple[Section, ...]
    """Sections in speaking order."""
    meta: dict[str, str] = field(default_factory=dict, compare=False)
    """Front matter (date, occasion, speaker) when the source gives it."""

    @property
    def points(self) -> tuple[Point, ...]:
        """Every point of every section, in order."""
        return tuple(p for s in self.sections for p in s.points)


def point_to_dict(point: Point) -> dict[str, Any]:
    return {"headline": point.headline, "text": point.text, "bullets": list(point.bullets)}


def section_to_dict(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "kind": section.kind,
        "points": [point_to_dict(p) for p in section.points],
    }


def speech_to_dict(speech: Speech) -> dict[str, Any]:
    """The `outline --json` shape: title, language, salutation, sections[title, kind, points[headline, text, bullets]]."""
    return {
        "title": speech.title,
        "language": speech.language,
        "salutation": speech.salutation,
        "sections": [section_to_dict(s) for s in speech.sections],
    }


NoticeLevel = Literal["info", "warning"]


@dataclass(frozen=True)
class Notice:
    """Something a stage wants the user to know (dropped noise, a split slide, a fallback). Returned, never printed."""

    stage: str
    """The stage that raised it: "read", "structure", "slides", "voice", "package"."""
    message: str
    """One line, in the user's terms."""
    level: NoticeLevel = "info"


@dataclass(frozen=True)
class Cue:
    """A stretch of narrated text on a timeline."""

    start: float
    """Seconds from the start of the timeline (a section's audio, or the whole speech)."""
    end: float
    text: str
    """What is heard (the speech's own text, not the engine's normalised form)."""
    point: int | None = None
    """Index into `Speech.points`; None for the salutation."""
    words: tuple[tuple[float, int], ...] = ()
    """When each later word of `text` is heard: (seconds on the same timeline, character offset in `text`);
    empty when the engine gave no word timings."""

    def shifted(self, seconds: float) -> Cue:
        """The same cue `seconds` later on the timeline."""
        return Cue(round(self.start + seconds, 3), round(self.end + seconds, 3), self.text, self.point,
                   tuple((round(t + seconds, 3), offset) for t, offset in self.words))  # fmt: skip
