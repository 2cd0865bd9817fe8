from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from conftest import SAMPLE, SPEECHES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliver.errors import InputError
from deliver.model import Speech
from deliver.speech.reading import Block, Source, read_source
from deliver.speech.structure import parse


def _parse(path: Path) -> Speech:
    return parse(read_source(path))


def _source(text: str, name: str = "t.txt") -> Source:
    blocks = tuple(Block(line) for line in text.split("\n") if line.strip())
    return Source(name, blocks, "utf-8", "0", {}, ())


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _bodies(speech: Speech) -> list[str]:
    return [s.title for s in speech.sections if s.kind == "body"]


ALL_SPEECHES = [SAMPLE, *sorted(SPEECHES.iterdir())]


def test_the_sample_speech_has_its_title_salutation_and_four_sections() -> None:
    speech = _parse(SAMPLE)
    assert speech.title == "组织部长春节收心会暨组织工作务虚会讲话稿"
    assert speech.salutation == "同志们："
    assert speech.language == "zh"
    assert _bodies(speech) == [
        "如何提高组织工作的政治站位",
        "如何坚守组织工作的职责定位",
        "如何提高组织工作的境界水平",
        "如何抓好组织工作的任务落实",
    ]


def test_the_sample_openings_enumerations_become_points() -> None:
    opening = _parse(SAMPLE).sections[0]
    assert opening.kind == "opening"
    headlines = [p.headline for p in opening.points]
    assert {"三点要求", "三个方面值得肯定", "三个方面需要改进"} <= set(headlines)
    requirements = opening.points[headlines.index("三点要求")]
    assert requirements.bullets == ("认真学习，深刻领会精髓", "深入对接，系统谋划工作", "聚焦重点，认真抓好落实")
    improve = opening.points[headlines.index("三个方面需要改进")]
    assert improve.bullets == ("思考还缺深度", "谋划还缺高度", "措施还缺力度")


def test_no_web_noise_reaches_the_outline() -> None:
    text = repr(_parse(SAMPLE))
    for noise in ("bookmark", "来源：", "流年似水", "更新时间"):
        assert noise not in text


@pytest.mark.parametrize("path", ALL_SPEECHES, ids=lambda p: p.name)
def test_every_word_of_the_speech_is_in_exactly_one_point_in_order(path: Path) -> None:
    source = read_source(path)
    speech = parse(source)
    spoken = _norm("".join(p.text for p in speech.points))
    whole = _norm(source.text)
    assert whole.endswith(spoken)
    front = whole[: len(whole) - len(spoken)]
    # The header zone may move a date or speaker out of the title line; meta.heading keeps the line as written.
    written = _norm(speech.meta.heading or speech.title)
    assert front.startswith(written) or speech.title == path.stem
    assert len(front) <= len(written) + len(_norm(speech.salutation or "")) + 60


@pytest.mark.parametrize("path", ALL_SPEECHES, ids=lambda p: p.name)
def test_headlines_are_short_and_bullets_condense(path: Path) -> None:
    speech = _parse(path)
    for point in speech.points:
        if speech.language == "zh":
            assert 2 <= len(point.headline) <= 20, point.headline
        else:
            assert 1 <= len(point.headline.split()) <= 12, point.headline
        for bullet in point.bullets:
            assert bullet and (len(point.text) <= 40 or _norm(bullet) != _norm(point.text))


def test_chinese_sections_with_sub_points_closing_and_byline() -> None:
    speech = _parse(SPEECHES / "zh-dun-paren.txt")
    assert speech.title == "在全市安全生产工作会议上的讲话"
    assert speech.salutation == "各位领导、同志们："
    assert speech.meta == {"occasion": "2025年第一季度安全生产形势分析会", "date": "2025年3月12日"}
    assert _bodies(speech) == ["清醒认识当前安全生产面临的严峻形势", "聚焦重点领域开展专项整治", "压紧压实安全生产责任"]
    special = speech.sections[2]
    assert [p.headline for p in special.points] == ["抓好危险化学品安全", "抓好建筑施工安全", "抓好道路交通安全"]
    duty = speech.sections[3].points[-1]
    assert duty.bullets == ("落实党政领导责任", "落实部门监管责任", "落实企业主体责任")
    assert speech.sections[-1].kind == "closing"
    assert speech.sections[-1].points[0].text.startswith("同志们，安全生产只有起点")


def test_di_sections_with_yishi_and_shouxian_enumerations() -> None:
    speech = _parse(SPEECHES / "zh-di-yishi.txt")
    assert _bodies(speech) == ["要充分肯定成绩", "要清醒看到不足", "要扎实做好明年工作"]
    bullets = [p.bullets for s in speech.sections if s.kind == "body" for p in s.points]
    assert ("项目建设提速增效", "营商环境持续优化", "民生保障更加有力") in bullets
    assert ("抓好规划引领", "抓好项目攻坚", "抓好队伍建设") in bullets
    assert speech.sections[-1].kind == "closing"


def test_english_markdown_headings_lists_and_closing() -> None:
    speech = _parse(SPEECHES / "en-markdown.md")
    assert speech.language == "en"
    assert speech.title == "Building Software That Lasts"
    assert speech.salutation == "Good morning, everyone."
    assert _bodies(speech) == ["Why software decays", "What lasting systems do differently", "Where to start on Monday"]
    causes = speech.sections[1].points[-1]
    assert causes.headline == "There are three common causes"
    assert causes.bullets == (
        "Dependencies that nobody updates",
        "Knowledge that lives only in people's heads",
        "Tests that check the wrong things",
    )
    assert speech.sections[-1].kind == "closing"


def test_english_plain_paragraphs_are_grouped_into_sections() -> None:
    speech = _parse(SPEECHES / "en-plain.txt")
    assert speech.salutation == "Ladies and gentlemen,"
    kinds = [s.kind for s in speech.sections]
    assert kinds[0] == "opening" and kinds[-1] == "closing" and "body" in kinds
    assert len(speech.points) >= 5


def test_english_roman_headings_with_first_second_third() -> None:
    speech = _parse(SPEECHES / "en-roman.txt")
    assert _bodies(speech) == ["Where we stand", "What went wrong", "What comes next"]
    plan = speech.sections[-1].points[0]
    assert plan.headline == "What comes next"
    assert len(plan.bullets) == 3 and plan.bullets[0].startswith("We will finish the billing migration")


def test_docx_heading_styles_make_sections(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("2025年工作报告", level=0)
    document.add_paragraph("各位代表：")
    document.add_paragraph("现在，我代表市政府，向大会报告工作，请予审议，并请市政协委员提出意见。")
    document.add_heading("过去一年的工作回顾", level=1)
    document.add_paragraph("过去一年，全市经济运行稳中有进，地区生产总值增长百分之五点八，城乡居民收入稳步提高。")
    document.add_heading("今年的主要任务", level=1)
    document.add_paragraph("今年要重点抓好扩大有效投资、培育新兴产业、保障改善民生等工作，确保各项目标任务圆满完成。")
    path = tmp_path / "报告.docx"
    document.save(str(path))
    speech = _parse(path)
    assert speech.title == "2025年工作报告" and speech.salutation == "各位代表："
    assert _bodies(speech) == ["过去一年的工作回顾", "今年的主要任务"]


def test_a_point_too_long_for_a_slide_is_split_at_sentence_ends() -> None:
    sentence = "我们要坚持以人民为中心的发展思想，把群众的急难愁盼作为工作的出发点和落脚点。"
    speech = parse(_source("标题\n一、总体要求\n" + sentence * 20 + "\n二、工作措施\n" + sentence))
    first = speech.sections[0]
    assert len(first.points) >= 3
    assert all(p.text.endswith("。") for p in first.points)
    assert _norm("".join(p.text for p in first.points)) == _norm("一、总体要求" + sentence * 20)


def test_a_line_without_any_punctuation_is_still_split_and_kept_whole() -> None:
    blob = "组织工作要围绕中心服务大局" * 300
    speech = parse(_source(blob))
    assert len(speech.points) > 5
    assert _norm("".join(p.text for p in speech.points)) == blob


def test_a_one_line_speech_is_one_point_titled_by_its_file() -> None:
    speech = parse(_source("感谢大家的辛勤付出。", name="致辞.txt"))
    assert speech.title == "致辞"
    assert [p.text for p in speech.points] == ["感谢大家的辛勤付出。"]


_WORDS = st.sampled_from(
    ["同志们：", "一、", "二、", "（一）", "第一，", "一是", "二是", "首先，", "最后，", "1. ", "# ", "- ",
     "工作", "落实", "政治站位", "。", "，", "；", "：", "\n", " ", "Hello", "world.", "First, ", "2026年", "GDP", "!"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, min_size=1, max_size=80).map("".join))
def test_any_text_parses_and_keeps_every_word_in_order(text: str) -> None:
    try:
        source = read_source("-", __import__("io").BytesIO(text.encode()))
        speech = parse(source)
    except InputError:
        return
    spoken = _norm("".join(p.text for p in speech.points))
    assert _norm(source.text).endswith(spoken)
    assert all(p.text.strip() and p.headline.strip() for p in speech.points)
