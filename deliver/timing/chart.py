"""`timing.svg`: a bar chart of section durations (estimated, narrated, and the target's budget).

Pure: timing figures in, SVG text out. The same picture is linked from timing.md and shown in
rehearsal.html, because people would rather look at where the time goes than read a table.
"""

from __future__ import annotations

import math
from typing import Final
from xml.sax.saxutils import escape

from deliver.speech import is_han, shorten
from deliver.timing.estimate import Narrated, Timing, clock

CHART: Final = "timing.svg"
"""The chart's file name in the package."""
WIDTH: Final = 560
LABEL_WIDTH: Final = 170
"""Pixels for the section titles on the left."""
FONT_SIZE: Final = 13
ROW: Final = 36
BAR: Final = 13
TOP: Final = 40
"""Room for the legend above the rows."""
BOTTOM: Final = 30
"""Room for the minute axis below the rows."""
COLOURS: Final = {
    "estimated": "#9db4cc",
    "narrated": "#1f4e79",
    "budget": "#c0392b",
    "text": "#333333",
    "grid": "#e3e7ec",
}
FONTS: Final = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'Helvetica Neue', Arial, sans-serif"
LEGEND: Final = {
    "zh": {"estimated": "预计（按语速）", "narrated": "旁白实测", "budget": "目标分配", "minutes": "分钟"},
    "en": {
        "estimated": "estimated (speaking rate)",
        "narrated": "narrated",
        "budget": "target budget",
        "minutes": "minutes",
    },
}


def timing_svg(timing: Timing, narrated: Narrated | None = None) -> str:
    """Horizontal bars per section: the estimate, the narration when there is one, a tick at each budget."""
    words = LEGEND[timing.language]
    spoken = [seconds for _, seconds in narrated] if narrated else []
    longest = max([s.seconds for s in timing.sections] + spoken + [s.budget or 0 for s in timing.sections] + [1.0])
    step = _tick_step(longest)
    scale = (WIDTH - LABEL_WIDTH - 20) / (math.ceil(longest / step) * step)
    height = TOP + ROW * len(timing.sections) + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="{FONTS}" font-size="{FONT_SIZE}" fill="{COLOURS["text"]}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        *_axis(len(timing.sections), longest, step, scale, words["minutes"]),
        *_legend(words, narrated is not None, timing.target_seconds is not None),
    ]
    for i, section in enumerate(timing.sections):
        y = TOP + i * ROW
        label = shorten(f"{i + 1}. {section.title}", (LABEL_WIDTH - 12) / FONT_SIZE)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 + 4}" text-anchor="end">'
            f"{escape(label)}<title>{escape(section.title)}</title></text>"
        )
        bars = [("estimated", section.seconds)] + ([("narrated", spoken[i])] if narrated else [])
        top = y + (ROW - BAR * len(bars)) / 2
        for j, (kind, seconds) in enumerate(bars):
            parts.append(_bar(top + j * BAR, seconds * scale, COLOURS[kind], f"{words[kind]}: {clock(seconds)}"))
            parts.append(
                f'<text x="{LABEL_WIDTH + seconds * scale + 4:.1f}" y="{top + j * BAR + BAR - 2}" font-size="10">'
                f"{clock(seconds)}</text>"
            )
        if section.budget is not None:
            x = LABEL_WIDTH + section.budget * scale
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 3}" y2="{y + ROW - 3}" stroke="{COLOURS["budget"]}" '
                'stroke-width="2" stroke-dasharray="3 2"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _tick_step(longest: float) -> float:
    """Seconds between axis ticks: a round number of minutes (or 30 s) giving at most about 8 ticks."""
    for step in (30, 60, 120, 300, 600, 900, 1800, 3600):
        if longest / step <= 8:
            return float(step)
    return 3600.0 * math.ceil(longest / 3600 / 8)


def _axis(rows: int, longest: float, step: float, scale: float, unit: str) -> list[str]:
    bottom = TOP + rows * ROW
    parts = []
    for k in range(math.ceil(longest / step) + 1):
        x = LABEL_WIDTH + k * step * scale
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 4}" y2="{bottom}" stroke="{COLOURS["grid"]}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11">{clock(k * step)}</text>'
        )
    parts.append(f'<text x="{WIDTH - 4}" y="{bottom + 28}" text-anchor="end" font-size="10">{escape(unit)}</text>')
    return parts


def _legend(words: dict[str, str], narrated: bool, budget: bool) -> list[str]:
    parts: list[str] = []
    x: float = LABEL_WIDTH
    for kind in ("estimated", *(("narrated",) if narrated else ()), *(("budget",) if budget else ())):
        if kind == "budget":
            parts.append(
                f'<line x1="{x + 5}" x2="{x + 5}" y1="10" y2="24" stroke="{COLOURS[kind]}" '
                'stroke-width="2" stroke-dasharray="3 2"/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="12" width="12" height="{BAR}" fill="{COLOURS[kind]}"/>')
        parts.append(f'<text x="{x + 16}" y="22">{escape(words[kind])}</text>')
        x += 24 + len(words[kind]) * (FONT_SIZE if is_han(words[kind][0]) else FONT_SIZE * 0.55)
    return parts


def _bar(y: float, width: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{BAR - 1}" fill="{colour}">'
        f"<title>{escape(tip)}</title></rect>"
    )
