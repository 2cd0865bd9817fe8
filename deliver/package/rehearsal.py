"""`rehearsal.html`: one offline page with the slides, the narration synced to them, a teleprompter
and a rehearsal timer.

Python only gathers the data (slides with their times, teleprompter lines, per-section plan, theme
colours and fonts) into one JSON blob and inlines it into `templates/rehearsal.html`; the page's
behaviour lives in that template's script. Times are seconds on one timeline: `audio/speech.mp3`
when the speech is narrated, else the estimate at the planned speaking rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.audio import subtitle_lines
from deliver.files import write_text
from deliver.model import Cue, Speech
from deliver.slides import BULLET_INDENT, Palette, Theme, accents, boxes, page_share, role_style
from deliver.speech import spoken_units

if TYPE_CHECKING:
    from deliver.audio import Soundtrack
    from deliver.slides import Deck, SlideKind
    from deliver.timing import Timing

PAGE: Final = "rehearsal.html"
AUDIO: Final = "audio/speech.mp3"
"""The whole-speech track, relative to the package folder (so a copied or unzipped folder still plays)."""
PLACEHOLDER: Final = "__DELIVER_DATA__"
_SERIF_HINTS: Final = ("song", "fang", "kai", "ming", "serif", "宋", "仿", "楷", "明")


@dataclass(frozen=True)
class Timeline:
    """Where each section, point and teleprompter line falls, in seconds."""

    source: str
    """"audio" (narrated: the timeline of audio/speech.mp3) or "estimate" (planned speaking rate)."""
    sections: tuple[tuple[float, float], ...]
    """(start, end) of each section."""
    points: dict[int, tuple[float, float]]
    """Point index → (start, end)."""
    lines: tuple[Cue, ...]
    """Teleprompter lines (subtitle cues), in order."""
    duration: float


def write_rehearsal(
    folder: Path, speech: Speech, deck: Deck, theme: Theme, timing: Timing, timeline: Timeline, chart: str | None = None
) -> None:
    """Write `folder/rehearsal.html` (atomically); audio is referenced as `audio/speech.mp3` when narrated.
    `chart` is the timing chart's SVG text, shown inside the page (it is not fetched)."""
    write_text(folder / PAGE, render_page(rehearsal_data(speech, deck, theme, timing, timeline, chart)))


def timeline_of(speech: Speech, timing: Timing, soundtrack: Soundtrack | None) -> Timeline:
    """The narration's timeline when there is one, else the estimate's."""
    return narrated_timeline(soundtrack) if soundtrack is not None else estimated_timeline(speech, timing)


def render_page(data: dict[str, Any]) -> str:
    """The template with `data` inlined as JSON; every "<" is escaped so no text can close the script."""
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    template = files("deliver.package").joinpath("templates", PAGE).read_text(encoding="utf-8")
    head, tail = template.split(PLACEHOLDER, 1)
    return head + blob + tail


def narrated_timeline(soundtrack: Soundtrack) -> Timeline:
    """Sections, points and lines as heard in audio/speech.mp3."""
    sections, points = [], {}
    for audio, start in zip(soundtrack.sections, soundtrack.starts, strict=True):
        sections.append((start, start + audio.duration))
        for cue in audio.points:
            if cue.point is not None:
                points[cue.point] = (start + cue.start, start + cue.end)
    return Timeline("audio", tuple(sections), points, soundtrack.subtitles, soundtrack.duration)


def estimated_timeline(speech: Speech, timing: Timing) -> Timeline:
    """Sections at their estimated times; points and lines share them by spoken units."""
    sections, points, lines = [], {}, []
    point = 0
    for index, (section, planned) in enumerate(zip(speech.sections, timing.sections, strict=True)):
        said: list[tuple[int | None, str]] = [(None, speech.salutation)] if index == 0 and speech.salutation else []
        said += [(point + i, p.text) for i, p in enumerate(section.points)]
        point += len(section.points)
        total = sum(spoken_units(text, speech.language) for _, text in said) or 1
        per_unit, at = planned.seconds / total, planned.start
        for which, text in said:
            begin = at
            for line in subtitle_lines(text, speech.language):
                length = spoken_units(line, speech.language) * per_unit
                lines.append(Cue(round(at, 3), round(at + length, 3), line, which))
                at += length
            if which is not None:
                points[which] = (begin, at)
        sections.append((planned.start, planned.start + planned.seconds))
    return Timeline("estimate", tuple(sections), points, tuple(lines), timing.total_seconds)


def rehearsal_data(
    speech: Speech, deck: Deck, theme: Theme, timing: Timing, timeline: Timeline, chart: str | None = None
) -> dict[str, Any]:
    """Everything the page shows, as JSON-able data."""
    narrated = timeline.source == "audio"
    return {
        "title": speech.title,
        "language": speech.language,
        "audio": AUDIO if narrated else None,
        "timeline": timeline.source,
        "duration": round(timeline.duration, 3),
        "rate": timing.rate,
        "unit": timing.unit,
        "sections": [
            {
                "title": s.title,
                "kind": s.kind,
                "start": round(span[0], 3),
                "plan": round(span[1] - span[0], 3),
                "estimated": round(t.seconds, 3),
                "narrated": round(span[1] - span[0], 3) if narrated else None,
            }
            for s, t, span in zip(speech.sections, timing.sections, timeline.sections, strict=True)
        ],
        "slides": slide_entries(deck, timeline),
        "lines": [{"start": c.start, "end": c.end, "text": c.text, "point": c.point} for c in timeline.lines],
        "pointSections": [i for i, s in enumerate(speech.sections) for _ in s.points],
        "theme": theme_data(theme, deck),
        "chart": chart,
    }


@dataclass(frozen=True)
class SlideWindow:
    """When one slide is up on the timeline, in seconds (windows tile the timeline in slide order)."""

    slide: int
    """1-based slide number."""
    kind: SlideKind
    point: int | None
    """The slide's point (`Slide.point_index`); None if it is not a point slide."""
    page: int
    section: int
    """The section the slide belongs to: its own, or the last one begun before it."""
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        """The window as manifest.json lists it (`slides.windows`)."""
        return {"slide": self.slide, "kind": self.kind, "point": self.point, "page": self.page,
                "start": self.start, "end": self.end}  # fmt: skip


def slide_windows(deck: Deck, timeline: Timeline) -> list[SlideWindow]:
    """Each slide's window on the timeline: windows tile it in slide order, and slides sharing a time
    (the agenda and the first point) get empty windows."""
    starts: list[float] = []
    sections: list[int] = []
    last_section = 0
    for index, slide in enumerate(deck.slides):
        starts.append(max(_slide_start(deck, index, timeline), starts[-1] if starts else 0.0))
        last_section = slide.section_index if slide.section_index is not None else last_section
        sections.append(last_section)
    ends = [*starts[1:], timeline.duration]
    return [
        SlideWindow(n, s.kind, s.point_index, s.page, section, round(start, 3), round(max(end, start), 3))
        for n, (s, section, start, end) in enumerate(zip(deck.slides, sections, starts, ends, strict=True), start=1)
    ]


def slide_entries(deck: Deck, timeline: Timeline) -> list[dict[str, Any]]:
    """Each slide's content, section and time window [start, end) on the timeline."""
    return [
        {
            "kind": s.kind,
            "section": window.section,
            "point": s.point_index,
            "page": s.page,
            "pages": s.pages,
            "start": window.start,
            "end": window.end,
            "blocks": [b.to_dict() for b in s.blocks],
        }
        for s, window in zip(deck.slides, slide_windows(deck, timeline), strict=True)
    ]


def _slide_start(deck: Deck, index: int, timeline: Timeline) -> float:
    """A point slide starts with its point (continuation pages by their share of its text); a divider
    with the pause before its section; the title at 0; the agenda with the first point; the closing at the end."""
    slide = deck.slides[index]
    if slide.kind == "point" and slide.point_index in timeline.points:
        begin, end = timeline.points[slide.point_index]
        return begin + (end - begin) * page_share(deck, index)[0]
    if slide.kind == "section" and slide.section_index is not None:
        index = slide.section_index
        return timeline.sections[index - 1][1] if index > 0 else timeline.sections[index][0]
    if slide.kind == "agenda":
        return min((span[0] for span in timeline.points.values()), default=0.0)
    if slide.kind == "closing":
        return timeline.duration
    return 0.0


def theme_data(theme: Theme, deck: Deck) -> dict[str, Any]:
    """Colours (template themes inherit ours where they say nothing), font stacks, boxes and role styles."""
    defaults = Palette()
    colours = {f.name: getattr(theme.palette, f.name) or getattr(defaults, f.name) for f in fields(Palette)}
    where = boxes(theme)
    drawn = theme.template is None
    return {
        "width": deck.width,
        "height": deck.height,
        "colors": colours,
        "fonts": {
            "title": font_stack(theme.fonts.title_latin, theme.fonts.title_ea),
            "body": font_stack(theme.fonts.body_latin, theme.fonts.body_ea),
        },
        "boxes": {role: [b.x, b.y, b.w, b.h] for role, b in where.items()},
        "styles": {role: _style(theme, role) for role in where},
        "accents": {
            kind: [a.to_json(colours["accent"]) for a in accents(kind, theme, where)] if drawn else []
            for kind in ("title", "agenda", "section", "point", "closing")
        },
        "inset": theme.text.inset,
        "paragraphSpacing": theme.text.paragraph_spacing,
        "bullet": theme.text.bullet,
        "bulletIndent": BULLET_INDENT,
    }


def _style(theme: Theme, role: str) -> dict[str, Any]:
    style = role_style(theme, role)
    return {
        "font": style.font,
        "colour": style.colour,
        "bold": style.bold,
        "align": style.align or "left",
        "anchor": style.anchor or "top",
        "spacing": style.spacing,
    }


def font_stack(latin: str, east_asian: tuple[str, ...]) -> str:
    """A CSS font-family list: the theme's Latin face, its East-Asian chain, then Noto CJK and a generic family."""
    serif = any(hint in name.lower() for name in east_asian for hint in _SERIF_HINTS)
    fallback = ("Noto Serif CJK SC", "serif") if serif else ("Noto Sans CJK SC", "sans-serif")
    names = list(dict.fromkeys((latin, *east_asian, fallback[0])))
    return ", ".join([*(json.dumps(n, ensure_ascii=False) for n in names), fallback[1]])
