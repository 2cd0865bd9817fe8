"""timing.svg: one row of bars per section, scaled to the longest, budgets marked, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from conftest import SAMPLE, SPEECHES

from deliver.pipeline import load
from deliver.speech.measure import text_em
from deliver.timing.chart import FONT_SIZE, LABEL_WIDTH, timing_svg
from deliver.timing.estimate import estimate

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[tuple[str, float]]:
    """(colour, width) of every bar (a rect with a tooltip), in drawing order."""
    root = ET.fromstring(svg)
    return [
        (r.get("fill", ""), float(r.get("width", 0)))
        for r in root.iter(f"{SVG}rect")
        if r.get("x") == str(LABEL_WIDTH) and r.find(f"{SVG}title") is not None
    ]


def test_each_section_gets_a_bar_as_long_as_its_estimate() -> None:
    _, speech, _ = load(SAMPLE)
    timing = estimate(speech)
    drawn = bars(timing_svg(timing))
    assert len(drawn) == len(timing.sections)
    widths = [w for _, w in drawn]
    ratios = [w / s.seconds for w, s in zip(widths, timing.sections, strict=True)]
    assert max(ratios) == pytest.approx(min(ratios), rel=0.01)


def test_narration_adds_a_second_bar_per_section_and_a_target_adds_budget_ticks() -> None:
    _, speech, _ = load(SAMPLE)
    timing = estimate(speech, target_minutes=8)
    narrated = [(i * 100.0, s.seconds * 1.1) for i, s in enumerate(timing.sections)]
    svg = timing_svg(timing, narrated)
    drawn = bars(svg)
    assert len(drawn) == 2 * len(timing.sections)
    estimated, spoken = drawn[0::2], drawn[1::2]
    assert all(n[1] == pytest.approx(e[1] * 1.1, rel=0.01) for e, n in zip(estimated, spoken, strict=True))
    dashed = [line for line in ET.fromstring(svg).iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == len(timing.sections) + 1  # one per section and one in the legend


def test_titles_are_escaped_and_shortened_to_the_label_column() -> None:
    _, speech, _ = load(SPEECHES / "zh-di-yishi.txt")
    long_title = "关于<script>进一步&加强“基层治理”能力建设的若干意见和实施办法的说明" * 2
    timing = estimate(speech)
    timing = replace(timing, sections=(replace(timing.sections[0], title=long_title), *timing.sections[1:]))
    svg = timing_svg(timing)
    root = ET.fromstring(svg)  # well-formed despite the markup in the title
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end" and t.find(f"{SVG}title") is not None]
    assert labels[0].find(f"{SVG}title").text == long_title  # type: ignore[union-attr]
    label = labels[0].text or ""
    assert label.endswith("…") and text_em(label) * FONT_SIZE <= LABEL_WIDTH - 12
