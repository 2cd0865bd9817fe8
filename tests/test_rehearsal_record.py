"""Record yourself: Chromium's fake microphone plays the package's own narration (as the show plays it,
holds included) while the test changes slides at the windows' times; the page's measured time per
section, pace, pauses and history are checked, and the exported JSON goes back into `timing --calibrate`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from test_rehearsal import CHROMIUM, CHROMIUM_ARGS, Package, page_data

from deliver.package.rehearsal import PAGE
from deliver.pipeline import BuildOptions, build

pytestmark = pytest.mark.slow  # drives Chromium with a fake microphone

SHORT = """关于做好安全生产工作的讲话
同志们：
今天我们召开会议，专题部署安全生产工作。
第一，要提高思想认识。安全生产关系群众生命财产安全，必须时刻绷紧这根弦，不能有丝毫松懈。
第二，要压实工作责任。各单位要落实主体责任，把各项措施落实到每一个岗位、每一个环节。
同志们，让我们共同努力，确保全年安全形势稳定。谢谢大家！
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    root = tmp_path_factory.mktemp("record")
    speech = root / "安全生产.txt"
    speech.write_text(SHORT, encoding="utf-8")
    options = BuildOptions(
        out_dir=root / "out", engine="espeak", cache_dir=root / "cache", force=True, target_minutes=1
    )
    result = build(speech, options)
    return Package(result.folder, result, page_data((result.folder / PAGE).read_text(encoding="utf-8")))


def show_wav(package: Package, out: Path) -> Path:
    """The narration as the show plays it: each slide's stretch of speech.mp3, then its hold in silence."""
    from deliver.audio.mp3 import ffmpeg, pydub

    ffmpeg()  # pydub pointed at the bundled ffmpeg (imported through deliver: no warning about its absence)
    AudioSegment = pydub()
    speech = AudioSegment.from_file(package.folder / "audio" / "speech.mp3", codec="mp3")
    show = AudioSegment.silent(duration=0, frame_rate=speech.frame_rate)
    for s in package.data["slides"]:
        length = round((s["end"] - s["start"]) * 1000)
        piece = (
            speech[round(s["audioStart"] * 1000) : round(s["audioEnd"] * 1000)] if s["audioStart"] is not None else None
        )
        piece = piece if piece is not None else AudioSegment.silent(duration=0, frame_rate=speech.frame_rate)
        show += piece + AudioSegment.silent(duration=max(0, length - len(piece)), frame_rate=speech.frame_rate)
    show = show + AudioSegment.silent(duration=3000, frame_rate=speech.frame_rate)
    show.set_channels(1).set_frame_rate(48000).set_sample_width(2).export(out, format="wav").close()
    return out


@pytest.fixture(scope="module")
def wav(package: Package, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return show_wav(package, tmp_path_factory.mktemp("wav") / "show.wav")


def silences(path: Path, least: float = 0.6) -> list[tuple[float, float]]:
    """(start, seconds) of the quiet stretches of at least `least` seconds in a 16-bit WAV, longest first."""
    import wave

    import numpy as np

    with wave.open(str(path)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    frame = rate // 20
    rms = np.sqrt(np.mean(samples[: len(samples) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = [i / 20 for i, v in enumerate(rms) if v > 0.01]
    gaps = [(a + 0.05, b - a - 0.05) for a, b in pairwise(loud) if b - a - 0.05 >= least]
    return sorted(gaps, key=lambda g: -g[1])


@pytest.fixture(scope="module")
def browser(wav: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e .[test]")
    args = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]  # fmt: skip
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def rehearsed(browser: Any, package: Package, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One recorded rehearsal: slides changed at the windows' times; the page after it, and its export."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(package.url)
    page.wait_for_selector("#current-slide")
    page.click("#record")
    page.wait_for_function("window.deliverRehearsal.recording()", timeout=5000)
    began = time.monotonic() - float(page.evaluate("window.deliverRehearsal.recordedFor()"))
    slides = package.data["slides"]
    for index, slide in enumerate(slides[1:], start=1):
        time.sleep(max(0.0, slide["start"] - (time.monotonic() - began)))
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"window.deliverRehearsal.slide() === {index}", timeout=2000)
    time.sleep(max(0.0, slides[-1]["end"] + 1.0 - (time.monotonic() - began)))
    page.click("#record")
    page.wait_for_selector("#results tbody tr")
    page.wait_for_selector("#save-take:not([hidden])", timeout=5000)
    with page.expect_download() as download:
        page.click("#export")
    exported = tmp_path_factory.mktemp("export") / "results.json"
    download.value.save_as(exported)
    return {"page": page, "context": context, "errors": errors, "requests": requests, "exported": exported}


def history(page: Any, package: Package) -> list[dict[str, Any]]:
    return json.loads(
        page.evaluate(f"localStorage.getItem({json.dumps('deliver.rehearsal.history:' + package.data['title'])})")
    )


def test_the_time_per_section_is_the_narrations_within_two_seconds(rehearsed: dict[str, Any], package: Package) -> None:
    page = rehearsed["page"]
    attempt = history(page, package)[-1]
    narrated = [s["narrated"] for s in package.data["sections"]]
    assert [s["seconds"] for s in attempt["sections"]] == pytest.approx(narrated, abs=2.0)
    assert attempt["seconds"] == pytest.approx(package.data["duration"], abs=2.0)
    rows = page.query_selector_all("#results tbody tr")
    assert len(rows) == len(narrated)
    assert [r.query_selector("td.name").inner_text() for r in rows] == [s["title"] for s in package.data["sections"]]
    assert rehearsed["errors"] == []


def test_the_pace_shown_is_the_narrations_within_five_percent(rehearsed: dict[str, Any]) -> None:
    line = rehearsed["page"].query_selector("#pace-line")
    you, narration = float(line.get_attribute("data-you")), float(line.get_attribute("data-narration"))
    assert you == pytest.approx(narration, rel=0.05)
    assert str(round(you)) in line.inner_text() and "字/分钟" in line.inner_text()


def test_the_longest_pauses_are_the_silences_in_what_was_said(
    rehearsed: dict[str, Any], package: Package, wav: Path
) -> None:
    attempt = history(rehearsed["page"], package)[-1]
    # The show's silences over the speech it plays (the last one is after the speech ends: not a pause).
    # (Pauses of equal length may come in either order: compare the three longest in time order.)
    expected = sorted([g for g in silences(wav) if g[0] < package.data["duration"] - 3.5][:3])
    measured = sorted((p["at"], p["seconds"]) for p in attempt["pauses"][:3])
    assert len(measured) == len(expected) == 3
    for (at, seconds), (want_at, want_seconds) in zip(measured, expected, strict=True):
        assert at == pytest.approx(want_at, abs=0.4) and seconds == pytest.approx(want_seconds, abs=0.5)
    assert "最长停顿" in rehearsed["page"].inner_text("#pauses")


def test_the_recording_plays_back_with_the_slides_following(rehearsed: dict[str, Any], package: Package) -> None:
    page = rehearsed["page"]
    page.wait_for_function("document.getElementById('take').readyState >= 1", timeout=5000)
    target = next(i for i, s in enumerate(package.data["slides"]) if s["kind"] == "point" and i > 2)
    at = package.data["slides"][target]["start"] + 0.5
    page.evaluate(f"(() => {{ const t = document.getElementById('take'); t.currentTime = {at}; t.play(); }})()")
    page.wait_for_function(f"window.deliverRehearsal.slide() === {target}", timeout=5000)
    page.evaluate("document.getElementById('take').pause()")
    assert page.get_attribute("#save-take", "download").endswith((".webm", ".ogg"))


def test_results_survive_a_reload(rehearsed: dict[str, Any], package: Package) -> None:
    page = rehearsed["page"]
    before = page.inner_text("#results")
    page.reload()
    page.wait_for_selector("#results tbody tr")
    assert page.inner_text("#results") == before
    assert page.get_attribute("#history-chart", "data-attempts") == "1"
    assert all(url.startswith(("file:", "blob:")) for url in rehearsed["requests"])
    files = {u.rsplit("/", 1)[-1] for u in rehearsed["requests"] if u.startswith("file:")}
    assert files <= {PAGE, "speech.mp3"}


def test_the_exported_results_calibrate_the_timing(rehearsed: dict[str, Any], package: Package) -> None:
    from typer.testing import CliRunner

    from deliver.cli import app

    exported = json.loads(rehearsed["exported"].read_text(encoding="utf-8"))
    assert exported["format"] == "deliver-rehearsal" and exported["version"] == 1 and len(exported["attempts"]) == 1
    speech = next(package.folder.parent.parent.glob("*.txt"))
    run = CliRunner().invoke(
        app, ["timing", str(speech), "--calibrate", str(rehearsed["exported"]), "--target", "0.5", "--json"]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    you = float(rehearsed["page"].query_selector("#pace-line").get_attribute("data-you"))
    assert data["rate"] == pytest.approx(you, rel=0.02)
    assert data["calibrated"]["attempts"] == 1
    assert data["over_seconds"] > 0 and any(s["cut_seconds"] > 0 for s in data["sections"])


def test_clearing_the_results_is_one_button(rehearsed: dict[str, Any], package: Package) -> None:
    page = rehearsed["page"]
    page.click("#clear")
    assert page.is_hidden("#results-panel")
    key = json.dumps("deliver.rehearsal.history:" + package.data["title"])
    assert page.evaluate(f"localStorage.getItem({key})") is None
    page.reload()
    page.wait_for_selector("#current-slide")
    assert page.is_hidden("#results-panel")
    rehearsed["context"].close()
