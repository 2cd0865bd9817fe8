"""From a rehearsal back to the plan: the results file's schema, checked with one-line errors, and
`deliver timing --calibrate` estimating at the measured pace; the show's timeline as data."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import SPEECHES
from typer.testing import CliRunner

from deliver.cli import app
from deliver.errors import InputError, OptionError
from deliver.slides import SILENT_ADVANCE, plan_deck, show_windows, to_show
from deliver.slides.theme import load_theme
from deliver.speech import load
from deliver.timing import calibration_of, estimate, read_calibration

SPEECH = SPEECHES / "zh-di-yishi.txt"


def results(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "deliver-rehearsal",
        "version": 1,
        "title": "t",
        "language": "zh",
        "unit": "字",
        "attempts": [
            {"recorded": "2026-12-01T10:00:00Z", "seconds": 70, "sections": [
                {"title": "开场", "seconds": 30, "units": 90, "spokenSeconds": 27},
                {"title": "第一", "seconds": 40, "units": 120, "spokenSeconds": 36},
            ]},
        ],
    }  # fmt: skip
    data.update(change)
    return data


def test_the_pace_is_the_text_covered_over_the_time_on_it() -> None:
    calibration = calibration_of(results())
    assert calibration.rate == pytest.approx(210 * 60 / 63)
    assert calibration.attempts == 1 and calibration.language == "zh"


def test_the_latest_attempt_that_covered_text_is_the_one_used() -> None:
    data = results()
    data["attempts"].append(
        {"recorded": "", "seconds": 0, "sections": [{"title": "开场", "seconds": 0, "units": 0, "spokenSeconds": 0}]}
    )
    data["attempts"].insert(
        0,
        {"recorded": "", "seconds": 9, "sections": [{"title": "开场", "seconds": 9, "units": 60, "spokenSeconds": 9}]},
    )
    assert calibration_of(data).rate == pytest.approx(200.0) and calibration_of(data).attempts == 3


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"format": "other"}, '"format" must be "deliver-rehearsal"'),
        ({"version": 2}, "version 2 is not one this deliver reads"),
        ({"language": "fr"}, '"language" must be "zh" or "en"'),
        ({"attempts": []}, "holds no rehearsal"),
        ({"attempts": [{"seconds": 1, "sections": [{"title": "a", "seconds": -1, "units": 1, "spokenSeconds": 1}]}]},
         'section 1: "seconds" must be a number'),
        ({"attempts": [{"seconds": True, "sections": []}]}, '"seconds" must be a number'),
        ({"attempts": [{"seconds": 1, "sections": [{"title": "a", "seconds": 1, "units": 1, "spokenSeconds": 0}]}]},
         "covered any text"),
        ({"attempts": [{"seconds": 1, "sections": [{"title": "a", "seconds": 1, "units": 900, "spokenSeconds": 1}]}]},
         "outside 40–600"),
    ],
)  # fmt: skip
def test_a_wrong_results_file_is_refused_in_one_line(change: dict[str, Any], says: str) -> None:
    with pytest.raises(InputError) as raised:
        calibration_of(results(**change), "r.json")
    message = str(raised.value)
    assert says in message and "\n" not in message and message.startswith("--calibrate r.json:")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON file"):
        read_calibration(bad)
    with pytest.raises(InputError, match="cannot read it"):
        read_calibration(tmp_path / "missing.json")


def test_timing_calibrate_estimates_at_the_measured_pace_and_names_the_cuts(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results(), ensure_ascii=False), encoding="utf-8")
    run = CliRunner().invoke(app, ["timing", str(SPEECH), "--calibrate", str(path), "--target", "1", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    _, speech, _ = load(SPEECH)
    expected = estimate(speech, 200.0, 1)
    assert data["rate"] == pytest.approx(200.0)
    assert data["total_seconds"] == pytest.approx(expected.total_seconds, abs=0.1)
    assert data["calibrated"] == {"rate": 200.0, "attempts": 1, "units": 210, "seconds": 63}
    text = CliRunner().invoke(app, ["timing", str(SPEECH), "--calibrate", str(path), "--target", "1"])
    assert "your measured pace" in text.output and "cut ≈" in text.output


def test_timing_calibrate_refuses_another_language_or_a_pace_as_well(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results(language="en")), encoding="utf-8")
    run = CliRunner().invoke(app, ["timing", str(SPEECH), "--calibrate", str(path)])
    assert isinstance(run.exception, InputError) and "measured a speech in en" in str(run.exception)
    run = CliRunner().invoke(app, ["timing", str(SPEECH), "--calibrate", str(path), "--pace", "200"])
    assert isinstance(run.exception, OptionError) and "--calibrate and --pace" in str(run.exception)


# ---------------------------------------------------------------- the show's timeline


def test_stretches_tile_the_source_and_silent_slides_are_inserted() -> None:
    _, speech, _ = load(SPEECH)
    deck, _ = plan_deck(speech, load_theme("default"))
    timing = estimate(speech)
    said: dict[int | None, tuple[int, float, float]] = {None: (0, 0.2, 1.0)}
    at, point = 1.2, 0
    for index, section in enumerate(speech.sections):
        for _ in section.points:
            said[point] = (index, at, at + 5.0)
            at, point = at + 6.0, point + 1
    sections = [
        (min(v[1] for v in said.values() if v[0] == i) - 0.2, max(v[2] for v in said.values() if v[0] == i) + 0.5)
        for i in range(len(speech.sections))
    ]
    windows = show_windows(deck, said, sections, at + 1.0)
    spoken = [w for w in windows if w.source_start is not None]
    assert spoken[0].source_start == 0 and spoken[-1].source_end == pytest.approx(at + 1.0)
    assert all(a.source_end == b.source_start for a, b in pairwise(spoken))
    assert all(a.end == b.start for a, b in pairwise(windows))
    for w in windows:
        if w.source_start is None:
            assert w.end - w.start == pytest.approx(SILENT_ADVANCE[w.kind])
    assert windows[0].end - windows[0].start == pytest.approx(SILENT_ADVANCE["title"])
    mapped = to_show(windows)
    first = next(w for w in windows if w.point == 0)
    assert mapped(said[0][1]) == pytest.approx(first.start + said[0][1] - first.source_start)  # type: ignore[operator]
    assert timing.total_seconds > 0
