"""The deck plan, tested on data: slide order, notes, continuation, fit and determinism."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import en_speech, stress_speech, zh_speech

from deliver.errors import InputError
from deliver.model import Point, Section, Speech
from deliver.slides import Deck, deck_to_dict, plan_deck
from deliver.slides.fit import BULLET_INDENT, SAFETY
from deliver.slides.layout import boxes, inner_size, role_style
from deliver.slides.theme import Theme, list_themes, load_theme
from deliver.speech.measure import line_height, text_em
from deliver.speech.reading import read_source
from deliver.speech.structure import parse

THEMES = [name for name, _ in list_themes()]


def kinds(deck: Deck) -> list[str]:
    return [s.kind for s in deck.slides]


def test_a_chinese_speech_plans_title_agenda_dividers_points_and_closing() -> None:
    speech = zh_speech()
    deck, notices = plan_deck(speech, load_theme("default"))
    expected = ["title", "agenda", "point", "point"]
    for section in speech.sections:
        if section.kind == "body":
            expected += ["section"] + ["point"] * len(section.points)
    expected += ["point", "closing"]
    assert kinds(deck) == expected and notices == ()
    agenda = deck.slides[1].block("agenda.body")
    assert agenda is not None
    assert [p[0] for p in agenda.paragraphs] == [
        f"{n}、{s.title}" for n, s in zip("一二三四", speech.sections[1:5], strict=True)
    ]
    assert [s.block("section.label").paragraphs[0][0] for s in deck.slides if s.kind == "section"] == [  # type: ignore[union-attr]
        "第一部分",
        "第二部分",
        "第三部分",
        "第四部分",
    ]


def test_every_point_slide_carries_the_points_full_text_in_its_notes() -> None:
    speech = zh_speech()
    deck, _ = plan_deck(speech, load_theme("official"))
    point_slides = [s for s in deck.slides if s.kind == "point"]
    assert [s.point_index for s in point_slides] == list(range(len(speech.points)))
    for slide in point_slides:
        assert slide.notes == speech.points[slide.point_index].text  # type: ignore[index]
    headline = point_slides[0].block("point.title")
    assert headline is not None and headline.paragraphs == (("会议定位",),)


def test_the_title_slide_shows_meta_and_keeps_the_salutation_in_its_notes() -> None:
    deck, _ = plan_deck(zh_speech(), load_theme("default"))
    title = deck.slides[0]
    assert title.notes == "同志们："
    subtitle = title.block("title.subtitle")
    assert subtitle is not None and [p[0] for p in subtitle.paragraphs] == [
        "全市组织工作务虚会",
        "2024年2月18日",
        "市委组织部部长",
    ]


def test_an_english_talk_uses_english_labels() -> None:
    deck, _ = plan_deck(en_speech(), load_theme("dark"))
    assert deck.slides[1].block("agenda.title").paragraphs == (("Agenda",),)  # type: ignore[union-attr]
    assert deck.slides[3].block("section.label").paragraphs == (("Part 1",),)  # type: ignore[union-attr]
    assert deck.slides[-1].block("closing.title").paragraphs == (("Thank you",),)  # type: ignore[union-attr]


def test_a_point_too_long_for_one_slide_continues_with_a_marked_headline() -> None:
    speech = stress_speech()
    deck, notices = plan_deck(speech, load_theme("default"))
    listing = [s for s in deck.slides if s.point_index == 2]
    assert len(listing) > 1 and [s.page for s in listing] == list(range(1, len(listing) + 1))
    assert all(s.pages == len(listing) for s in listing)
    assert all(s.block("point.title").paragraphs[0][0].endswith("（续）") for s in listing[1:])  # type: ignore[union-attr]
    shown = [p[0] for s in listing for p in s.block("point.body").paragraphs]  # type: ignore[union-attr]
    assert shown == list(speech.points[2].bullets)
    assert all(s.notes == speech.points[2].text for s in listing)
    assert any("continues on" in n.message for n in notices)


def test_a_200_character_headline_is_shortened_and_kept_whole_in_the_notes() -> None:
    speech = stress_speech()
    deck, notices = plan_deck(speech, load_theme("official"))
    slide = next(s for s in deck.slides if s.point_index == 1)
    shown = "".join("".join(p) for p in slide.block("point.title").paragraphs)  # type: ignore[union-attr]
    assert shown.endswith("…") and len(shown) < 200
    assert speech.points[1].headline in slide.notes
    assert any(n.level == "warning" and "shortened" in n.message for n in notices)


def test_a_shortened_headline_missing_from_the_text_goes_first_in_the_notes() -> None:
    point = Point(text="正文。", headline="很长的标题" * 60, bullets=("要点",))
    speech = Speech("T", "zh", None, (Section("S", "body", (point,)),))
    deck, _ = plan_deck(speech, load_theme("default"))
    slide = next(s for s in deck.slides if s.kind == "point")
    assert slide.notes == f"{point.headline}\n正文。"


def test_a_point_continuing_the_previous_one_is_marked_continued() -> None:
    first = Point(text="甲。", headline="同一标题", bullets=("甲",))
    second = Point(text="乙。", headline="同一标题", bullets=("乙",), continued=True)
    deck, _ = plan_deck(Speech("T", "zh", None, (Section("S", "body", (first, second)),)), load_theme("default"))
    headlines = [s.block("point.title").paragraphs[0][0] for s in deck.slides if s.kind == "point"]  # type: ignore[union-attr]
    assert headlines == ["同一标题", "同一标题（续）"]


def test_agenda_and_closing_slides_follow_the_theme() -> None:
    theme = replace(load_theme("default"), agenda=False, closing=False)
    deck, _ = plan_deck(zh_speech(), theme)
    assert "agenda" not in kinds(deck) and "closing" not in kinds(deck)


def test_planning_is_deterministic() -> None:
    theme = load_theme("official")
    first = json.dumps(deck_to_dict(plan_deck(stress_speech(), theme)[0]), ensure_ascii=False)
    second = json.dumps(deck_to_dict(plan_deck(stress_speech(), theme)[0]), ensure_ascii=False)
    assert first == second


@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("speech", [zh_speech, en_speech, stress_speech])
def test_every_block_fits_its_box_by_measurement(theme_name: str, speech) -> None:
    theme = load_theme(theme_name)
    deck, _ = plan_deck(speech(), theme)
    where = boxes(theme)
    for slide in deck.slides:
        for block in slide.blocks:
            _assert_fits(theme, where, block)


def _assert_fits(theme: Theme, where: dict, block) -> None:
    width, height = inner_size(where[block.role], theme)
    style = role_style(theme, block.role)
    indent = BULLET_INDENT * block.size if block.bullets else 0.0
    for lines in block.paragraphs:
        for line in lines:
            assert text_em(line, style.bold) * block.size <= width * SAFETY - indent + 0.01, (block.role, line)
    lines = sum(len(p) for p in block.paragraphs)
    used = (
        lines * line_height(block.size, style.spacing)
        + (len(block.paragraphs) - 1) * theme.text.paragraph_spacing * block.size
    )
    assert used <= height + 0.01, (block.role, block.paragraphs)


@pytest.mark.parametrize("theme_name", THEMES)
def test_sizes_stay_in_the_themes_ranges(theme_name: str) -> None:
    theme = load_theme(theme_name)
    deck, _ = plan_deck(stress_speech(), theme)
    for slide in deck.slides:
        for block in slide.blocks:
            if block.role == "point.body":
                assert theme.sizes.body[0] <= block.size <= theme.sizes.body[1]
            if block.role == "point.title":
                assert theme.sizes.headline[0] <= block.size <= theme.sizes.headline[1]


def test_the_footer_numbers_the_slides() -> None:
    deck, _ = plan_deck(zh_speech(), load_theme("default"))
    for number, slide in enumerate(deck.slides, start=1):
        pageno = slide.block("pageno")
        if pageno is not None:
            assert pageno.paragraphs == ((str(number),),)


@pytest.mark.parametrize(
    ("n", "shown"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九"), (100, "100")]
)
def test_chinese_section_numbers(n: int, shown: str) -> None:
    from deliver.slides.plan import _cn_number

    assert _cn_number(n) == shown


_PIECES = st.sampled_from(
    ["同志们：", "一、", "二、", "（一）", "第一，", "一是", "二是", "1. ", "# ", "- ", "\n", " ", "。", "，", "😀",
     "组织工作", "政治站位" * 8, "发展" * 40, "Hello", "world.", "First, ", "2026年", "GDP", "supercalifragilistic" * 3]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=60).map("".join), st.sampled_from(THEMES))
def test_any_speech_plans_slides_whose_text_fits_its_boxes(text: str, theme_name: str) -> None:
    try:
        speech = parse(read_source("-", io.BytesIO(text.encode())))
    except InputError:
        return
    theme = load_theme(theme_name)
    deck, _ = plan_deck(speech, theme)
    where = boxes(theme)
    for slide in deck.slides:
        for block in slide.blocks:
            _assert_fits(theme, where, block)
