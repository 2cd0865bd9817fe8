"""Timing stage: how long the speech takes — speaking-rate presets, the estimate per section, the
target's budget and cuts, calibration from a rehearsal, timing.md/.json, and the chart (timing.svg).

What the rest of deliver may use is named here; the modules behind it are the stage's own.
"""

from __future__ import annotations

from deliver.timing.calibrate import Calibration, calibration_of, read_calibration
from deliver.timing.chart import CHART, timing_svg
from deliver.timing.estimate import (
    RATE_PRESETS,
    Narrated,
    SectionTiming,
    Timing,
    check_pace,
    check_target,
    clock,
    estimate,
    resolve_rate,
    timing_markdown,
    timing_to_dict,
)

__all__ = [
    "CHART",
    "RATE_PRESETS",
    "Calibration",
    "Narrated",
    "SectionTiming",
    "Timing",
    "calibration_of",
    "check_pace",
    "check_target",
    "clock",
    "estimate",
    "read_calibration",
    "resolve_rate",
    "timing_markdown",
    "timing_svg",
    "timing_to_dict",
]
