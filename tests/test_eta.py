"""The narration forecast and progress: how long it will take here, what the cache saves, the time left at
this run's own speed, a speed remembered per engine, and the CLI's hint when the wait is long."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from deliver.cli import progress
from deliver.speech import load
from deliver.voices import Folders, eta
from deliver.voices.cache import Cache
from deliver.voices.narrate import NarrationOptions, planned_keys
from tests.fakes import render


def _ahead(cached: tuple[bool, ...] = (False, False, False, False), speed: float = 2.0) -> eta.Forecast:
    return eta.Forecast("kokoro", "v1", (30.0, 30.0, 60.0, 60.0), (0, 0, 1, 2), cached, speed, False)


def test_the_forecast_counts_only_what_the_cache_does_not_hold() -> None:
    assert _ahead().seconds == 360.0
    assert _ahead((True, True, False, False)).seconds == 240.0
    assert "about 6 min with kokoro for 3 min of audio" in _ahead().message()


def test_the_time_left_comes_from_this_runs_measured_speed() -> None:
    now = [100.0]
    clock = eta.NarrationClock(_ahead(speed=2.0), lambda: now[0])
    assert clock.message(0).endswith("about 6 min left")  # nothing done yet: the forecast's speed
    now[0] += 15.0  # the first two chunks (60 s of audio) took 15 s: 0.25 s per second, not 2
    message = clock.message(2)
    assert message.startswith("narrating section 2 of 3 · 60 s of 3 min of audio")
    assert message.endswith("about 30 s left")


def test_a_measured_speed_is_remembered_per_engine_and_a_tiny_build_is_not(tmp_path: Path) -> None:
    assert eta.remembered("kokoro", tmp_path) is None
    assert eta.remember(_ahead(), [5.0, 5.0], 3.0, tmp_path) is None  # 10 s of audio says too little
    assert eta.remember(_ahead(), [30.0, 30.0, 60.0, 60.0], 90.0, tmp_path) == 0.5
    assert eta.remembered("kokoro", tmp_path) == 0.5 and eta.remembered("espeak", tmp_path) is None
    (tmp_path / "narration-speed.json").write_text("{not json")
    assert eta.remembered("kokoro", tmp_path) is None


def test_the_forecast_of_a_real_speech_spreads_its_audio_over_its_chunks(
    sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELIVER_CACHE_DIR", str(tmp_path / "own"))  # no speed remembered by other tests' builds
    _, speech, _ = load(sample_path)
    folders = Folders(voices=tmp_path / "voices", models=tmp_path / "models")
    options = NarrationOptions(cache_dir=tmp_path / "cache", folders=folders, engine="espeak")
    ahead = eta.forecast(speech, options, 480.0)
    assert ahead.engine == "espeak" and not any(ahead.cached) and not ahead.measured
    assert sum(ahead.chunk_audio) == pytest.approx(480.0)
    assert len(set(ahead.chunk_section)) == len(speech.sections)
    Cache(options.cache_dir).put(planned_keys(speech, options)[0], render("同志们"))
    assert eta.forecast(speech, options, 480.0).cached[0]


def _terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(progress, "_err", Console(file=out, force_terminal=True, width=200))
    return out


@pytest.mark.parametrize(("seconds", "hint"), [(600, True), (60, False)])
def test_the_cli_prints_the_estimate_and_suggests_a_first_look_when_it_is_long(
    monkeypatch: pytest.MonkeyPatch, seconds: int, hint: bool
) -> None:
    out = _terminal(monkeypatch)
    with progress.reporter(quiet=False) as report:
        assert report is not None
        report(f"{eta.ESTIMATE}: about 10 min with kokoro", seconds, 0)
        report("narrating section 1 of 3 · 5 s of 3 min of audio · about 9 min left", 1, 10)
    text = out.getvalue()
    assert "narration estimate: about 10 min with kokoro" in text
    assert ("--engine espeak" in text and "--no-audio" in text) is hint


def test_quiet_and_pipes_show_no_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch)
    with progress.reporter(quiet=True) as report:
        assert report is None
    monkeypatch.setattr(progress, "_err", Console(file=io.StringIO(), force_terminal=False))
    with progress.reporter(quiet=False) as report:
        assert report is None
