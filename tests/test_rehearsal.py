"""rehearsal.html: the inlined data on its own, then the page in a real headless Chromium (file://,
no network) driving the narrated and the silent package of a small Chinese speech."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import SPEECHES

from deliver.package.rehearsal import (
    PAGE,
    PLACEHOLDER,
    estimated_timeline,
    rehearsal_data,
    render_page,
    write_rehearsal,
)
from deliver.pipeline import BuildOptions, BuildResult, build, load
from deliver.slides import plan_deck
from deliver.slides.theme import load_theme
from deliver.timing.chart import timing_svg
from deliver.timing.estimate import estimate

SPEECH = SPEECHES / "zh-di-yishi.txt"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
BLOB = re.compile(r'<script type="application/json" id="deliver-data">(.*?)</script>', re.DOTALL)
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: apt-get install chromium"
)


def in_chromium(test: Any) -> Any:
    """A browser test: marked `viewer` (a Debian viewer package), skipped without /usr/bin/chromium."""
    return pytest.mark.viewer(needs_chromium(test))


def page_data(page: str) -> Any:
    match = BLOB.search(page)
    assert match is not None, "the page has no inlined data"
    return json.loads(match.group(1))


def silent_data(path: Path, theme: str = "default") -> dict[str, Any]:
    _, speech, _ = load(path)
    timing = estimate(speech)
    deck, _ = plan_deck(speech, load_theme(theme))
    return rehearsal_data(speech, deck, load_theme(theme), timing, estimated_timeline(speech, timing))


# ---------------------------------------------------------------- the page as text


def test_the_inlined_data_round_trips() -> None:
    data = silent_data(SPEECH)
    page = render_page(data)
    assert page_data(page) == data
    assert PLACEHOLDER not in page


def test_speech_text_cannot_close_the_script_or_inject_markup(tmp_path: Path) -> None:
    hostile = tmp_path / "字 (空 格)!.txt"
    hostile.write_text(
        "标题</script><script>alert(1)</script>\n同志们：\n"
        # Whole tags are markup and reading drops them; a torn one (</script x) is text and must stay inert.
        "第一，要防止注入</script x <!--<script 。这是一段<b>正文</b>&amp;。\n"
        "第二，要保持稳定</SCRIPT >。谢谢大家！\n",
        encoding="utf-8",
    )
    data = silent_data(hostile)
    page = render_page(data)
    template = (Path(__file__).resolve().parent.parent / "deliver" / "package" / "templates" / PAGE).read_text(
        encoding="utf-8"
    )
    blob = BLOB.search(page).group(1)  # type: ignore[union-attr]
    assert "<" not in blob
    assert page.lower().count("</script") == template.lower().count("</script")
    assert page_data(page) == data
    assert any("</script" in line["text"] for line in data["lines"])


def test_the_page_references_nothing_online(tmp_path: Path) -> None:
    _, speech, _ = load(SPEECH)
    theme = load_theme("default")
    deck, _ = plan_deck(speech, theme)
    timing = estimate(speech)
    write_rehearsal(tmp_path, speech, deck, theme, timing, estimated_timeline(speech, timing), timing_svg(timing))
    # The chart's SVG namespace is a name, not an address: nothing fetches it.
    page = (tmp_path / PAGE).read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
    assert "<svg" in page_data(page)["chart"]
    assert not re.search(r"https?://|//cdn|@import|\burl\(", page, re.IGNORECASE)
    assert not re.search(r"<(?:link|script)[^>]+(?:href|src)=[\"'](?!data:)", page, re.IGNORECASE)


def test_without_narration_the_estimate_times_every_line_and_slide() -> None:
    _, speech, _ = load(SPEECH)
    timing = estimate(speech)
    data = silent_data(SPEECH)
    spoken = "".join(p.text for p in speech.points) + (speech.salutation or "")
    assert data["audio"] is None and data["timeline"] == "estimate"
    assert sorted("".join(line["text"] for line in data["lines"]).replace(" ", "")) == sorted(spoken.replace(" ", ""))
    starts = [s["start"] for s in data["slides"]]
    assert starts == sorted(starts) and starts[0] == 0
    for slide, following in pairwise(data["slides"]):
        assert slide["start"] < slide["end"] == following["start"]
    # The show is the estimate plus the silent slides' holds (and the title held to its minimum).
    holds = sum(s["end"] - s["start"] for s in data["slides"] if s["audioStart"] is None)
    title = data["slides"][0]
    held = (title["end"] - title["start"]) - (title["audioEnd"] - title["audioStart"])
    assert data["duration"] == pytest.approx(timing.total_seconds + holds + held, abs=0.01)
    assert data["lines"][-1]["end"] <= data["duration"]
    assert sum(s["plan"] for s in data["sections"]) == pytest.approx(data["duration"], abs=0.01)


def test_fonts_are_the_themes_with_cjk_and_generic_fallbacks() -> None:
    theme = silent_data(SPEECH, "official")["theme"]
    official = load_theme("official")
    stack = theme["fonts"]["body"]
    assert stack.startswith(json.dumps(official.fonts.body_latin))
    assert all(json.dumps(name, ensure_ascii=False) in stack for name in official.fonts.body_ea)
    assert stack.endswith(("serif", "sans-serif"))
    assert theme["colors"]["background"] == official.palette.background


# ---------------------------------------------------------------- the page in Chromium


@dataclass
class Package:
    folder: Path
    result: BuildResult
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return (self.folder / PAGE).as_uri()


def _package(root: Path, audio: bool) -> Package:
    result = build(
        SPEECH, BuildOptions(out_dir=root / "out", engine="espeak", audio=audio, cache_dir=root / "cache", force=True)
    )
    # The folder is copied somewhere awkward: audio must still resolve relatively from the page.
    copy = root / "副本 (copy)#1" / result.folder.name
    shutil.copytree(result.folder, copy)
    return Package(copy, result, page_data((copy / PAGE).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return _package(tmp_path_factory.mktemp("narrated"), audio=True)


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return _package(tmp_path_factory.mktemp("silent"), audio=False)


@pytest.fixture(scope="module")
def browser(narrated: Package, silent: Package) -> Iterator[Any]:
    """Chromium, launched after the packages are built: playwright's sync API holds an event loop
    that would stop narration's asyncio.run()."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e .[test]")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Any
    errors: list[str]
    requests: list[str]


def open_page(browser: Any, package: Package) -> Opened:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    opened = Opened(page, [], [])
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(package.url)
    page.wait_for_selector("#current-slide")
    if package.data["audio"]:
        page.wait_for_function("document.getElementById('audio').readyState >= 1")
    return opened


@pytest.fixture
def narrated_page(browser: Any, narrated: Package) -> Iterator[Opened]:
    opened = open_page(browser, narrated)
    yield opened
    opened.page.close()


@pytest.fixture
def silent_page(browser: Any, silent: Package) -> Iterator[Opened]:
    opened = open_page(browser, silent)
    yield opened
    opened.page.close()


def shown(page: Any) -> int:
    return int(page.get_attribute("#current-slide", "data-index"))


def wait_shown(page: Any, index: int) -> None:
    page.wait_for_function(f"document.getElementById('current-slide').dataset.index === '{index}'", timeout=3000)


def audio_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('audio').currentTime"))


def show_time(page: Any) -> float:
    return float(page.evaluate("window.deliverRehearsal.showTime()"))


def point_cues(package: Package) -> list[tuple[int, float]]:
    soundtrack = package.result.soundtrack
    assert soundtrack is not None
    return [
        (c.point, start + c.start)
        for s, start in zip(soundtrack.sections, soundtrack.starts, strict=True)
        for c in s.points
        if c.point is not None
    ]


@in_chromium
def test_the_narrated_page_loads_from_file_without_errors_or_network(narrated_page: Opened) -> None:
    assert narrated_page.errors == []
    assert narrated_page.requests and all(url.startswith("file:") for url in narrated_page.requests)
    assert any(url.endswith("/audio/speech.mp3") for url in narrated_page.requests)
    assert narrated_page.page.evaluate("document.getElementById('audio').duration") > 10


@in_chromium
def test_seeking_the_audio_shows_the_cues_slide_and_highlights_its_sentence(
    narrated_page: Opened, narrated: Package
) -> None:
    page, data = narrated_page.page, narrated.data
    subtitles = narrated.result.soundtrack.subtitles  # type: ignore[union-attr]
    for point, start in point_cues(narrated):
        t = start + 0.3
        page.evaluate(f"document.getElementById('audio').currentTime = {t}")
        expected = next(i for i, s in enumerate(data["slides"]) if s["point"] == point)
        wait_shown(page, expected)
        headline = "".join(data["slides"][expected]["blocks"][0]["paragraphs"][0])
        assert headline in page.inner_text("#current-slide").replace("\n", "")
        cue = [c for c in subtitles if c.start <= t][-1]
        page.wait_for_function("document.querySelector('#prompter .line.current') !== null")
        assert page.inner_text("#prompter .line.current") == cue.text
    # the highlighted sentence is scrolled into the teleprompter's view
    page.wait_for_function(
        """(() => {
        const box = document.getElementById('prompter').getBoundingClientRect();
        const line = document.querySelector('#prompter .line.current').getBoundingClientRect();
        return line.top >= box.top && line.top < box.bottom; })()""",
        timeout=3000,
    )
    assert narrated_page.errors == []


@in_chromium
def test_the_timing_chart_shows_in_place_of_the_table(narrated_page: Opened) -> None:
    page = narrated_page.page
    assert page.is_visible("#plan") and not page.is_visible("#chart")
    page.click("#chart-toggle")
    page.wait_for_function("document.getElementById('chart').naturalWidth > 0")
    assert page.is_visible("#chart") and not page.is_visible("#plan")
    page.click("#chart-toggle")
    assert page.is_visible("#plan")
    assert narrated_page.errors == []


@in_chromium
def test_clicking_a_thumbnail_seeks_the_audio_to_that_slide(narrated_page: Opened, narrated: Package) -> None:
    page, slides = narrated_page.page, narrated.data["slides"]
    for index in (len(slides) // 2, 2, len(slides) - 2):
        page.click(f".thumb[data-index='{index}']")
        wait_shown(page, index)
        assert show_time(page) == pytest.approx(slides[index]["start"], abs=0.05)
        if slides[index]["audioStart"] is not None:
            assert audio_time(page) == pytest.approx(slides[index]["audioStart"], abs=0.05)
        assert page.get_attribute(f".thumb[data-index='{index}']", "class").split() == ["thumb", "current"]


@in_chromium
def test_arrow_keys_change_slides_and_seek(narrated_page: Opened, narrated: Package) -> None:
    page, slides = narrated_page.page, narrated.data["slides"]
    assert shown(page) == 0
    for expected in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        wait_shown(page, expected)
        assert show_time(page) == pytest.approx(slides[expected]["start"], abs=0.05)
    page.keyboard.press("ArrowLeft")
    wait_shown(page, 2)
    page.keyboard.press("Home")
    wait_shown(page, 0)
    page.keyboard.press("ArrowLeft")
    wait_shown(page, 0)
    assert narrated_page.errors == []


@in_chromium
def test_the_silent_page_runs_on_the_speakers_clock(silent_page: Opened, silent: Package) -> None:
    page, data = silent_page.page, silent.data
    assert silent_page.errors == []
    assert all(url.startswith("file:") for url in silent_page.requests)
    assert page.query_selector("#audio") is None  # (the recording's player, #take, is another)
    assert page.inner_text("#clock") == "0:00"
    page.keyboard.press("Space")
    time.sleep(1.2)
    minutes, seconds = page.inner_text("#clock").split(":")
    assert int(minutes) * 60 + int(seconds) >= 1
    assert page.inner_text("#plan tbody tr.current td.actual") != ""
    first_point = next(i for i, s in enumerate(data["slides"]) if s["kind"] == "point")
    for _ in range(first_point):
        page.keyboard.press("ArrowRight")
    wait_shown(page, first_point)
    point = data["slides"][first_point]["point"]
    first_line = next(line["text"] for line in data["lines"] if line["point"] == point)
    page.wait_for_function(
        f"document.querySelector('#prompter .line.current').textContent === {json.dumps(first_line)}", timeout=3000
    )
    page.keyboard.press("Space")  # pause: the clock stops
    stopped = page.inner_text("#clock")
    time.sleep(1.1)
    assert page.inner_text("#clock") == stopped
    assert silent_page.errors == []
