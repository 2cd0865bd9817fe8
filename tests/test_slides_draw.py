"""The slide pictures (slides/draw.py) against LibreOffice's rendering of the same .pptx: every line the
picture draws is a line in LibreOffice's PDF (same line breaks), starting at the same place and on the
same baseline within a few pt, for each built-in theme and an organisation's template; the official
theme's body is drawn in the serif face."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from samples import en_speech, zh_speech

pytest.importorskip("pylopdf_fonts_zh_cn", reason="the video extra is not installed: pip install -e .[video]")
from deliver.slides import load_theme, plan_deck, render_deck
from deliver.slides.draw import DrawnLine, draw_slide
from deliver.slides.theme import list_themes

THEMES = [name for name, _ in list_themes()]
PLACE = 4.0
"""pt a line's start or baseline may differ from LibreOffice's (its Latin is Liberation, ours Noto's)."""


def test_the_official_body_is_drawn_in_the_serif_face_and_titles_in_bold_sans() -> None:
    theme = load_theme("official")
    deck, _ = plan_deck(zh_speech(), theme)
    index = next(i for i, s in enumerate(deck.slides) if s.kind == "point")
    _, lines = draw_slide(deck, index, theme, 960, 540)
    assert {line.face for line in lines if line.role == "point.body"} == {"serif"}
    assert {line.face for line in lines if line.role == "point.title"} == {"sans-bold"}
    _, default_lines = draw_slide(*_deck_of("default", index), 960, 540)
    assert {line.face for line in default_lines if line.role == "point.body"} == {"sans"}


def _deck_of(name: str, index: int):
    theme = load_theme(name)
    return plan_deck(zh_speech(), theme)[0], index, theme


def _pdf_lines(page) -> list[tuple[str, float, float, float]]:
    """(text, x of the first glyph, baseline, x of the last glyph's end) of each line of a LibreOffice
    PDF page, in pt from the top."""
    rows: dict[float, list[dict]] = defaultdict(list)
    for char in page.chars:
        if char["text"].strip():
            rows[round((page.height - char["matrix"][5]) * 2) / 2].append(char)
    merged: list[tuple[float, list[dict]]] = []
    for baseline in sorted(rows):
        if merged and baseline - merged[-1][0] < 1.5:  # Latin and CJK runs sit a hair apart
            merged[-1][1].extend(rows[baseline])
        else:
            merged.append((baseline, list(rows[baseline])))
    lines = []
    for baseline, chars in merged:
        chars.sort(key=lambda c: c["x0"])
        run = [chars[0]]
        for char in chars[1:]:
            if char["x0"] - run[-1]["x1"] > 3 * char["size"]:  # another box on the same baseline (footer, number)
                lines.append(("".join(c["text"] for c in run), run[0]["x0"], baseline, run[-1]["x1"]))
                run = []
            run.append(char)
        lines.append(("".join(c["text"] for c in run), run[0]["x0"], baseline, run[-1]["x1"]))
    return lines


def _flat(text: str) -> str:
    return re.sub(r"[\s\u2e80-\u2fdf]", "", text)


def _compare(drawn: list[DrawnLine], pdf_lines: list[tuple[str, float, float, float]]) -> list[str]:
    """What differs; a centred line is placed by its centre (the fonts' Latin widths differ: LibreOffice
    sets Arial/Times as Liberation, the picture in Noto's own Latin), any other line by its start."""
    problems = []
    for line in drawn:
        text = _flat(line.text.lstrip("•■"))
        found = [p for p in pdf_lines if _flat(p[0]).endswith(text) and text]
        if not found:
            problems.append(f"{line.role}: {line.text!r} is not one line in LibreOffice's PDF")
            continue
        best = min(found, key=lambda p: abs(p[2] - line.baseline))
        centred = line.align == "center"
        if abs(best[2] - line.baseline) > PLACE:
            problems.append(f"{line.role}: {line.text!r} baseline {line.baseline:.1f} vs {best[2]:.1f}")
        if centred and abs((best[1] + best[3]) / 2 - (line.x + line.width / 2)) > PLACE:
            problems.append(f"{line.role}: {line.text!r} centred at {line.x + line.width / 2:.1f} vs {best[1]:.1f}…")
        elif not centred and best[0][0] not in "•■" and abs(best[1] - line.x) > PLACE:
            problems.append(f"{line.role}: {line.text!r} starts at {line.x:.1f} vs {best[1]:.1f}")
    return problems


@pytest.mark.viewer
@pytest.mark.parametrize("speech", ["zh", "en"])
def test_pictures_match_libreoffice_line_for_line(tmp_path: Path, speech: str) -> None:
    viewer = pytest.importorskip("test_slides_viewer", reason="needs LibreOffice and pdfplumber")
    import pdfplumber

    themes = {name: load_theme(name) for name in THEMES}
    themes["template"] = load_theme(str(viewer.make_template(tmp_path / "org-template.pptx")))
    decks, paths = {}, []
    for name, theme in themes.items():
        deck, _ = plan_deck((zh_speech if speech == "zh" else en_speech)(), theme)
        path = tmp_path / f"{name}.pptx"
        render_deck(deck, theme, path)
        decks[name] = deck
        paths.append(path)
    viewer.convert(paths, tmp_path, viewer.fontconfig(list(themes.values()), tmp_path))
    problems: list[str] = []
    for name, theme in themes.items():
        with pdfplumber.open(tmp_path / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(decks[name].slides)
            for index, page in enumerate(pdf.pages):
                _, drawn = draw_slide(decks[name], index, theme, 960, 540)  # 1 px = 1 pt
                problems += [f"{name} slide {index + 1}: {p}" for p in _compare(drawn, _pdf_lines(page))]
    assert not problems, "\n".join(problems[:20])
