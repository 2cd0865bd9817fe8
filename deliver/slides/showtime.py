"""The show's timeline: when each slide is up, in seconds, computed once for the narrated deck, the
rehearsal page and the video.

The source timeline is what is said (audio/speech.mp3, or the estimate at the planned pace): each slide
that carries speech (a point, the title's salutation) gets the stretch of it between the middles of the
pauses around its utterance, so those stretches tile the source. Slides with nothing said (agenda,
dividers, closing, a title without salutation) get a short hold of silence, inserted into the show where
they stand; a title whose salutation is shorter than its hold is held that long. The show is therefore
the source plus the inserted silences, and every time on it maps back to the source (or to a silence).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final

from deliver.slides.plan import page_share

if TYPE_CHECKING:
    from deliver.audio import Soundtrack
    from deliver.slides.plan import Deck, SlideKind

SILENT_ADVANCE: Final = {"title": 4.0, "agenda": 4.0, "section": 2.5, "closing": 3.0, "point": 3.0}
"""Seconds a slide without narration stays up (the title: at least this long, so a speaker who starts a
timer on it has time to settle)."""
HOLD: Final = {"title": SILENT_ADVANCE["title"]}
"""Slide kinds kept up at least this many seconds even when their speech is shorter."""

Said = Mapping[int | None, tuple[int, float, float]]
"""What is said on the source timeline: point index (None: the salutation) → (section, start, end)."""


@dataclass(frozen=True)
class SlideWindow:
    """When one slide is up on the show's timeline, in seconds (windows tile the show in slide order)."""

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
    source_start: float | None
    """Where the slide's speech starts on the source timeline; None for a silent slide."""
    source_end: float | None
    """Where it ends; the show plays the source from `source_start` for `source_end - source_start`
    seconds, then holds silence until `end`."""

    def to_dict(self) -> dict[str, Any]:
        """The window as manifest.json lists it (`slides.windows`)."""
        return {"slide": self.slide, "kind": self.kind, "point": self.point, "page": self.page,
                "start": self.start, "end": self.end,
                "source_start": self.source_start, "source_end": self.source_end}  # fmt: skip


def utterance_spans(said: Said, sections: Sequence[tuple[float, float]], duration: float) -> dict[int | None, float]:
    """Utterance → where its stretch of the source ends: stretches are cut at the middle of the pause
    between utterances; a section's last one runs to the next section's start (the gap between sections
    stays with it), the very last to the end of the source. The first starts at 0."""
    order = sorted(said.items(), key=lambda item: item[1][1])
    ends: dict[int | None, float] = {}
    for (key, (section, _, end)), (_, (following, start, _)) in pairwise(order):
        ends[key] = (end + start) / 2 if following == section else sections[following][0]
    if order:
        ends[order[-1][0]] = duration
    return ends


def show_windows(
    deck: Deck, said: Said, sections: Sequence[tuple[float, float]], duration: float
) -> tuple[SlideWindow, ...]:
    """Each slide's window on the show's timeline (see the module docstring)."""
    ends = utterance_spans(said, sections, duration)
    begins = _begins(ends)
    windows: list[SlideWindow] = []
    at, section = 0.0, 0
    for index, slide in enumerate(deck.slides):
        section = slide.section_index if slide.section_index is not None else section
        key = None if slide.kind == "title" else slide.point_index
        spoken = key in ends and (key is not None or slide.kind == "title")
        if spoken:
            begin, end = begins[key], ends[key]
            before, upto = page_share(deck, index)
            source = (begin + (end - begin) * before, begin + (end - begin) * upto)
            length = max(source[1] - source[0], HOLD.get(slide.kind, 0.0))
            start, stop = round(at, 3), round(at + length, 3)
            windows.append(SlideWindow(index + 1, slide.kind, slide.point_index, slide.page, section, start, stop,
                                       round(source[0], 3), round(source[1], 3)))  # fmt: skip
        else:
            start, stop = round(at, 3), round(at + SILENT_ADVANCE[slide.kind], 3)
            windows.append(SlideWindow(index + 1, slide.kind, slide.point_index, slide.page, section, start, stop,
                                       None, None))  # fmt: skip
        at = stop
    return tuple(windows)


def narrated_windows(deck: Deck, soundtrack: Soundtrack) -> tuple[SlideWindow, ...]:
    """The show's timeline of a narrated speech: what the narrated deck advances on, the rehearsal page
    plays and the video shows."""
    said = {
        cue.point: (audio.index, start + cue.start, start + cue.end)
        for audio, start in zip(soundtrack.sections, soundtrack.starts, strict=True)
        for cue in audio.points
    }
    sections = [(start, start + a.duration) for a, start in zip(soundtrack.sections, soundtrack.starts, strict=True)]
    return show_windows(deck, said, sections, soundtrack.duration)


def _begins(ends: dict[int | None, float]) -> dict[int | None, float]:
    """Utterance → where its stretch starts: where the one before ends (0 for the first)."""
    begins: dict[int | None, float] = {}
    previous = 0.0
    for key, end in sorted(ends.items(), key=lambda item: item[1]):
        begins[key] = previous
        previous = end
    return begins


def to_show(windows: Sequence[SlideWindow]) -> Callable[[float], float]:
    """A function taking a time on the source timeline to the same moment on the show's (a time inside a
    slide's stretch keeps its offset into the slide's window; the end of the source is the end of its
    last stretch)."""
    spoken = [w for w in windows if w.source_start is not None and w.source_end is not None]
    starts = [w.source_start for w in spoken if w.source_start is not None]

    def mapped(t: float) -> float:
        k = bisect_right(starts, t + 1e-9) - 1
        if k < 0:
            return spoken[0].start if spoken else 0.0
        w = spoken[k]
        assert w.source_start is not None and w.source_end is not None
        return round(w.start + min(t, w.source_end) - w.source_start, 3)

    return mapped
