"""How fast the web app answers: `deliver serve` start-up to a served page (beyond a bare interpreter's
start), and the sample's outline in the page after pasting it (headless Chromium).

Run: .venv/bin/python bench/serve.py [--runs 5]; `--shots` instead takes the README's screenshots
(docs/web-paste.png, web-edit.png, web-build.png, web-done.png; the build narrated with eSpeak).
Targets: start-up < 2 s beyond interpreter start; outline < 1 s after pasting. Figures (medians)
merge into bench/results.json under "serve".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
PASTE = (
    "text => { const box = document.querySelector('#text'); box.value = text;"
    " box.dispatchEvent(new InputEvent('input', {inputType: 'insertFromPaste', bubbles: true})); }"
)
"""What a browser does on Ctrl+V into the box: the text in, one input event of the paste kind."""


def interpreter_start() -> float:
    begun = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - begun


def start_to_page(data: Path) -> tuple[float, subprocess.Popen[str], str]:
    """Seconds from launching `deliver serve` to the page's HTML answered over HTTP."""
    begun = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "deliver", "serve", "--no-browser", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    url = next(m.group(1) for line in process.stdout if (m := re.search(r"(http://\S+)", line)))
    with urllib.request.urlopen(url) as answer:
        assert b"app.js" in answer.read()
    return time.perf_counter() - begun, process, url


def paste_to_outline(url: str, runs: int) -> list[float]:
    """Seconds from pasting the sample into the text box to its slides shown in the page."""
    from playwright.sync_api import sync_playwright

    text = SAMPLE.read_text(encoding="utf-8")
    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            begun = time.perf_counter()
            page.evaluate(PASTE, text)
            page.wait_for_selector(".slide")
            found.append(time.perf_counter() - begun)
            page.close()
        browser.close()
    return found


def screenshots(url: str) -> None:
    """The README's four pictures of the app: pasted, edited, building, done."""
    from playwright.sync_api import sync_playwright

    docs = ROOT / "docs"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.evaluate(PASTE, SAMPLE.read_text(encoding="utf-8"))
        page.wait_for_selector(".slide")
        page.screenshot(path=docs / "web-paste.png")
        page.fill("#target", "6")
        page.locator("input.headline").nth(1).fill("三点要求：学习、对接、落实")
        page.locator("input.headline").nth(1).press("Enter")
        page.wait_for_timeout(800)
        page.locator("#outline").scroll_into_view_if_needed()
        page.screenshot(path=docs / "web-edit.png")
        page.select_option("#engine", "espeak")
        page.click("#build")
        page.wait_for_selector("#progress:not([hidden])")
        for _ in range(600):  # the picture shows the narration under way
            if page.evaluate("document.querySelector('#stage').textContent.startsWith('配音 ')"):
                break
            page.wait_for_timeout(50)
        page.locator("#progress").scroll_into_view_if_needed()
        page.screenshot(path=docs / "web-build.png")
        page.wait_for_selector("#result:not([hidden])", timeout=300_000)
        page.wait_for_timeout(1500)
        page.locator("#result").scroll_into_view_if_needed()
        page.screenshot(path=docs / "web-done.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shots", action="store_true", help="take the README's screenshots instead")
    args = parser.parse_args()
    if args.shots:
        with tempfile.TemporaryDirectory() as data:
            os.environ["DELIVER_CACHE_DIR"] = str(Path(data) / "cache")  # a cold cache: narration takes its time
            _, process, url = start_to_page(Path(data))
            try:
                screenshots(url)
            finally:
                process.terminate()
                process.wait()
        return
    bare = statistics.median(interpreter_start() for _ in range(args.runs))
    starts, url = [], ""
    with tempfile.TemporaryDirectory() as data:
        for n in range(args.runs):
            seconds, process, url = start_to_page(Path(data))
            starts.append(seconds)
            if n < args.runs - 1:
                process.terminate()
                process.wait()
        pastes = paste_to_outline(url, args.runs)
        process.terminate()
        process.wait()
    figures = {
        "interpreter_start_s": round(bare, 3),
        "start_to_page_s": round(statistics.median(starts), 3),
        "start_beyond_interpreter_s": round(statistics.median(starts) - bare, 3),
        "paste_to_outline_s": round(statistics.median(pastes), 3),
        "paste_to_outline_max_s": round(max(pastes), 3),
        "runs": args.runs,
    }
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results["serve"] = figures
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
