"""Rendered checks with a real viewer: LibreOffice converts every deck to PDF and no glyph may
leave its text box or the slide. Shape boxes from python-pptx (EMU / 12700 = pt), glyph boxes
from pdfplumber; all decks of the module are converted in one soffice call."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu
from samples import en_speech, stress_speech, zh_speech

from deliver.slides import plan_deck, render_deck
from deliver.slides.theme import Theme, list_themes, load_theme

pytestmark = pytest.mark.viewer
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TOLERANCE = 3.0
"""pt a glyph may stick out of its box (anti-aliasing, italic overhang, font bbox rounding)."""
BULLETS = frozenset("•■▪●◆")
SERIF_HINTS = ("fang", "仿宋", "song", "宋", "serif", "ming", "kai", "楷")

if SOFFICE is None:
    pytest.skip(
        "LibreOffice (soffice) is not installed: apt-get install libreoffice-impress fonts-noto-cjk",
        allow_module_level=True,
    )
pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is needed to read glyph boxes")


def _has_cjk_font() -> bool:
    """Without a CJK font LibreOffice draws Chinese as boxes of another width: the overflow check would mean nothing."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(found.strip())


if not _has_cjk_font():
    pytest.skip("no Chinese font for LibreOffice's rendering: apt-get install fonts-noto-cjk", allow_module_level=True)


def make_template(path: Path) -> Path:
    """A small organisation template: python-pptx's default, made 16:9, with two slides to drop."""
    prs = Presentation()
    scale = 16 / 12
    prs.slide_width = Emu(int(prs.slide_width * scale))
    shapes = [shape for owner in [prs.slide_master, *prs.slide_layouts] for shape in owner.placeholders]
    boxes = [(shape.left, shape.top, shape.width, shape.height) for shape in shapes]  # before any change
    for shape, (x, y, w, h) in zip(shapes, boxes, strict=True):
        shape.left, shape.top, shape.width, shape.height = Emu(int(x * scale)), y, Emu(int(w * scale)), h
    for text in ("TEMPLATE SLIDE ONE", "TEMPLATE SLIDE TWO"):
        slide = prs.slides.add_slide(prs.slide_layouts[0])
        slide.shapes.title.text = text
    prs.save(str(path))
    return path


def fontconfig(themes: list[Theme], folder: Path) -> Path:
    """A private fontconfig file mapping the themes' font names to Noto CJK (serif for 仿宋/宋体)."""
    aliases = []
    for theme in themes:
        for name in {*theme.fonts.title_ea, *theme.fonts.body_ea}:
            target = "Noto Serif CJK SC" if any(h in name.lower() for h in SERIF_HINTS) else "Noto Sans CJK SC"
            aliases.append(
                f'<alias binding="same"><family>{name}</family><prefer><family>{target}</family></prefer></alias>'
            )
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        + "".join(sorted(set(aliases)))
        + "</fontconfig>",
        encoding="utf-8",
    )
    return conf


def convert(decks: list[Path], folder: Path, conf: Path) -> None:
    """Convert `decks` to PDF in `folder` with one soffice run and its own profile."""
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(folder)}
    try:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, decks),
            ],
            check=True,
            capture_output=True,
            timeout=300,
            env=env,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


CASES = [(theme, speech) for theme, _ in list_themes() for speech in ("zh", "en", "stress")]
CASES += [("template", "zh"), ("template", "en"), ("template", "stress")]
SPEECHES = {"zh": zh_speech, "en": en_speech, "stress": stress_speech}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Path]]:
    """(theme, speech) → (pptx, pdf) for every case, converted in one go."""
    folder = tmp_path_factory.mktemp("viewer")
    themes = {name: load_theme(name) for name, _ in list_themes()}
    themes["template"] = load_theme(str(make_template(folder / "org-template.pptx")))
    decks = {}
    for theme_name, speech_name in CASES:
        deck, _ = plan_deck(SPEECHES[speech_name](), themes[theme_name])
        path = folder / f"{theme_name}-{speech_name}.pptx"
        render_deck(deck, themes[theme_name], path)
        decks[(theme_name, speech_name)] = path
    convert(list(decks.values()), folder, fontconfig(list(themes.values()), folder))
    return {key: (path, path.with_suffix(".pdf")) for key, path in decks.items()}


def text_shapes(slide: object) -> list[tuple[tuple[float, float, float, float], str]]:
    """(x0, top, x1, bottom) in pt and text of each shape that shows text."""
    result = []
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.has_text_frame and shape.text_frame.text.strip():
            x, y, w, h = (v / 12700 for v in (shape.left, shape.top, shape.width, shape.height))
            result.append(((x, y, x + w, y + h), shape.text_frame.text))
    return result


def inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return (
        char["x0"] >= x0 - TOLERANCE
        and char["x1"] <= x1 + TOLERANCE
        and char["top"] >= top - TOLERANCE
        and char["bottom"] <= bottom + TOLERANCE
    )


def overflows(pptx: Path, pdf: Path) -> list[str]:
    """Every glyph outside the slide or outside every text box holding that character."""
    problems = []
    prs = Presentation(str(pptx))
    width, height = prs.slide_width / 12700, prs.slide_height / 12700
    with pdfplumber.open(str(pdf)) as doc:
        assert len(doc.pages) == len(prs.slides), f"{pdf.name}: {len(doc.pages)} pages for {len(prs.slides)} slides"
        for number, (page, slide) in enumerate(zip(doc.pages, prs.slides, strict=True), start=1):
            shapes = text_shapes(slide)
            for char in page.chars:
                if not char["text"].strip():
                    continue
                if not inside(char, (0, 0, width, height)):
                    problems.append(f"slide {number}: {char['text']!r} outside the slide")
                elif not any(_drawn_by(char["text"], text) and inside(char, box) for box, text in shapes):
                    problems.append(
                        f"slide {number}: {char['text']!r} at ({char['x0']:.0f}, {char['top']:.0f}) outside its box"
                    )
    return problems


def _drawn_by(glyph: str, text: str) -> bool:
    """Whether a shape with `text` may have drawn `glyph` (its own text, or a bullet)."""
    return glyph in text or glyph.lower() in text.lower() or glyph in BULLETS


def rewrapped(pptx: Path, pdf: Path) -> list[str]:
    """Text boxes whose rendered line count differs from the planned one (the viewer re-wrapped)."""
    problems = []
    prs = Presentation(str(pptx))
    with pdfplumber.open(str(pdf)) as doc:
        for number, (page, slide) in enumerate(zip(doc.pages, prs.slides, strict=True), start=1):
            for box, text in text_shapes(slide):
                planned = len([line for line in text.replace("\v", "\n").split("\n") if line.strip()])
                tops: defaultdict[int, int] = defaultdict(int)
                for char in page.chars:
                    if char["text"].strip() and inside(char, box) and char["text"] in text:
                        tops[round(char["bottom"] / 4)] += 1
                rows = _rows(sorted(tops))
                if rows > planned:
                    problems.append(f"slide {number}: {rows} lines rendered, {planned} planned: {text[:30]!r}")
    return problems


def _rows(keys: list[int]) -> int:
    """Number of baselines, merging neighbouring 4-pt buckets."""
    rows, last = 0, None
    for key in keys:
        if last is None or key - last > 1:
            rows += 1
        last = key
    return rows


@pytest.mark.parametrize(("theme", "speech"), CASES)
def test_every_page_renders_and_no_glyph_leaves_its_box(rendered, theme: str, speech: str) -> None:
    pptx, pdf = rendered[(theme, speech)]
    assert pdf.is_file(), f"LibreOffice did not convert {pptx.name}"
    assert overflows(pptx, pdf) == []


@pytest.mark.parametrize(("theme", "speech"), CASES)
def test_viewer_keeps_our_line_breaks(rendered, theme: str, speech: str) -> None:
    pptx, pdf = rendered[(theme, speech)]
    assert rewrapped(pptx, pdf) == []


def test_template_slides_are_gone_and_its_layouts_used(rendered) -> None:
    pptx, pdf = rendered[("template", "zh")]
    prs = Presentation(str(pptx))
    texts = " ".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "TEMPLATE SLIDE" not in texts
    assert [slide.slide_layout.name for slide in prs.slides][:3] == [
        "Title Slide",
        "Title and Content",
        "Title and Content",
    ]
    assert "Section Header" in {slide.slide_layout.name for slide in prs.slides}
    with pdfplumber.open(str(pdf)) as doc:
        assert "TEMPLATE SLIDE" not in "".join(page.extract_text() or "" for page in doc.pages)
