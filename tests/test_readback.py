"""From the deck back: a deck deliver made, edited in python-pptx as a user would in PowerPoint, read
back into deck Markdown and rebuilt with the edit; any other deck is refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE, SPEECHES
from fakes import folders
from pptx import Presentation

from deliver.pipeline import BuildOptions, build, load
from deliver.slides import plan_deck, render_deck
from deliver.slides.readback import read_pptx
from deliver.slides.theme import load_theme
from deliver.voices.narrate import NarrationOptions, planned_keys

pytestmark = pytest.mark.slow  # whole builds and decks


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deliver", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)  # fmt: skip


@pytest.mark.parametrize("path", [*sorted(SPEECHES.iterdir()), SAMPLE], ids=lambda p: p.name)
@pytest.mark.parametrize("name", ["default", "official", "template"])
def test_an_unedited_deck_reads_back_as_the_speech_it_was_made_from(path: Path, name: str, tmp_path: Path) -> None:
    from test_slides_render import make_template

    theme = load_theme(str(make_template(tmp_path / "org.pptx")) if name == "template" else name)
    _, speech, _ = load(path)
    deck = tmp_path / "deck.pptx"
    render_deck(plan_deck(speech, theme)[0], theme, deck)
    read = read_pptx(deck)
    assert read is not None and read[1] == speech
    assert read[1].title == speech.title and read[1].meta == speech.meta  # a 讲话稿 suffix and unshown fields too
    assert plan_deck(read[1], theme)[0] == plan_deck(speech, theme)[0]


def test_title_is_given_over_a_deck_markdown_and_a_read_back_deck(tmp_path: Path) -> None:
    from deliver.inputs import load as load_input
    from deliver.speech import to_markdown

    theme = load_theme("default")
    _, speech, _ = load(SAMPLE)
    deck, markdown = tmp_path / "deck.pptx", tmp_path / "deck.md"
    render_deck(plan_deck(speech, theme)[0], theme, deck)
    markdown.write_text(to_markdown(speech), encoding="utf-8")
    for path in (deck, markdown):
        assert load_input(path)[1] == speech
        given = load_input(path, title="新的标题")[1]
        assert given.title == "新的标题" and given.sections == speech.sections and given.meta == speech.meta


def _edit(deck: Path, out: Path) -> tuple[str, str, str]:
    """Change the fourth point slide's headline and its first bullet: (old headline, new headline, new bullet)."""
    prs = Presentation(str(deck))
    points = [s for s in prs.slides if any(sh.name == "deliver:point.title" for sh in s.shapes)]
    slide = points[3]
    title = next(sh for sh in slide.shapes if sh.name == "deliver:point.title")
    body = next(sh for sh in slide.shapes if sh.name == "deliver:point.body")
    old = title.text_frame.text.replace("\v", "")
    title.text_frame.paragraphs[0].text = "用户改过的标题"
    body.text_frame.paragraphs[0].text = "用户改过的要点"
    prs.save(str(out))
    return old, "用户改过的标题", "用户改过的要点"


def test_a_deck_edited_in_python_pptx_round_trips_into_a_rebuild_that_shows_the_edit(tmp_path: Path) -> None:
    first = build(SAMPLE, BuildOptions(out_dir=tmp_path / "first", audio=False, zip=False))
    edited = tmp_path / "edited.pptx"
    old, headline, bullet = _edit(first.folder / "deck.pptx", edited)
    md = tmp_path / "edited.md"
    result = _run("outline", str(edited), "--md", "-o", str(md))
    assert result.returncode == 0, result.stderr
    text = md.read_text("utf-8")
    assert f"### {headline}" in text and f"- {bullet}" in text and f"### {old}\n" not in text
    again = build(md, BuildOptions(out_dir=tmp_path / "again", audio=False, zip=False))
    slides = list(Presentation(str(again.folder / "deck.pptx")).slides)
    shown = [sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame]
    assert any(headline in t for t in shown) and any(bullet in t for t in shown)
    voicing = NarrationOptions(tmp_path / "cache", folders=folders(tmp_path), engine="espeak")
    assert planned_keys(again.speech, voicing) == planned_keys(first.speech, voicing)  # the same words are said
    assert [p.text for p in again.speech.points] == [p.text for p in first.speech.points]


def test_a_deck_not_made_by_deliver_is_refused_in_one_line(tmp_path: Path) -> None:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "别人的幻灯片"
    slide.notes_slide.notes_text_frame.text = "这是备注。"
    prs.save(str(tmp_path / "other.pptx"))
    result = _run("outline", str(tmp_path / "other.pptx"), "--md")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "not made by deliver" in result.stderr and not result.stdout


def test_building_from_the_deck_inside_its_own_package_is_refused(tmp_path: Path) -> None:
    first = build(SAMPLE, BuildOptions(out_dir=tmp_path / "out", audio=False, zip=False))
    before = (first.folder / "deck.pptx").read_bytes()
    result = _run("build", str(first.folder / "deck.pptx"), "--no-audio", "-o", str(tmp_path / "out"))
    assert result.returncode == 3 and "outline" in result.stderr
    assert (first.folder / "deck.pptx").read_bytes() == before
