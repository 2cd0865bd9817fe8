"""script.html printed by headless Chromium (playwright page.pdf), read back with pdfplumber: A4 pages in
the expected number, no line cut at a page's foot, no sentence split over two pages, a page number and
the section's running time at the foot of every page; the English build gets the English words."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from deliver.pipeline import BuildOptions, build
from deliver.speech import sentences

pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber reads the printed script")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright drives Chromium's print-to-PDF")
pytestmark = pytest.mark.slow  # prints in headless Chromium
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed: apt-get install chromium", allow_module_level=True)
ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
BOTTOM_MARGIN = 20 * MM
TOP_MARGIN = 18 * MM


def printed(html: Path, pdf: Path) -> Path:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(html.as_uri())
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        browser.close()
    return pdf


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("script")
    result = build(ROOT / "examples" / "zh-organization-meeting.txt", BuildOptions(out_dir=out, audio=False, zip=False))
    return result, printed(result.folder / "script.html", out / "script.pdf")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pattern(text: str) -> re.Pattern[str]:
    """`text` as the PDF's text layer may give it back: Chromium's CJK fonts map a few characters
    (长, 门, …) to their CJK radical look-alikes (U+2E80–U+2FDF) in the ToUnicode table."""
    return re.compile("".join(f"(?:{re.escape(c)}|[\u2e80-\u2fdf])" for c in _flat(text)))


def test_the_script_prints_on_a4_pages_in_a_sensible_number(zh) -> None:
    result, pdf = zh
    with pdfplumber.open(pdf) as doc:
        assert {(round(p.width), round(p.height)) for p in doc.pages} == {(595, 842)}
        chars = sum(len(p.text) for p in result.speech.points)
        assert chars / 900 <= len(doc.pages) <= chars / 250  # 18 pt type: a few hundred 字 a page


def test_no_line_is_cut_at_the_foot_of_a_page(zh) -> None:
    _, pdf = zh
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            body = [c for c in page.chars if c["size"] > 11]  # the footer is set in 10 pt
            assert body, page.page_number
            assert max(c["bottom"] for c in body) <= page.height - BOTTOM_MARGIN + 1, page.page_number
            assert min(c["top"] for c in body) >= TOP_MARGIN - 1, page.page_number


def test_no_sentence_is_split_over_two_pages(zh) -> None:
    result, pdf = zh
    with pdfplumber.open(pdf) as doc:
        pages = [_flat("".join(c["text"] for c in p.chars)) for p in doc.pages]  # in the order drawn
    said = [_flat(s) for point in result.speech.points for s in sentences(point.text) if s.strip()]
    assert len(said) > 30
    for sentence in said:
        assert any(_pattern(sentence).search(page) for page in pages), sentence


def test_every_page_foot_has_its_number_and_the_running_time(zh) -> None:
    result, pdf = zh
    titles = [s.title for s in result.speech.sections]
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            foot = page.crop((0, page.height - BOTTOM_MARGIN, page.width, page.height)).extract_text() or ""
            assert f"{page.page_number} / {len(doc.pages)}" in foot
            assert re.search(r"起 \d+:\d\d · 时[长\u2ed3] \d+:\d\d / \d+:\d\d", foot), foot
            assert any(_pattern(t[:6]).search(_flat(foot)) for t in titles), foot


def test_slide_marks_carry_their_start_and_sections_their_budget(zh) -> None:
    result, _ = zh
    html = (result.folder / "script.html").read_text(encoding="utf-8")
    windows = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))["slides"]["windows"]
    assert html.count('class="mark"') == len(windows)
    assert html.count("<h2>") == len(result.speech.sections)
    assert "<script" not in html and "http" not in html
    assert 'FangSong, STFangsong, "仿宋"' in html and '"Noto Serif CJK SC", serif' in html
    assert 'SimHei, "黑体"' in html and '"Noto Sans CJK SC", sans-serif' in html


def test_the_english_script_speaks_english(tmp_path: Path) -> None:
    result = build(ROOT / "tests" / "speeches" / "en-plain.txt", BuildOptions(out_dir=tmp_path, audio=False, zip=False))
    html = (result.folder / "script.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "▶ Slide 1 · title" in html and "budget" in html
    with pdfplumber.open(printed(result.folder / "script.html", tmp_path / "s.pdf")) as doc:
        foot = doc.pages[0].crop((0, doc.pages[0].height - BOTTOM_MARGIN, doc.pages[0].width, doc.pages[0].height))
        assert re.search(r"from \d+:\d\d · budget \d+:\d\d", foot.extract_text() or "")
