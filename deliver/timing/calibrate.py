"""Calibration from a rehearsal: the speaker's own pace, read from the results rehearsal.html exports
(`deliver timing SPEECH --calibrate results.json`), to estimate with instead of a preset.

The file's shape (version 1), checked field by field so a wrong file ends in one line that says what:

    {"format": "deliver-rehearsal", "version": 1, "language": "zh" | "en", "title": str,
     "attempts": [{"recorded": str, "seconds": number,
                   "sections": [{"title": str, "seconds": number, "units": number, "spokenSeconds": number}, ...]}]}

`units` are the 字 (zh) or words (en) of the slides the speaker covered in that section, and
`spokenSeconds` the time they spent on those slides; pace = units / spokenSeconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from deliver.errors import InputError
from deliver.timing.estimate import RATE_RANGE, UNIT_NAMES

FORMAT: Final = "deliver-rehearsal"
VERSION: Final = 1


@dataclass(frozen=True)
class Calibration:
    """The speaker's measured pace from their latest rehearsal that covered any text."""

    rate: float
    """字 or words per minute."""
    language: str
    attempts: int
    """Rehearsals in the file."""
    units: float
    """字 or words the measured rehearsal covered."""
    seconds: float
    """Seconds spent on the slides carrying them."""

    def to_dict(self) -> dict[str, Any]:
        """The `calibrated` block of `timing --json`."""
        return {"rate": round(self.rate, 1), "attempts": self.attempts, "units": round(self.units, 1),
                "seconds": round(self.seconds, 2)}  # fmt: skip


def read_calibration(path: Path) -> Calibration:
    """Read and check an exported results file. Raises InputError (one line) when it cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"--calibrate {path}: cannot read it ({err.strerror or err})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"--calibrate {path}: not a JSON file ({err})") from None
    return calibration_of(data, str(path))


def calibration_of(data: Any, name: str = "results") -> Calibration:
    """The pace from already-parsed results; `name` is what error messages call the file."""

    def bad(what: str) -> InputError:
        return InputError(f"--calibrate {name}: {what} (export it again from rehearsal.html)")

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f'not rehearsal results: "format" must be "{FORMAT}"')
    if data.get("version") != VERSION:
        raise bad(f"version {data.get('version')!r} is not one this deliver reads ({VERSION})")
    if data.get("language") not in UNIT_NAMES:
        raise bad('"language" must be "zh" or "en"')
    attempts = data.get("attempts")
    if not isinstance(attempts, list) or not attempts:
        raise bad("it holds no rehearsal (record one first)")
    for n, attempt in enumerate(attempts, 1):
        _check_attempt(attempt, f"attempt {n}", bad)
    for attempt in reversed(attempts):
        units = sum(float(s["units"]) for s in attempt["sections"])
        seconds = sum(float(s["spokenSeconds"]) for s in attempt["sections"])
        if units > 0 and seconds > 0:
            rate = units * 60.0 / seconds
            low, high = RATE_RANGE
            if not low <= rate <= high:
                raise bad(f"the measured pace {rate:.0f} per minute is outside {low}–{high}")
            return Calibration(rate, str(data["language"]), len(attempts), units, seconds)
    raise bad("no rehearsal in it covered any text")


def _check_attempt(attempt: Any, where: str, bad: Any) -> None:
    if not isinstance(attempt, dict) or not isinstance(attempt.get("sections"), list):
        raise bad(f'{where}: "sections" must be a list')
    if not _number(attempt.get("seconds")):
        raise bad(f'{where}: "seconds" must be a number ≥ 0')
    for k, section in enumerate(attempt["sections"], 1):
        if not isinstance(section, dict) or not isinstance(section.get("title"), str):
            raise bad(f'{where}, section {k}: "title" must be text')
        for key in ("seconds", "units", "spokenSeconds"):
            if not _number(section.get(key)):
                raise bad(f'{where}, section {k}: "{key}" must be a number ≥ 0')


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e9
