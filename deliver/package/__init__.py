"""Package stage: the output folder (lock, staging, atomic swap, zip), freshness (is the package there
already what this build would make?), the manifest's file list, the rehearsal page and the reading script.

What the rest of deliver may use is named here; the modules behind it are the stage's own.
"""

from __future__ import annotations

from deliver.package.folder import (
    MANIFEST,
    building,
    check_target,
    clear_debris,
    discard,
    file_entries,
    generator,
    locked,
    made_by_us,
    publish,
    staging,
    swap_in,
    zip_to_temp,
)
from deliver.package.freshness import inputs_digest, up_to_date
from deliver.package.owned import Speaker, check_replaceable, origin_of
from deliver.package.rehearsal import PAGE, Timeline, slide_windows, timeline_of, write_rehearsal
from deliver.package.script import SCRIPT, write_script
from deliver.slides import SlideWindow

__all__ = [
    "MANIFEST",
    "PAGE",
    "SCRIPT",
    "SlideWindow",
    "Speaker",
    "Timeline",
    "building",
    "check_replaceable",
    "check_target",
    "clear_debris",
    "discard",
    "file_entries",
    "generator",
    "inputs_digest",
    "locked",
    "made_by_us",
    "origin_of",
    "publish",
    "slide_windows",
    "staging",
    "swap_in",
    "timeline_of",
    "up_to_date",
    "write_rehearsal",
    "write_script",
    "zip_to_temp",
]
