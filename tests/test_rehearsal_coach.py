"""The rehearsal page as a coach: one show timeline (silent slides held as in the narrated deck), the
phone layout, the presenter view and the full-screen prompter, driven in headless Chromium."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_rehearsal import CHROMIUM, CHROMIUM_ARGS, SPEECH, Package, page_data, silent_data

from deliver.package.rehearsal import PAGE
from deliver.pipeline import BuildOptions, build
from deliver.slides import SILENT_ADVANCE

pytestmark = pytest.mark.slow  # drives Chromium

TARGET_MINUTES = 2.0
ARGS = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> Package:
    root = tmp_path_factory.mktemp("coach")
    options = BuildOptions(out_dir=root / "out", engine="espeak", cache_dir=root / "cache", force=True,
                           target_minutes=TARGET_MINUTES)  # fmt: skip
    result = build(SPEECH, options)
    return Package(result.folder, result, page_data((result.folder / PAGE).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def browser(narrated: Package) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e .[test]")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, package: Package, width: int = 1280, height: int = 800) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(package.url)
    page.wait_for_selector("#current-slide")
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    return page, errors


def seek(page: Any, t: float) -> None:
    page.evaluate(f"window.deliverRehearsal.seek({t})")


def shown(page: Any) -> int:
    return int(page.get_attribute("#current-slide", "data-index"))


# ---------------------------------------------------------------- the timeline as data


def test_silent_slides_get_the_narrated_decks_holds_and_the_title_is_held() -> None:
    slides = silent_data(SPEECH)["slides"]
    for slide in slides:
        if slide["audioStart"] is None:
            assert slide["end"] - slide["start"] == pytest.approx(SILENT_ADVANCE[slide["kind"]], abs=0.002)
    kinds = {s["kind"] for s in slides if s["audioStart"] is None}
    assert {"agenda", "section", "closing"} <= kinds
    assert slides[0]["kind"] == "title" and slides[0]["end"] - slides[0]["start"] >= SILENT_ADVANCE["title"]


def test_the_narrated_deck_advances_on_the_pages_windows(narrated: Package) -> None:
    from pptx import Presentation
    from pptx.oxml.ns import qn

    advances = []
    for slide in Presentation(str(narrated.folder / "deck-narrated.pptx")).slides:
        transition = slide._element.find(qn("p:transition"))
        advances.append(int(transition.get("advTm")) / 1000)
    windows = [s["end"] - s["start"] for s in narrated.data["slides"]]
    assert advances == pytest.approx(windows, abs=0.002)
    manifest = json.loads((narrated.folder / "manifest.json").read_text(encoding="utf-8"))
    listed = manifest["slides"]["windows"] if isinstance(manifest["slides"], dict) else manifest["slides"]
    assert [w["end"] for w in listed] == [s["end"] for s in narrated.data["slides"]]


# ---------------------------------------------------------------- playback


def test_agenda_and_divider_slides_are_shown_during_playback_for_their_window(browser: Any, narrated: Package) -> None:
    page, errors = open_page(browser, narrated)
    slides = narrated.data["slides"]
    for kind in ("agenda", "section"):
        index = next(i for i, s in enumerate(slides) if s["kind"] == kind)
        window = slides[index]
        seek(page, window["start"] - 0.6)
        page.click("#play")
        page.wait_for_function(f"window.deliverRehearsal.slide() === {index}", timeout=3000)
        began = time.monotonic()
        page.wait_for_function(f"window.deliverRehearsal.slide() === {index + 1}", timeout=10000)
        held = time.monotonic() - began
        assert held == pytest.approx(window["end"] - window["start"], abs=0.5)
        page.click("#play")  # pause
        assert page.evaluate("document.getElementById('audio').paused")
    assert errors == []
    page.close()


def test_the_title_window_does_not_put_a_speaker_behind_after_five_seconds(browser: Any, narrated: Package) -> None:
    page, _ = open_page(browser, narrated)
    page.keyboard.press("t")
    time.sleep(5.2)
    assert shown(page) == 0
    assert "behind" not in (page.get_attribute("#pace", "class") or "")
    page.close()


def test_the_word_being_said_is_highlighted(browser: Any, narrated: Package) -> None:
    page, errors = open_page(browser, narrated)
    line = next(line for line in narrated.data["lines"] if len(line["words"]) > 4)
    for (t, offset), (_, following) in zip(line["words"][1:4], line["words"][2:5], strict=True):
        seek(page, t + 0.02)
        word = json.dumps(line["text"][offset:following])
        page.wait_for_function(
            f"document.querySelector('#prompter .word.current')?.textContent === {word}", timeout=3000
        )
        assert page.inner_text("#prompter .line.current") == line["text"]
    assert errors == []
    page.close()


def test_a_long_unbroken_token_wraps_inside_the_prompter(browser: Any, narrated: Package) -> None:
    page, _ = open_page(browser, narrated)
    page.evaluate("document.querySelector('#prompter .line').textContent = 'x'.repeat(400)")
    fits = "(() => { const p = document.getElementById('prompter'); return p.scrollWidth <= p.clientWidth + 1; })()"
    assert page.evaluate(fits)
    page.close()


# ---------------------------------------------------------------- phone


def test_on_a_phone_slide_play_and_prompter_are_on_the_first_screen(browser: Any, narrated: Package) -> None:
    page, errors = open_page(browser, narrated, 390, 844)
    rect = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
    boxes = {sel: page.eval_on_selector(sel, rect) for sel in ("#seek", "#current-slide", "#play", "#prompter-panel")}
    assert boxes["#seek"][2] >= 150
    for sel in ("#current-slide", "#play", "#prompter-panel"):
        left, top, width, height = boxes[sel]
        assert width > 0 and height > 0 and left >= 0 and left + width <= 390.5
        assert top >= 0 and top + min(height, 120) <= 844, sel
    assert boxes["#current-slide"][2] >= 340
    page.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(narrated.url)
    page.wait_for_selector("#current-slide")
    for dx, expected in ((-200, 1), (-200, 2), (200, 1)):
        page.evaluate(
            """([dx]) => { const v = document.getElementById('viewer');
            const touch = (x) => new Touch({identifier: 1, target: v, clientX: x, clientY: 100});
            v.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(200)], changedTouches: [touch(200)]}));
            v.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(200 + dx)]})); }""",
            [dx],
        )
        page.wait_for_function(f"document.getElementById('current-slide').dataset.index === '{expected}'", timeout=3000)
    context.close()
    assert errors == []


# ---------------------------------------------------------------- presenter view


def test_the_next_slide_and_the_countdown_follow_the_show(browser: Any, narrated: Package) -> None:
    page, errors = open_page(browser, narrated)
    slides, target = narrated.data["slides"], narrated.data["target"]
    assert target == TARGET_MINUTES * 60
    for index in (0, 2, len(slides) // 2, len(slides) - 1):
        window = slides[index]
        t = window["start"] + min(1.0, (window["end"] - window["start"]) / 2)
        seek(page, t)
        page.wait_for_function(f"window.deliverRehearsal.slide() === {index}", timeout=3000)
        following = page.get_attribute("#next-slide", "data-index")
        assert following == (str(index + 1) if index + 1 < len(slides) else "")
        assert clock_seconds(page.inner_text("#slide-elapsed")) == pytest.approx(t - window["start"], abs=1.01)
        assert clock_seconds(page.inner_text("#slide-remaining")) == pytest.approx(window["end"] - t, abs=1.01)
        rest = target - t
        text = page.inner_text("#countdown")
        level = page.get_attribute("#countdown", "data-level")
        if rest >= 0:
            assert clock_seconds(text) == pytest.approx(rest, abs=1.01)
            assert level == ("amber" if rest <= 60 else "ok")
        else:
            assert level == "red" and clock_seconds(text.split()[-1]) == pytest.approx(-rest, abs=1.01)
    assert errors == []
    page.close()


def clock_seconds(text: str) -> float:
    parts = [int(p) for p in text.strip().lstrip("+").split(":")]
    return float(sum(v * 60**k for k, v in enumerate(reversed(parts))))


def test_speed_mirror_and_text_size_persist_across_a_reload(browser: Any, narrated: Package) -> None:
    page, errors = open_page(browser, narrated)
    page.select_option("#speed", "1.25")
    page.keyboard.press("f")
    assert page.evaluate("document.body.classList.contains('teleprompter')")
    size = float(page.evaluate("parseFloat(getComputedStyle(document.getElementById('prompter')).fontSize)"))
    assert size >= 36
    page.keyboard.press("m")
    assert page.evaluate("getComputedStyle(document.getElementById('prompter')).transform") != "none"
    page.keyboard.press("Escape")
    page.click("#larger")
    page.keyboard.press("?")
    assert page.is_visible("#help") and "?" in page.inner_text("#help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#help")
    page.reload()
    page.wait_for_selector("#current-slide")
    page.wait_for_function("document.getElementById('audio').readyState >= 1")
    assert page.input_value("#speed") == "1.25"
    assert page.evaluate("document.body.classList.contains('mirror')")
    assert page.evaluate("document.getElementById('prompter').style.fontSize") == "22px"
    page.click("#play")
    page.wait_for_function("document.getElementById('audio').playbackRate === 1.25", timeout=3000)
    page.evaluate("localStorage.clear()")
    assert errors == []
    page.close()


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Package:
    root = tmp_path_factory.mktemp("coach-silent")
    result = build(SPEECH, BuildOptions(out_dir=root / "out", engine="espeak", audio=False, cache_dir=root / "cache"))
    return Package(result.folder, result, page_data((result.folder / PAGE).read_text(encoding="utf-8")))


def test_without_narration_the_prompter_scrolls_at_the_speed_set(browser: Any, silent: Package) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(silent.url)
    page.wait_for_selector("#current-slide")
    page.evaluate("localStorage.clear()")
    page.keyboard.press("f")
    for _ in range(10):
        page.keyboard.press("]")
    assert page.inner_text("#prompt-speed") == "2.0×"
    first = next(i for i, s in enumerate(silent.data["slides"]) if s["kind"] == "point")
    for _ in range(first):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    time.sleep(1.5)
    page.keyboard.press("Space")
    elapsed = clock_seconds(page.inner_text("#clock"))
    moved = page.evaluate("window.deliverRehearsal.showTime()") - silent.data["slides"][first]["start"]
    assert elapsed >= 1 and moved == pytest.approx(2 * 1.5, abs=0.6)  # twice the clock, at 2.0×
    page.evaluate("localStorage.clear()")
    assert errors == []
    page.close()


def test_recording_without_a_microphone_says_so_and_records_nothing(browser: Any, silent: Package) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(silent.url)
    page.wait_for_selector("#current-slide")
    page.click("#record")
    page.wait_for_function("document.getElementById('note').classList.contains('error')", timeout=5000)
    assert "麦克风" in page.inner_text("#note") or "录音" in page.inner_text("#note")
    assert not page.evaluate("window.deliverRehearsal.recording()") and page.is_hidden("#results-panel")
    assert errors == []
    page.close()
