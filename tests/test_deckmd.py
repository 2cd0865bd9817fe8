"""The deck Markdown: outline → md → build is the same deck, narration and page; the user's edits win;
bad files are one line naming the line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, SPEECHES
from samples import en_speech, stress_speech, zh_speech

from deliver.errors import InputError
from deliver.model import Speech
from deliver.package.rehearsal import estimated_timeline, rehearsal_data
from deliver.pipeline import BuildOptions, build, load, with_file_settings
from deliver.slides import deck_to_dict, plan_deck
from deliver.slides.theme import load_theme
from deliver.speech.deckmd import from_markdown, to_markdown
from deliver.timing.estimate import estimate
from deliver.voices.narrate import NarrationOptions, planned_keys

FILES = [*sorted(SPEECHES.iterdir()), SAMPLE]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deliver", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=120)  # fmt: skip


def _deck_md(path: Path, folder: Path) -> Path:
    """`path`'s outline written as deck Markdown the way a user makes it: `deliver outline --md -o`."""
    target = folder / (path.stem + ".deck.md")
    result = _run("outline", str(path), "--md", "-o", str(target))
    assert result.returncode == 0, result.stderr
    return target


def _page(speech: Speech) -> dict[str, Any]:
    theme = load_theme("default")
    deck, _ = plan_deck(speech, theme)
    timing = estimate(speech, None, None)
    return rehearsal_data(speech, deck, theme, timing, estimated_timeline(speech, timing))


def _plan(speech: Speech) -> dict[str, Any]:
    return deck_to_dict(plan_deck(speech, load_theme("default"))[0])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_deck_markdown_builds_the_same_deck_narration_and_page_as_its_speech(path: Path, tmp_path: Path) -> None:
    _, direct, _ = load(path)
    _, edited, notices = load(_deck_md(path, tmp_path))
    assert edited == direct and notices == ()
    assert _plan(edited) == _plan(direct)
    voicing = NarrationOptions(tmp_path / "cache", engine="espeak")
    assert planned_keys(edited, voicing) == planned_keys(direct, voicing)
    assert _page(edited) == _page(direct)


@pytest.mark.parametrize("speech", [zh_speech(), en_speech(), stress_speech()], ids=["zh", "en", "stress"])
def test_every_sample_speech_survives_the_round_trip(speech: Speech) -> None:
    back = from_markdown(to_markdown(speech)).speech
    assert back == speech and _plan(back) == _plan(speech)


def test_a_built_package_is_the_same_from_the_deck_markdown(tmp_path: Path) -> None:
    options = BuildOptions(out_dir=tmp_path / "direct", audio=False, zip=False)
    direct = build(SAMPLE, options)
    edited = build(_deck_md(SAMPLE, tmp_path), BuildOptions(out_dir=tmp_path / "edited", audio=False, zip=False))
    for name in ("rehearsal.html", "outline.json", "timing.json", "timing.md"):
        assert (edited.folder / name).read_text("utf-8") == (direct.folder / name).read_text("utf-8"), name


def test_headlines_bullets_and_breaks_are_taken_as_written() -> None:
    text = to_markdown(zh_speech())
    speech = from_markdown(text).speech
    first = speech.sections[1].points[0]
    edited = text.replace(f"### {first.headline}\n", "### 我写的标题\n", 1).replace(
        f"- {first.bullets[0]}\n", "- 我写的要点\n", 1
    )
    mine = from_markdown(edited).speech.sections[1].points[0]
    assert mine.headline == "我写的标题" and mine.bullets[0] == "我写的要点" and mine.text == first.text


def test_a_slide_without_bullets_gets_them_chosen_and_without_headline_gets_one() -> None:
    md = (
        "---\ndeliver: deck 1\n---\n# 题目\n\n## 第一部分\n\n### 抓学习\n\n"
        "要认真学习文件精神，深刻领会精髓。要结合实际，抓好贯彻落实。\n\n"
        "## 第二部分\n\n要把工作落到实处，确保取得实效。\n"
    )
    speech = from_markdown(md).speech
    assert speech.language == "zh" and [s.kind for s in speech.sections] == ["body", "body"]
    learn, work = speech.points
    assert learn.headline == "抓学习" and learn.bullets and all(b in learn.text for b in learn.bullets)
    assert work.headline and work.headline in work.text and work.bullets


def test_opening_closing_and_continued_slides_are_marked_in_words_a_reader_understands() -> None:
    speech = zh_speech()
    text = to_markdown(speech)
    assert "## 开场 【开场】" in text and "【结尾】" in text
    continued = [p for p in from_markdown(text).speech.points if p.continued]
    assert [p for p in speech.points if p.continued] == continued
    assert "[opening]" in to_markdown(en_speech()) and "如何修改" not in to_markdown(en_speech())


def test_an_ordinary_markdown_speech_is_still_read_as_a_speech() -> None:
    _, speech, _ = load(SPEECHES / "en-markdown.md")
    assert speech.title == "Building Software That Lasts" and len(speech.sections) > 2


def test_the_front_matter_carries_meta_and_build_settings_under_explicit_options(tmp_path: Path) -> None:
    md = tmp_path / "d.md"
    md.write_text("---\ndeliver: deck 1\nspeaker: 张三\ndate: 2024年2月18日\ntheme: dark\ntarget: 12\n---\n"
                  "# 题目\n\n## 一、抓学习\n\n### 学习\n\n认真学习文件精神。\n", "utf-8")  # fmt: skip
    source, speech, _ = load(md)
    assert speech.meta["speaker"] == "张三" and "张三" in to_markdown(speech)
    from deliver.speech.deckmd import settings_of

    settings = settings_of(source)
    assert with_file_settings(BuildOptions(), settings).theme == "dark"
    assert with_file_settings(BuildOptions(), settings).target_minutes == 12.0
    assert with_file_settings(BuildOptions(theme="light"), settings).theme == "light"


def _bad(tmp_path: Path, body: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\ndeliver: deck 1\n---\n" + body)
    return _run("build", str(path), "--no-audio", "-o", str(tmp_path / "out"))


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("# T\n\n### 早了\n\n话。\n".encode(), 6, "before any ## section"),
        ("# T\n\n## 部分\n\n### 空的\n\n### 有话\n\n话。\n".encode(), 8, "nothing to say"),
        ("# T\n\n## 部分\n\n---\n\n话。\n".encode(), 8, "--- line"),
        ("# T\n\n## 部分\n\n### 标题\n\n讲话".encode("gb18030") + b"\n", 6, "not UTF-8"),
    ],
    ids=["h3-before-h2", "empty-slide", "hr", "not-utf8"],
)
def test_bad_deck_markdown_is_one_line_naming_the_line_and_writes_nothing(
    tmp_path: Path, body: bytes, line: int, words: str
) -> None:
    result = _bad(tmp_path, body)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and f"line {line}:" in result.stderr and words in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unknown_front_matter_key_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ndeliver: deck 1\ncolour: red\n---\n# T\n\n## 部分\n\n话。\n", "utf-8")
    result = _run("outline", str(path), "--json")
    assert result.returncode == 2 and "line 3:" in result.stderr and "colour" in result.stderr
    with pytest.raises(InputError, match="line 3"):
        load(path)


def test_outline_refuses_to_write_over_the_file_it_reads(tmp_path: Path) -> None:
    md = _deck_md(SAMPLE, tmp_path)
    before = md.read_bytes()
    result = _run("outline", str(md), "--md", "-o", str(md))
    assert result.returncode == 2 and md.read_bytes() == before
    again = _run("outline", str(md), "--json")
    assert json.loads(again.stdout)["title"] == "组织部长春节收心会暨组织工作务虚会讲话稿"
