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
from fakes import FakeEngine, folders, swapped
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

pytestmark = pytest.mark.slow  # whole builds from deck files

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
    assert edited.meta == direct.meta and edited.shown_title == direct.shown_title
    assert _plan(edited) == _plan(direct)
    voicing = NarrationOptions(tmp_path / "cache", folders=folders(tmp_path), engine="espeak")
    assert planned_keys(edited, voicing) == planned_keys(direct, voicing)
    assert _page(edited) == _page(direct)


@pytest.mark.parametrize("speech", [zh_speech(), en_speech(), stress_speech()], ids=["zh", "en", "stress"])
def test_every_sample_speech_survives_the_round_trip(speech: Speech) -> None:
    back = from_markdown(to_markdown(speech)).speech
    assert back == speech and back.meta == speech.meta and _plan(back) == _plan(speech)


def test_a_built_package_is_the_same_from_the_deck_markdown(tmp_path: Path) -> None:
    options = BuildOptions(out_dir=tmp_path / "direct", audio=False, zip=False)
    direct = build(SAMPLE, options)
    edited = build(_deck_md(SAMPLE, tmp_path), BuildOptions(out_dir=tmp_path / "edited", audio=False, zip=False))
    for name in ("rehearsal.html", "outline.json", "timing.json", "timing.md"):
        assert (edited.folder / name).read_text("utf-8") == (direct.folder / name).read_text("utf-8"), name


def test_the_title_and_every_meta_field_round_trip_exactly() -> None:
    from dataclasses import replace

    from deliver.model import Meta

    meta = Meta(speaker="张三", date="2024年2月18日", occasion="在全市组织工作会议上", subtitle="——副标题",
                note="编者按：第一行\n第二行", doctype="讲话稿", heading='"张三：在全市组织工作会议上的讲话稿"')  # fmt: skip
    speech = replace(zh_speech(), title="在全市组织工作会议上的讲话稿", meta=meta)
    back = from_markdown(to_markdown(speech)).speech
    assert back.title == speech.title and back.meta == meta and back.shown_title == speech.shown_title
    assert back.salutation == speech.salutation


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
        "## 第二部分\n\n要把工作落到实处，确保取得实效。要细化任务分工，明确每个人的责任。\n"
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


# ---------------------------------------------------------------- edits cost only what they change


def _edit_point(speech: Speech, index: int, **changes: Any) -> Speech:
    """`speech` with point `index` (over the whole speech) changed as a user would change it in the file."""
    from dataclasses import replace

    sections, n = [], 0
    for section in speech.sections:
        points = []
        for point in section.points:
            points.append(replace(point, **changes) if n == index else point)
            n += 1
        sections.append(replace(section, points=tuple(points)))
    return from_markdown(to_markdown(replace(speech, sections=tuple(sections)))).speech


def test_an_edited_headline_changes_the_deck_and_the_page_and_keeps_every_audio_key(tmp_path: Path) -> None:
    _, speech, _ = load(SAMPLE)
    edited = _edit_point(speech, 3, headline="改过的标题", bullets=("改过的要点",))
    assert _plan(edited) != _plan(speech) and _page(edited) != _page(speech)
    assert "改过的标题" in json.dumps(_page(edited), ensure_ascii=False)
    voicing = NarrationOptions(tmp_path / "cache", folders=folders(tmp_path), engine="espeak")
    assert planned_keys(edited, voicing) == planned_keys(speech, voicing)


def test_an_edited_sentence_changes_exactly_one_chunk_key(tmp_path: Path) -> None:
    _, speech, _ = load(SAMPLE)
    text = speech.points[5].text
    end = text.index("。")
    edited = _edit_point(speech, 5, text=text[:end] + "，必须抓好" + text[end:])
    voicing = NarrationOptions(tmp_path / "cache", folders=folders(tmp_path), engine="espeak")
    before, after = planned_keys(speech, voicing), planned_keys(edited, voicing)
    assert len(before) == len(after) and sum(a != b for a, b in zip(before, after, strict=True)) == 1


@pytest.fixture
def fake_espeak() -> Any:
    """A scripted engine standing in for espeak, counting its calls."""
    fake = FakeEngine("espeak")
    with swapped(espeak=fake):
        yield fake


_MOVABLE = (
    "---\ndeliver: deck 1\n---\n# 抓学习促落实\n\n同志们：\n\n## 一、抓学习\n\n### 认真学习\n\n"
    "要认真学习文件精神，深刻领会精髓要义。要结合分管工作，抓好学习领会。各科室要组织专题学习。\n\n"
    "### 抓好落实\n\n要把会议精神落到实处，确保取得实效。要细化任务分工，明确责任。\n"
)


def _advance(folder: Path) -> list[int]:
    """Each slide's auto-advance time in deck-narrated.pptx (ms): its clip's length."""
    import re
    import zipfile

    with zipfile.ZipFile(folder / "deck-narrated.pptx") as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                       key=lambda n: int(re.sub(r"\D", "", n)))  # fmt: skip
        return [int(re.search(rb'advTm="(\d+)"', z.read(n)).group(1)) for n in names]  # type: ignore[union-attr]


def _windows(folder: Path) -> list[tuple[float, float]]:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    return [(w["start"], w["end"]) for w in manifest["slides"]["windows"]]


def test_a_moved_slide_break_recuts_the_narrated_deck_and_the_page_without_synthesis(
    tmp_path: Path, fake_espeak: Any
) -> None:
    path = tmp_path / "deck.md"
    path.write_text(_MOVABLE, "utf-8")
    options = BuildOptions(out_dir=tmp_path / "a", engine="espeak", cache_dir=tmp_path / "cache", zip=False)
    first = build(path, options)
    clips, windows = _advance(first.folder), _windows(first.folder)
    calls = len(fake_espeak.calls)
    moved = _MOVABLE.replace(
        "抓好学习领会。各科室要组织专题学习。\n\n### 抓好落实\n\n",
        "抓好学习领会。\n\n### 抓好落实\n\n各科室要组织专题学习。\n\n",
    )
    path.write_text(moved, "utf-8")
    second = build(path, BuildOptions(out_dir=tmp_path / "b", engine="espeak", cache_dir=tmp_path / "cache", zip=False))
    assert len(fake_espeak.calls) == calls > 0  # nothing synthesized
    assert any("0 chunks synthesized" in n.message for n in second.notices)
    recut, rewindowed = _advance(second.folder), _windows(second.folder)
    a, b = (i for i, s in enumerate(plan_deck(second.speech, load_theme("default"))[0].slides) if s.kind == "point")
    assert recut[a] < clips[a] and recut[b] > clips[b]
    assert abs((recut[a] + recut[b]) - (clips[a] + clips[b])) <= 60  # the same audio, cut elsewhere
    assert rewindowed[b][0] < windows[b][0] and rewindowed[a][1] == rewindowed[b][0]


def test_continued_slides_round_trip_and_a_bare_continued_mark_repeats_the_headline() -> None:
    from deliver.model import Point, Section

    long = Section("一、抓学习", "body", (
        Point("第一段话很长。要认真学习。", "认真学习", ("认真学习",)),
        Point("第二段话接着讲。要抓好落实。", "认真学习", ("抓好落实",), continued=True),
        Point("第三段话换了标题。要见实效。", "见实效", ("见实效",), continued=True),
    ))  # fmt: skip
    speech = Speech("题目", "zh", None, (long,))
    text = to_markdown(speech)
    assert "### 认真学习（续）" in text and from_markdown(text).speech == speech
    assert _plan(from_markdown(text).speech) == _plan(speech)
    bare = from_markdown(text.replace("### 认真学习（续）", "### （续）")).speech
    assert bare.points[1].headline == "认真学习" and bare.points[1].continued
