"""The web app in headless Chromium against a real `deliver serve` (uvicorn on a free loopback port):
paste → outline and timing → target → headline edit → build with eSpeak → rehearsal page → zip; hostile
speech text shown as text; no request leaves this machine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.test_rehearsal import CHROMIUM, CHROMIUM_ARGS, in_chromium

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'deliver[web]'")
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
PASTE = (
    "text => { const box = document.querySelector('#text'); box.value = text;"
    " box.dispatchEvent(new InputEvent('input', {inputType: 'insertFromPaste', bubbles: true})); }"
)
"""What a browser does on Ctrl+V into the box: the text in, one input event of the paste kind."""


def start_server(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """`deliver serve` in its own process; returns it and the URL it printed."""
    # A synthesis cache of its own: narration the rest of the suite cached would finish before the page
    # could show it.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DELIVER_CACHE_DIR": str(data_dir / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "deliver", "serve", "--no-browser", "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
        if found:
            return process, found.group(1)
    process.wait()
    raise AssertionError("deliver serve printed no URL")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = start_server(tmp_path_factory.mktemp("web"))
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        tab = context.new_page()
        tab.requests = []  # type: ignore[attr-defined]
        tab.errors = []  # type: ignore[attr-defined]
        tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))  # type: ignore[attr-defined]
        tab.on("pageerror", lambda e: tab.errors.append(str(e)))  # type: ignore[attr-defined]
        context.on("request", lambda request: tab.requests.append(request.url))  # type: ignore[attr-defined]
        tab.goto(server)
        yield tab
        browser.close()


def paste(page: Any, text: str) -> None:
    page.evaluate(PASTE, text)
    page.wait_for_selector(".slide")


def until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Wait for a JS expression to be true, evaluated over DevTools (the page's own policy forbids eval,
    which `wait_for_function` needs)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.05)


def off_machine(requests: list[str], server: str) -> list[str]:
    origin = server.split("/?")[0].rstrip("/")
    return [u for u in requests if not u.startswith((origin, "data:", "blob:", "about:"))]


@in_chromium
def test_paste_edit_build_and_download_the_sample(page: Any, server: str, tmp_path: Path) -> None:
    paste(page, SAMPLE.read_text(encoding="utf-8"))
    assert page.locator(".section").count() >= 3
    assert page.locator("#timing .bar").count() == page.locator(".section").count()
    assert page.locator(".cut").all_text_contents() == [""] * page.locator(".cut").count()
    widths = page.evaluate("[...document.querySelectorAll('.fill')].map(e => e.getBoundingClientRect().width)")
    assert len(set(widths)) > 1 and max(widths) > 0  # each section's bar as long as its share

    page.fill("#target", "3")  # the cuts are re-planned live
    until(page, "[...document.querySelectorAll('.cut')].some(e => e.textContent.includes('建议删减'))")
    assert "超出目标" in page.text_content("#total")

    headline = page.locator("input.headline").first
    headline.fill("开场第一张")
    headline.press("Enter")
    until(page, "state.markdown.includes('### 开场第一张')")  # the page's deck Markdown has the edit
    page.fill("#target", "4")  # a re-plan in flight never undoes an edit made meanwhile
    second = page.locator("input.headline").nth(1)
    second.fill("第二张新标题")
    second.press("Enter")
    until(page, "state.markdown.includes('### 第二张新标题') && state.view.timing.target_seconds === 240")
    assert "### 开场第一张" in page.evaluate("state.markdown")
    with page.expect_download() as markdown:
        page.click("#download-md")
    assert "### 开场第一张" in Path(markdown.value.path()).read_text(encoding="utf-8")

    page.select_option("#engine", "espeak")
    page.evaluate("window.__stages = []; new MutationObserver(() => window.__stages.push("
                  "document.querySelector('#stage').textContent)).observe(document.querySelector('#stage'),"
                  " {childList: true, characterData: true, subtree: true})")  # fmt: skip
    page.click("#build")
    page.wait_for_selector("#result:not([hidden])", timeout=180_000)
    stages = page.evaluate("window.__stages")
    assert any(re.search(r"配音 \d+/\d+", s) for s in stages), stages
    assert page.text_content("#stage").startswith("完成")
    assert page.evaluate("document.querySelector('#bar').value") == 1

    with page.expect_popup() as popup:
        page.click("#downloads a[target=_blank]")
    rehearsal = popup.value
    rehearsal.wait_for_load_state()
    assert "开场第一张" in rehearsal.content()

    with page.expect_download() as download:
        page.click("#downloads a:first-child")
    archive = tmp_path / "speech.zip"
    download.value.save_as(archive)
    names = zipfile.ZipFile(archive).namelist()
    assert any(n.endswith("deck-narrated.pptx") for n in names) and any(n.endswith(".mp3") for n in names)

    assert page.errors == []  # nothing the page's policy refused, no script error
    page.reload()  # the build is listed as an earlier build on this machine, and reopens
    page.wait_for_selector("#builds li button")
    page.click("#builds li button")
    page.wait_for_selector("#result:not([hidden])")
    assert off_machine(page.requests, server) == []


@in_chromium
def test_markup_in_a_speech_shows_literally_and_runs_nothing(page: Any, server: str) -> None:
    hostile = (
        "关于<script>window.__ran = 1</script>工作的讲话\n\n同志们：\n\n"
        '一、<img src=x onerror="window.__ran = 2">抓好学习\n\n我们要认真学习<b>加粗</b>，深刻领会精神。\n\n'
        "二、抓好落实\n\n我们要狠抓落实，务求实效。\n"
    )
    paste(page, hostile)
    time.sleep(0.5)
    assert page.evaluate("window.__ran") is None
    assert page.locator("#outline img, #outline script, #outline b").count() == 0
    assert page.errors == []
    # Reading takes whole tags as markup and leaves them out (with a notice); the words around them stay.
    shown = page.input_value("#title") + " ".join(page.locator(".section .head").all_text_contents())
    assert "工作的讲话" in shown and "抓好学习" in shown
    assert off_machine(page.requests, server) == []


@in_chromium
def test_a_bad_file_is_refused_on_the_page_with_the_cli_words(page: Any, tmp_path: Path) -> None:
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    page.set_input_files("#file", str(old))
    page.wait_for_selector("#error:not([hidden])")
    assert "old.doc: is an old Word/Office document (.doc)" in page.text_content("#error")


@in_chromium
def test_the_page_fits_a_phone(server: str) -> None:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(server)
        phone.evaluate(PASTE, SAMPLE.read_text(encoding="utf-8"))
        phone.wait_for_selector(".slide")
        width = phone.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert width <= 390


@in_chromium
def test_the_page_speaks_the_speech_language_and_switches(page: Any) -> None:
    paste(page, (ROOT / "tests" / "speeches" / "en-plain.txt").read_text(encoding="utf-8"))
    assert page.text_content("h2[data-t=step2]").startswith("2. Outline")
    page.click("#lang")
    assert page.text_content("h2[data-t=step2]").startswith("② 大纲")
    assert page.errors == []


OFFLINE = """
import sys, zipfile
from pathlib import Path
sys.path[:0] = [{root!r}, {root!r} + "/tests"]
from tests.test_web_browser import PASTE, start_server
from tests.test_rehearsal import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright

process, url = start_server(Path({data!r}))
try:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.evaluate(PASTE, Path({sample!r}).read_text(encoding="utf-8"))
        page.wait_for_selector(".slide")
        page.select_option("#engine", "espeak")
        page.click("#build")
        page.wait_for_selector("#result:not([hidden])", timeout=180_000)
        print("built:", page.text_content("#stage"))
        browser.close()
finally:
    process.terminate()
    process.wait()
"""


@in_chromium
@pytest.mark.skipif(shutil.which("unshare") is None or shutil.which("ip") is None, reason="needs unshare and ip")
def test_the_page_works_with_the_network_namespace_removed(tmp_path: Path) -> None:
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not allowed here (unshare -rn failed)")
    script = OFFLINE.format(root=str(ROOT), data=str(tmp_path / "data"), sample=str(SAMPLE))
    command = f'ip link set lo up && exec {sys.executable} -c "$SCRIPT"'
    run = subprocess.run(["unshare", "-rn", "sh", "-c", command], env={**os.environ, "SCRIPT": script},
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "built: 完成" in run.stdout


@in_chromium
def test_a_build_cancelled_on_the_page_stops_and_says_so(page: Any) -> None:
    fresh = SAMPLE.read_text(encoding="utf-8") + f"\n谢谢大家。{time.time_ns()}\n"  # not in the synthesis cache
    paste(page, fresh)
    page.select_option("#engine", "espeak")
    page.click("#build")
    page.wait_for_selector("#cancel:not([hidden])")
    page.click("#cancel")
    until(page, "document.querySelector('#stage').textContent.startsWith('已取消')", timeout=60)
    assert page.is_hidden("#result") and page.is_hidden("#cancel")
    assert page.errors == []
