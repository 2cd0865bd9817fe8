"""Measuring and breaking CJK/Latin text: widths by script, word-safe breaks, 避头尾, fitting."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliver.slides.fit import Frame, fit_pages, fit_text
from deliver.speech.measure import (
    NO_LINE_END,
    NO_LINE_START,
    char_em,
    line_height,
    shorten,
    text_em,
    wrap,
    wrap_balanced,
)
from deliver.speech.words import cut

ZH = "要提高组织工作的政治站位，就是要在思想上全面对表、在工作上全面对接、在行动上全面看齐，加快构建适应全市经济社会发展的组织保障体系。"


@pytest.mark.parametrize(
    ("ch", "em"),
    [("中", 1.0), ("，", 1.0), ("Ａ", 1.0), ("i", 0.34), ("m", 0.95), ("a", 0.6), ("8", 0.64), ("😀", 1.3)],
)
def test_it_knows_character_widths_by_script(ch: str, em: float) -> None:
    assert char_em(ch) == em


def test_han_next_to_latin_gets_the_viewers_autospace() -> None:
    assert text_em("2024年") == pytest.approx(4 * 0.64 + 1 + 0.25)
    assert text_em("中文") == 2.0


def test_lines_break_between_words_and_never_start_with_closing_punctuation() -> None:
    lines = wrap(ZH, 9.0)
    assert "".join(lines) == ZH
    boundaries = _word_boundaries(ZH)
    position = 0
    for line in lines[:-1]:
        position += len(line)
        assert position in boundaries, f"{line!r} splits a word"
    assert all(line[0] not in NO_LINE_START for line in lines)
    assert all(line[-1] not in NO_LINE_END for line in lines)
    assert all(text_em(line) <= 9.0 for line in lines)


def _word_boundaries(text: str) -> set[int]:
    result, position = set(), 0
    for word in cut(text):
        position += len(word)
        result.add(position)
    return result


def test_opening_quotes_stay_with_the_word_they_open() -> None:
    lines = wrap("提高“划句号”能力，不留尾巴", 3.0)
    assert all(not line.endswith("“") for line in lines)
    assert all(not line.startswith(("”", "，")) for line in lines)


def test_english_wraps_at_spaces_and_drops_them_at_breaks() -> None:
    lines = wrap("Latin words such as internationalization stay whole", 12.0)
    assert " ".join(lines) == "Latin words such as internationalization stay whole"
    assert "internationalization" in lines


def test_a_word_longer_than_a_line_is_cut_by_characters() -> None:
    assert wrap("a" * 30, 10.0) == ("a" * 16, "a" * 14)


def test_balanced_lines_keep_the_count_and_even_out_the_widths() -> None:
    text = "组织部长春节收心会暨组织工作务虚会讲话稿"
    greedy, balanced = wrap(text, 18.0), wrap_balanced(text, 18.0)
    assert len(greedy) == len(balanced) == 2
    assert abs(len(balanced[0]) - len(balanced[1])) <= 2


def test_shorten_ends_with_an_ellipsis_and_fits() -> None:
    short = shorten(ZH, 10.0)
    assert short.endswith("…") and text_em(short) <= 10.0 and ZH.startswith(short[:-1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from([*"组织工作政治站位，。、；：“”（）ab cd12😀", "GDP", " and "]), min_size=1, max_size=40)
    .map(lambda parts: "".join(parts).strip())
    .filter(bool),
    st.floats(min_value=2.0, max_value=30.0),
)
def test_wrapping_loses_no_text_and_no_line_is_too_wide(text: str, width: float) -> None:
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    closing = "".join(NO_LINE_START)
    for line in lines:
        body = line.rstrip(closing)  # a run of closing marks may hang past a very narrow line
        assert text_em(body) <= width or len(body) <= 1


def test_fit_text_takes_the_largest_size_that_fits() -> None:
    frame = Frame(width=400, height=60, spacing=1.0, paragraph_space=0.5, bold=True, balanced=True)
    fitted = fit_text("政治站位", frame, 20, 36)
    assert fitted.size == 36 and not fitted.shortened


def test_a_title_too_long_for_its_box_is_shortened_not_overflowing() -> None:
    frame = Frame(width=400, height=60, spacing=1.0, paragraph_space=0.5, bold=True, balanced=True)
    fitted = fit_text(ZH * 3, frame, 20, 36)
    lines = fitted.pages[0][0]
    assert fitted.shortened and fitted.size == 20 and lines[-1].endswith("…")
    assert len(lines) * line_height(20, 1.0) <= 60


def test_bullets_that_do_not_fit_continue_on_more_pages_at_a_readable_size() -> None:
    frame = Frame(width=800, height=360, spacing=1.0, paragraph_space=0.5, bullets=True)
    fitted = fit_pages([f"第{i}项：完善工作机制" for i in range(40)], frame, 18, 28)
    assert len(fitted.pages) > 1 and fitted.size >= 18
    assert sum(len(page) for page in fitted.pages) == 40
    for page in fitted.pages:
        lines = sum(len(p) for p in page)
        assert lines * line_height(fitted.size, 1.0) + (len(page) - 1) * 0.5 * fitted.size <= 360


def test_a_paragraph_taller_than_a_page_is_cut_between_lines() -> None:
    frame = Frame(width=400, height=200, spacing=1.0, paragraph_space=0.5)
    fitted = fit_pages(["坚持以人民为中心的发展思想" * 40], frame, 18, 24)
    assert len(fitted.pages) >= 2
    assert "".join("".join(p[0]) for p in fitted.pages) == "坚持以人民为中心的发展思想" * 40
