"""The one vocabulary every stage speaks: frozen dataclasses and their JSON shapes.

`to_dict()` functions here are the only place that knows the wire format of
`outline --json` (a public interface: keep it stable).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
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


@dataclass(frozen=True, eq=False)
class Meta(Mapping[str, str]):
    """What the header zone or front matter says about the speech beyond its title.

    Also a read-only mapping of the fields that are set (``meta["date"]``, ``meta.get("speaker")``),
    which is how stages and tests used the plain dict it replaces."""

    speaker: str | None = None
    """Who gives the speech, as the document names them ("国务院总理 李克强", "Woodrow Wilson")."""
    date: str | None = None
    """When, as written ("2024年2月18日", "March 4, 1933", "2020.07.13")."""
    occasion: str | None = None
    """Where or at what meeting ("在全市组织工作会议上", "2025年第一季度安全生产形势分析会")."""
    subtitle: str | None = None
    """A subtitle or description line under the title that is not an occasion."""
    note: str | None = None
    """An editor's lead-in or note (编者按, "> （…公開重建稿…）"): kept, never spoken or shown."""
    doctype: str | None = None
    """The document-type suffix the title carries (讲话稿, 发言稿): kept in the title and file name,
    left off the title slide."""
    heading: str | None = None
    """The title line as the document wrote it, when a date or the speaker in front was moved out of the
    title ("2026-07-31 公民浪潮", "习近平：在…上的讲话"); labels and site names are not kept."""

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Meta:
        """A `Meta` from a mapping; unknown keys are ignored, empty values are absent."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v.strip() for k, v in values.items() if k in names and v and v.strip()})

    def merged(self, values: Mapping[str, str]) -> Meta:
        """These fields with `values` (e.g. --date/--occasion/--speaker) taking precedence."""
        return replace(self, **dict(Meta.of(values)))

    def cover_lines(self) -> tuple[str, ...]:
        """What the title slide shows under the title, in order, without a line that repeats another."""
        lines: list[str] = []
        for value in (self.subtitle, self.occasion, self.date, self.speaker):
            if value and not any(value in line for line in lines):
                lines.append(value)
        return tuple(lines)

    def __getitem__(self, key: str) -> str:
        value = getattr(self, key, None) if key in _META_KEYS else None
        if not isinstance(value, str):
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (k for k in _META_KEYS if getattr(self, k) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Meta({dict(self)!r})"


_META_KEYS = ("speaker", "date", "occasion", "subtitle", "note", "doctype", "heading")


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
    meta: Meta = field(default_factory=Meta, compare=False)
    """What the header zone or front matter gives besides the title (speaker, date, occasion …)."""

    def __post_init__(self) -> None:
        if not isinstance(self.meta, Meta):  # a plain dict, as callers wrote before `Meta` existed
            object.__setattr__(self, "meta", Meta.of(self.meta))

    @property
    def shown_title(self) -> str:
        """The title as the title slide shows it: without a document-type suffix (…讲话稿 → …)."""
        kind = self.meta.doctype
        if kind and self.title.endswith(kind) and len(self.title) > len(kind) + 1:
            return self.title[: -len(kind)].rstrip(" ：:—-（(【")
        return self.title

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
    """The `outline --json` shape: title, language, salutation, sections[title, kind, points[headline, text, bullets]],
    meta{speaker, date, occasion, subtitle, note, doctype, heading}."""
    return {
        "title": speech.title,
        "language": speech.language,
        "salutation": speech.salutation,
        "sections": [section_to_dict(s) for s in speech.sections],
        "meta": meta_to_dict(speech.meta),
    }


def meta_to_dict(meta: Meta) -> dict[str, str | None]:
    """`meta` in `outline --json`: every key, null when the document does not say."""
    return {key: getattr(meta, key) for key in _META_KEYS}


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

    def moved(self, to: Callable[[float], float]) -> Cue:
        """The same cue on another timeline, each of its times mapped by `to`."""
        return Cue(round(to(self.start), 3), round(to(self.end), 3), self.text, self.point,
                   tuple((round(to(t), 3), offset) for t, offset in self.words))  # fmt: skip

    def shifted(self, seconds: float) -> Cue:
        """The same cue `seconds` later on the timeline."""
        return self.moved(lambda t: t + seconds)
