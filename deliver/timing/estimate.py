"""Speaking-time estimates: rate presets, per-section durations, cue sheet and target budget.

Instant and pure: counts the speech's own units (字 for Chinese, words for English) and divides
by a human speaking rate. Narrated timing, measured from audio, comes from the voice stage.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, Final

from deliver import defaults
from deliver.errors import OptionError
from deliver.model import Language, Speech
from deliver.speech import spoken_units

RATE_PRESETS: Final = {
    "zh": {"slow": 170, "formal": 200, "brisk": 240, "news": 280},
    "en": {"slow": 110, "formal": 130, "brisk": 160},
}
"""Speaking rates in units per minute: 字/分钟 for zh (formal speech ≈ 160–220), words/minute for en."""
DEFAULT_PRESET: Final = defaults.PACE
UNIT_NAMES: Final = {"zh": "字", "en": "words"}
RATE_RANGE: Final = (40, 600)
_EDGE_SHARE: Final = 0.1
"""Budget share an opening or a closing may keep before body sections share the rest."""


@dataclass(frozen=True)
class SectionTiming:
    """Estimated speaking time of one section."""

    title: str
    kind: str
    units: int
    """字 (zh) or words (en), salutation included in the first section."""
    seconds: float
    start: float
    """Seconds from the start of the speech when this section begins."""
    share: float
    """Fraction of the whole speech (0–1)."""
    budget: float | None
    """Seconds this section may take within the target; None without a target."""
    cut: float
    """Seconds to cut from this section to meet the target (0 when within it)."""


@dataclass(frozen=True)
class Timing:
    """The timing preview of a speech at a given rate."""

    language: Language
    rate: float
    """Units per minute."""
    unit: str
    sections: tuple[SectionTiming, ...]
    total_units: int
    total_seconds: float
    target_seconds: float | None
    over_seconds: float
    """How far the whole speech overruns the target (0 when within it or without a target)."""


def resolve_rate(language: Language, rate: str | float | None) -> float:
    """A preset name, a number of units per minute, or None (the default preset). Raises OptionError."""
    if rate is None:
        return float(RATE_PRESETS[language][DEFAULT_PRESET])
    if isinstance(rate, str) and rate in RATE_PRESETS[language]:
        return float(RATE_PRESETS[language][rate])
    try:
        value = float(rate)
    except ValueError:
        names = ", ".join(RATE_PRESETS[language])
        raise OptionError(f"--pace {rate!r}: give {UNIT_NAMES[language]} per minute or one of: {names}") from None
    low, high = RATE_RANGE
    if not low <= value <= high:
        raise OptionError(f"--pace {value:g}: must be between {low} and {high} {UNIT_NAMES[language]} per minute")
    return value


def check_pace(pace: str | float | None) -> None:
    """Before the language is known: a preset of some language, or a rate in range. Raises OptionError."""
    presets = sorted({name for table in RATE_PRESETS.values() for name in table})
    if pace is None or pace in presets:
        return
    try:
        value = float(pace)
    except ValueError:
        value = math.nan
    low, high = RATE_RANGE
    if not low <= value <= high:  # nan and inf fail too
        raise OptionError(f"--pace {pace}: give 字/min (zh) or words/min (en) between {low} and {high}, "
                          f"or a preset: {', '.join(presets)}")  # fmt: skip


def check_target(target_minutes: float | None) -> None:
    """None, or minutes in (0, 24 h]. Raises OptionError."""
    if target_minutes is not None and not 0 < target_minutes <= 24 * 60:
        raise OptionError(f"--target {target_minutes:g}: give the time you have in minutes (more than 0)")


def estimate(speech: Speech, rate: str | float | None = None, target_minutes: float | None = None) -> Timing:
    """Per-section estimates at `rate`; with `target_minutes`, each section's budget and what to cut."""
    check_target(target_minutes)
    per_minute = resolve_rate(speech.language, rate)
    units = [sum(spoken_units(p.text, speech.language) for p in s.points) for s in speech.sections]
    if speech.salutation and units:
        units[0] += spoken_units(speech.salutation, speech.language)
    seconds = [u * 60.0 / per_minute for u in units]
    total = sum(seconds)
    target = target_minutes * 60.0 if target_minutes is not None else None
    budgets = _budgets(speech, seconds, target)
    cuts = _cuts(seconds, budgets, total, target)
    rows, start = [], 0.0
    for section, n, sec, budget, cut in zip(speech.sections, units, seconds, budgets, cuts, strict=True):
        share = sec / total if total else 0.0
        rows.append(SectionTiming(section.title, section.kind, n, sec, start, share, budget, cut))
        start += sec
    over = max(0.0, total - target) if target is not None else 0.0
    return Timing(
        speech.language, per_minute, UNIT_NAMES[speech.language], tuple(rows), sum(units), total, target, over
    )


def _budgets(speech: Speech, seconds: list[float], target: float | None) -> list[float | None]:
    """Opening and closing keep up to 10 % each; body sections share the rest equally."""
    if target is None:
        return [None] * len(seconds)
    edges = {
        i: min(s, target * _EDGE_SHARE)
        for i, (sec, s) in enumerate(zip(speech.sections, seconds, strict=True))
        if sec.kind != "body"
    }
    body = len(seconds) - len(edges)
    rest = max(0.0, target - sum(edges.values()))
    return [edges[i] if i in edges else rest / body for i in range(len(seconds))]


def _cuts(seconds: list[float], budgets: list[float | None], total: float, target: float | None) -> list[float]:
    """Spread the overrun over the sections that exceed their budget, in proportion to their excess."""
    if target is None or total <= target:
        return [0.0] * len(seconds)
    excess = [max(0.0, s - (b or 0.0)) for s, b in zip(seconds, budgets, strict=True)]
    weight = sum(excess) or total
    basis = excess if sum(excess) else seconds
    return [(total - target) * e / weight for e in basis]


def clock(seconds: float) -> str:
    """Seconds → m:ss (or h:mm:ss)."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


Narrated = list[tuple[float, float]]
"""Per section: (start in the whole-speech track, duration), seconds."""


def timing_to_dict(timing: Timing, narrated: Narrated | None = None) -> dict[str, Any]:
    """The `timing --json` shape; with `narrated`, the measured narration beside the estimate."""
    sections: list[dict[str, Any]] = [
        {
            "title": s.title,
            "kind": s.kind,
            "units": s.units,
            "seconds": round(s.seconds, 1),
            "start": round(s.start, 1),
            "share": round(s.share, 4),
            "budget": None if s.budget is None else round(s.budget, 1),
            "cut_seconds": round(s.cut, 1),
            "cut_units": round(s.cut * timing.rate / 60),
        }
        for s in timing.sections
    ]
    data: dict[str, Any] = {
        "language": timing.language,
        "rate": timing.rate,
        "unit": timing.unit,
        "total_units": timing.total_units,
        "total_seconds": round(timing.total_seconds, 1),
        "target_seconds": timing.target_seconds,
        "over_seconds": round(timing.over_seconds, 1),
        "sections": sections,
    }
    if narrated is not None:
        for row, (start, seconds) in zip(sections, narrated, strict=False):
            row["narrated_seconds"] = round(seconds, 3)
            row["narrated_start"] = round(start, 3)
        data["narrated_seconds"] = round(narrated[-1][0] + narrated[-1][1], 3) if narrated else 0.0
    return data


def timing_markdown(timing: Timing, title: str, narrated: Narrated | None = None, chart: str | None = None) -> str:
    """The timing preview as a Markdown cue sheet (with narrated durations and start times when given),
    showing the picture at relative path `chart` under the table when given."""
    text = _narrated_markdown(timing, title, narrated) if narrated is not None else _estimate_markdown(timing, title)
    return text + (f"\n![section durations]({chart})\n" if chart else "")


def _md(text: str) -> str:
    """Speech text as Markdown text: never HTML a renderer would run, never a `|` that splits a table cell."""
    return html.escape(text, quote=False).replace("|", "\\|")


def _estimate_markdown(timing: Timing, title: str) -> str:
    unit = timing.unit
    lines = [
        f"# {_md(title)} — timing",
        "",
        f"Estimated at {timing.rate:g} {unit}/min: **{clock(timing.total_seconds)}** for {timing.total_units} {unit}.",
    ]
    if timing.target_seconds is not None:
        verdict = f"over by {clock(timing.over_seconds)}" if timing.over_seconds else "within it"
        lines.append(f"Target {clock(timing.target_seconds)}: {verdict}.")
    lines += [
        "",
        f"| # | section | {unit} | estimated | starts at | share | cut |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for i, s in enumerate(timing.sections, 1):
        cut = f"{clock(s.cut)} (≈{round(s.cut * timing.rate / 60)} {unit})" if s.cut else ""
        lines.append(
            f"| {i} | {_md(s.title)} | {s.units} | {clock(s.seconds)} | {clock(s.start)} | {s.share:.0%} | {cut} |"
        )
    return "\n".join(lines) + "\n"


def _narrated_markdown(timing: Timing, title: str, narrated: Narrated) -> str:
    unit = timing.unit
    total = narrated[-1][0] + narrated[-1][1] if narrated else 0.0
    spoken = sum(seconds for _, seconds in narrated) or 1.0
    lines = [
        f"# {_md(title)} — timing",
        "",
        f"Narrated: **{clock(total)}**. "
        f"Estimated at a speaker's {timing.rate:g} {unit}/min: {clock(timing.total_seconds)}.",
    ]
    if timing.target_seconds is not None:
        verdict = f"over by {clock(timing.over_seconds)}" if timing.over_seconds else "within it"
        lines.append(f"Target {clock(timing.target_seconds)} (against the estimate): {verdict}.")
    lines += [
        "",
        "Cue sheet: at each time you should be starting that section.",
        "",
        f"| # | section | {unit} | estimated | narrated | starts at (estimate) | starts at (narration) | share | cut |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, (s, (start, seconds)) in enumerate(zip(timing.sections, narrated, strict=False), 1):
        cut = f"{clock(s.cut)} (≈{round(s.cut * timing.rate / 60)} {unit})" if s.cut else ""
        cells = (i, _md(s.title), s.units, clock(s.seconds), clock(seconds), clock(s.start), clock(start),
                 f"{seconds / spoken:.0%}", cut)  # fmt: skip
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
