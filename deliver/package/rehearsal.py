"""`rehearsal.html`: one offline page with the slides, the narration synced to them, a teleprompter
and a rehearsal timer.

Python only gathers the data (slides with their times, teleprompter lines, per-section plan, theme
colours and fonts) into one JSON blob and inlines it into `templates/rehearsal.html`; the page's
behaviour lives in that template's script (presenter view, full-screen prompter, recording yourself
and the results kept in the browser). The page's times are on the show's timeline
(`deliver.slides.show_windows`, the one the narrated deck advances on): the source — `audio/speech.mp3`
when narrated, else the estimate at the planned speaking rate — with the silent slides' holds inserted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.audio import subtitle_lines
from deliver.files import write_text
from deliver.model import Cue, Point, Speech
from deliver.slides import (
    BULLET_INDENT,
    Palette,
    SlideWindow,
    Theme,
    accents,
    boxes,
    page_share,
    role_style,
    show_windows,
    to_show,
)
from deliver.speech import spoken_units

if TYPE_CHECKING:
    from deliver.audio import Soundtrack
    from deliver.slides import Deck
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
    """Teleprompter lines (subtitle cues), in order; `words` time each word."""
    duration: float
    said: dict[int | None, tuple[int, float, float]] = field(default_factory=dict)
    """Each utterance (point index; None: the salutation) → (section, start, end): what the show's
    timeline (`deliver.slides.show_windows`) is cut from."""


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
    sections, points, said = [], {}, {}
    for audio, start in zip(soundtrack.sections, soundtrack.starts, strict=True):
        sections.append((start, start + audio.duration))
        for cue in audio.points:
            said[cue.point] = (audio.index, start + cue.start, start + cue.end)
            if cue.point is not None:
                points[cue.point] = (start + cue.start, start + cue.end)
    return Timeline("audio", tuple(sections), points, soundtrack.subtitles, soundtrack.duration, said)


def estimated_timeline(speech: Speech, timing: Timing) -> Timeline:
    """Sections at their estimated times; points and lines share them by spoken units."""
    sections, points, lines = [], {}, []
    spans: dict[int | None, tuple[int, float, float]] = {}
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
            spans[which] = (index, begin, at)
            if which is not None:
                points[which] = (begin, at)
        sections.append((planned.start, planned.start + planned.seconds))
    return Timeline("estimate", tuple(sections), points, tuple(lines), timing.total_seconds, spans)


def rehearsal_data(
    speech: Speech, deck: Deck, theme: Theme, timing: Timing, timeline: Timeline, chart: str | None = None
) -> dict[str, Any]:
    """Everything the page shows, as JSON-able data. Times are on the show's timeline (the source plus
    the silent slides' holds); each slide also says which stretch of the audio it plays."""
    narrated = timeline.source == "audio"
    windows = slide_windows(deck, timeline)
    show = to_show(windows)
    spans = section_spans(windows, len(speech.sections))
    return {
        "title": speech.title,
        "language": speech.language,
        "audio": AUDIO if narrated else None,
        "timeline": timeline.source,
        "duration": windows[-1].end if windows else 0.0,
        "rate": timing.rate,
        "unit": timing.unit,
        "target": timing.target_seconds,
        "sections": [
            {
                "title": s.title,
                "kind": s.kind,
                "start": span[0],
                "plan": round(span[1] - span[0], 3),
                "estimated": round(t.seconds, 3),
                "narrated": round(span[1] - span[0], 3) if narrated else None,
                "units": t.units,
            }
            for s, t, span in zip(speech.sections, timing.sections, spans, strict=True)
        ],
        "slides": slide_entries(deck, windows, speech),
        "lines": [_line(c, show) for c in timeline.lines],
        "pointSections": [i for i, s in enumerate(speech.sections) for _ in s.points],
        "theme": theme_data(theme, deck),
        "chart": chart,
    }


def _line(cue: Cue, show: Callable[[float], float]) -> dict[str, Any]:
    """A teleprompter line on the show's timeline, with its words as [show time, character offset]."""
    start = show(cue.start)
    return {"start": start, "end": max(start, show(cue.end)), "text": cue.text, "point": cue.point,
            "words": [[show(t), offset] for t, offset in cue.words]}  # fmt: skip


def slide_windows(deck: Deck, timeline: Timeline) -> list[SlideWindow]:
    """Each slide's window on the show's timeline: the one rule the narrated deck and the video use too."""
    return list(show_windows(deck, timeline.said, timeline.sections, timeline.duration))


def section_spans(windows: list[SlideWindow], count: int) -> list[tuple[float, float]]:
    """(start, end) of each section on the show's timeline: from its first slide's window to its last's
    (the title and agenda count to the first section; a section with no slide is empty where it would be)."""
    spans: list[tuple[float, float]] = []
    for index in range(count):
        own = [w for w in windows if w.section == index]
        at = spans[-1][1] if spans else 0.0
        spans.append((own[0].start, own[-1].end) if own else (at, at))
    return spans


def slide_entries(deck: Deck, windows: list[SlideWindow], speech: Speech) -> list[dict[str, Any]]:
    """Each slide's content, section, window [start, end) on the show's timeline, the stretch of audio it
    plays ([audioStart, audioEnd), null for a silent slide) and how many 字/words are said on it."""
    points = [p for s in speech.sections for p in s.points]
    return [
        {
            "kind": s.kind,
            "section": window.section,
            "point": s.point_index,
            "page": s.page,
            "pages": s.pages,
            "start": window.start,
            "end": window.end,
            "audioStart": window.source_start,
            "audioEnd": window.source_end,
            "units": _units_on(deck, index, points, speech),
            "blocks": [b.to_dict() for b in s.blocks],
        }
        for index, (s, window) in enumerate(zip(deck.slides, windows, strict=True))
    ]


def _units_on(deck: Deck, index: int, points: list[Point], speech: Speech) -> float:
    """字 or words said while this slide is up (a continued point's by its pages' share of the text)."""
    slide = deck.slides[index]
    if slide.kind == "title":
        return float(spoken_units(speech.salutation, speech.language)) if speech.salutation else 0.0
    if slide.point_index is None or slide.point_index >= len(points):
        return 0.0
    before, upto = page_share(deck, index)
    return round(spoken_units(points[slide.point_index].text, speech.language) * (upto - before), 2)


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
