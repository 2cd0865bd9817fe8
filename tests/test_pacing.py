from __future__ import annotations

import pytest
from conftest import SAMPLE

from deliver.errors import OptionError
from deliver.model import Point, Section, Speech
from deliver.speech.reading import read_source
from deliver.speech.structure import parse
from deliver.timing.estimate import clock, estimate, resolve_rate, timing_markdown, timing_to_dict


def _speech(*sections: tuple[str, str, int]) -> Speech:
    return Speech(
        "t",
        "zh",
        None,
        tuple(Section(title, kind, (Point("字" * n, title, ()),)) for title, kind, n in sections),
    )


def test_estimates_follow_the_rate_and_add_up() -> None:
    timing = estimate(_speech(("开场", "opening", 100), ("一", "body", 400), ("二", "body", 500)), rate=200)
    assert [s.seconds for s in timing.sections] == [30.0, 120.0, 150.0]
    assert [s.start for s in timing.sections] == [0.0, 30.0, 150.0]
    assert timing.total_seconds == 300.0 and timing.total_units == 1000
    assert sum(s.share for s in timing.sections) == pytest.approx(1.0)


def test_the_salutation_counts_as_spoken() -> None:
    speech = Speech("t", "zh", "同志们：", (Section("一", "body", (Point("字" * 97, "h", ()),)),))
    assert estimate(speech).total_units == 100


def test_a_target_names_the_sections_to_cut_and_the_cuts_add_up() -> None:
    timing = estimate(
        _speech(("开场", "opening", 100), ("一", "body", 400), ("二", "body", 800)), rate=200, target_minutes=5
    )
    assert timing.over_seconds == pytest.approx(90.0)
    cuts = {s.title: s.cut for s in timing.sections}
    assert cuts["一"] == 0.0 and cuts["二"] > 0 and cuts["开场"] == 0.0
    assert sum(cuts.values()) == pytest.approx(timing.over_seconds)


def test_within_the_target_nothing_is_cut() -> None:
    timing = estimate(_speech(("一", "body", 100)), target_minutes=10)
    assert timing.over_seconds == 0 and timing.sections[0].cut == 0


@pytest.mark.parametrize(("rate", "expected"), [(None, 200.0), ("brisk", 240.0), ("180", 180.0), (150, 150.0)])
def test_rates_are_presets_or_numbers(rate: str | float | None, expected: float) -> None:
    assert resolve_rate("zh", rate) == expected


@pytest.mark.parametrize("rate", ["fast", "0", "-5", "10000", "abc"])
def test_bad_rates_are_refused_with_the_choices(rate: str) -> None:
    with pytest.raises(OptionError, match="--pace"):
        resolve_rate("zh", rate)


def test_bad_targets_are_refused() -> None:
    with pytest.raises(OptionError, match="--target"):
        estimate(_speech(("一", "body", 10)), target_minutes=0)


def test_english_counts_words_at_its_own_rate() -> None:
    speech = Speech("t", "en", None, (Section("One", "body", (Point("word " * 130, "h", ()),)),))
    timing = estimate(speech)
    assert timing.unit == "words" and timing.total_seconds == pytest.approx(60.0)


def test_the_sample_takes_minutes_not_seconds_and_the_report_lists_every_section() -> None:
    speech = parse(read_source(SAMPLE))
    timing = estimate(speech, target_minutes=8)
    assert 7 * 60 < timing.total_seconds < 12 * 60
    report = timing_markdown(timing, speech.title)
    assert all(s.title in report for s in speech.sections)
    data = timing_to_dict(timing)
    assert data["sections"][-1]["start"] + data["sections"][-1]["seconds"] == pytest.approx(
        data["total_seconds"], abs=0.2
    )


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (125, "2:05"), (3725, "1:02:05")])
def test_clock_formats(seconds: float, text: str) -> None:
    assert clock(seconds) == text
