"""Headlines and bullets are chosen from the speaker's words, never cut: one table per rule."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliver.model import Language
from deliver.speech.condense import (
    BULLET_MAX,
    HEADLINE_MAX,
    bullets_of,
    enumeration_headline,
    headline_of,
    item_bullet,
    truncate,
)
from deliver.speech.lines import balanced, flaw, is_vocative, trim, waits_for_more
from deliver.speech.phrases import size


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lines(text: str, language: Language) -> list[str]:
    headline = headline_of(text, language)
    return [headline, *bullets_of(text, language, exclude=[headline])]


# ---- a headline too long is replaced by a shorter whole phrase, never cut with "…" -------------

LONG_HEADLINES = [
    ("推进城乡融合发展，健全城乡统一的建设用地市场，完善农村产权交易体系。", "zh", "推进城乡融合发展"),
    ("坚定不移推进全面从严治党向纵深发展并持续加强基层党组织的规范化标准化建设。", "zh", None),
    ("We will rebuild the old harbour district because the families who live there deserve safe streets.", "en",
     "We will rebuild the old harbour district"),
    ("The committee that met on Monday agreed that the budget for the new library should rise by four percent.", "en",
     None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "language", "expected"), LONG_HEADLINES)
def test_a_long_headline_becomes_a_shorter_whole_phrase(text: str, language: Language, expected: str | None) -> None:
    headline = headline_of(text, language)
    assert "…" not in headline and "..." not in headline
    assert size(headline, language) <= HEADLINE_MAX[language]
    assert _flat(headline) in _flat(text)
    assert not waits_for_more(headline, language)
    if expected:
        assert headline == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [("坚持以人民为中心的发展思想不断增强人民群众的获得感幸福感安全感", "zh"),
     ("Delivering reliable public transport for every neighbourhood in the region over the coming decade", "en")],
)  # fmt: skip
def test_truncate_keeps_whole_words_and_never_marks_a_cut(text: str, language: Language) -> None:
    short = truncate(text, language, 10 if language == "zh" else 6)
    assert "…" not in short and _flat(short) in _flat(text)
    assert size(short, language) <= (10 if language == "zh" else 6)


# ---- no line opens with a particle or stray punctuation; edges are trimmed, not the inside -----

TRIMMED = [
    ("并且要把安全放在首位", "zh", "把安全放在首位"),
    ("但是，困难依然很多", "zh", "困难依然很多"),
    ("而是要靠制度管人", "zh", "靠制度管人"),
    ("以及各类社会组织的积极参与", "zh", "各类社会组织的积极参与"),
    ("——经济总量迈上新台阶", "zh", "经济总量迈上新台阶"),
    ("》第三条规定", "zh", "第三条规定"),
    ("同志们，春耕已经开始", "zh", "春耕已经开始"),
    ("我们的队伍越来越年轻", "zh", "我们的队伍越来越年轻"),  # a stripped 我们 would leave 的
    ("我们要守住耕地红线", "zh", "守住耕地红线"),
    ("And we kept our promise.", "en", "we kept our promise"),
    ("But the work is not finished", "en", "the work is not finished"),
    ("So, what happens next?", "en", "what happens next"),
    ("Ladies and gentlemen, the doors are open.", "en", "the doors are open"),
]


@pytest.mark.parametrize(("text", "language", "expected"), TRIMMED)
def test_topicless_edges_are_trimmed(text: str, language: Language, expected: str) -> None:
    assert trim(text, language) == expected


OPENS_BADLY = [
    ("的发展方向更加明确", "zh"),
    ("并就下一步工作达成共识", "zh"),
    ("而在各项工作中", "zh"),
    ("和大家一起努力", "zh"),
    ("与各方携手推进", "zh"),
    ("是全市上下共同努力的结果", "zh"),
    ("，全年目标顺利完成", "zh"),
    ("which made the plan possible", "en"),
    ("and the rest of the city", "en"),
]


@pytest.mark.parametrize(("line", "language"), OPENS_BADLY)
def test_a_line_opening_with_a_particle_or_punctuation_cannot_stand(line: str, language: Language) -> None:
    assert flaw(line, language) in ("opens with a particle", "opens with punctuation")


def test_no_chosen_line_opens_with_a_particle_or_de() -> None:
    text = "我们的目标已经明确。并且，我们的措施更加有力，而且群众的参与度明显提高。但是，我们的短板依然存在。"
    for line in _lines(text, "zh"):
        assert not re.match(r"[的并而但且和与，、]", line), line


# ---- no vocative, no frame without its predicate -----------------------------------------------

VOCATIVES = [
    ("同志们", "zh", True), ("各位代表", "zh", True), ("尊敬的各位来宾、亲爱的同学们", "zh", True),
    ("青年朋友们", "zh", True), ("各位代表", "zh", True), ("它不是你的朋友", "zh", False),
    ("代表们的意见很中肯", "zh", False), ("Ladies and gentlemen", "en", True), ("My fellow citizens", "en", True),
    ("Good morning, everyone", "en", True), ("Friends of the library met on Tuesday", "en", False),
]  # fmt: skip


@pytest.mark.parametrize(("line", "language", "expected"), VOCATIVES)
def test_vocatives_are_recognised(line: str, language: Language, expected: bool) -> None:
    assert is_vocative(line, language) is expected


@pytest.mark.parametrize(
    ("text", "language"),
    [("各位代表！\n今年全市粮食产量再创新高，达到一百二十万吨，比上年增长百分之三。", "zh"),
     ("My fellow citizens! The river is clean again, and the fish have come back.", "en")],
)  # fmt: skip
def test_a_vocative_is_never_a_headline_or_bullet(text: str, language: Language) -> None:
    for line in _lines(text, language):
        assert not is_vocative(line, language) and not line.startswith("位代表"), line


FRAMES = [
    ("在今年的技能比赛中", "zh", True), ("作为一名基层干部", "zh", True), ("他在会上说", "zh", True),
    ("对于这个问题", "zh", True), ("随着改革的深入", "zh", True), ("需要上级审批的", "zh", True),
    ("一年来，在市委的坚强领导下", "zh", True), ("专家们普遍认为", "zh", True),
    ("在家门口就业", "zh", False), ("我们取得了好成绩", "zh", False), ("坚持实事求是", "zh", False),
    ("严肃查处违法违规行为", "zh", False),
    ("As for the budget", "en", True), ("Akin to a river", "en", True), ("In the spring of that year", "en", True),
    ("When the storm reached the coast", "en", True), ("The report said", "en", True), ("The reason is", "en", True),
    ("The river rose", "en", False), ("We must take the world as it is", "en", False),
    ("Not a service people must wait for", "en", False), ("The price of", "en", True),
]  # fmt: skip


@pytest.mark.parametrize(("line", "language", "expected"), FRAMES)
def test_a_frame_without_its_predicate_waits_for_more(line: str, language: Language, expected: bool) -> None:
    assert waits_for_more(line, language) is expected


def test_competition_bullets_carry_their_result() -> None:
    text = (
        "在全省职业技能大赛中，我市选手获得三项金奖。在全国创新创业比赛中，我市团队拿下两项一等奖。"
        "在长三角青年歌手比赛中，两名学生进入决赛。在全市中小学运动会上，实验小学打破两项纪录。"
    )
    bullets = bullets_of(text, "zh", exclude=[headline_of(text, "zh")])
    assert len(bullets) >= 3
    for bullet in bullets:
        assert not waits_for_more(bullet, "zh"), bullet
    assert any("金奖" in b for b in bullets) or any("一等奖" in b for b in bullets)


ENGLISH_CLAUSES = [
    "When the storm reached the coast on Friday night, the volunteers who had trained all summer opened the shelters "
    "within an hour.",
    "Our nurses, who worked through every holiday this winter, kept each ward open, and the town noticed.",
    "Because the bridge was closed for repairs in March, the buses that serve the valley took a longer road.",
]


@pytest.mark.parametrize("text", ENGLISH_CLAUSES)
def test_english_lines_end_at_a_clause_end_not_at_a_comma_before_the_verb(text: str) -> None:
    headline, *bullets = _lines(text, "en")
    assert not waits_for_more(headline, "en"), headline
    for line in [headline, *bullets]:  # a bullet may carry on the headline's own sentence ("within an hour")
        assert not waits_for_more(line, "en", setting=True), line
        assert not re.search(r"\b(?:nurses|volunteers|buses|night)$", line), line  # a subject without its verb


# ---- quotes, brackets and numbers stay whole ---------------------------------------------------

QUOTED = [
    ("我们坚持“小切口、大纵深”的思路，推动“一网通办”落地见效，群众满意度明显提升。", "zh"),
    ("依据《安全生产法》第二十一条，企业主要负责人对本单位安全生产工作全面负责。", "zh"),
    ("她说：“只要路修通了，果子就能卖出去，日子就有奔头。”大家都记住了这句话。", "zh"),
    ('She told us, "Keep the doors open, and the people will come," and we did exactly that.', "en"),
]


@pytest.mark.parametrize(("text", "language"), QUOTED)
def test_quotes_and_brackets_are_balanced(text: str, language: Language) -> None:
    for line in _lines(text, language):
        assert balanced(line), line


NUMBERS = [
    ("全年增长6.5%，其中工业增长7.2%、服务业增长5.8%、消费增长4.9%、外贸进出口增长12.3%、实际使用外资增长8.1%。", "zh"),
    ("全市城镇居民人均可支配收入实际增长8.5%农村居民人均可支配收入实际增长9.7%", "zh"),
    ("Exports grew by 12.5 percent, imports by 3.25 percent, and 1,200 new firms opened.", "en"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "language"), NUMBERS)
def test_numbers_are_never_cut(text: str, language: Language) -> None:
    whole = set(re.findall(r"\d+(?:[.,]\d+)*%?", text))
    for line in _lines(text, language):
        for number in re.findall(r"\d+(?:[.,]\d+)*%?", line):
            assert number in whole, (number, line)


# ---- enumerators are not repeated in front; a headline is not repeated as a bullet -----------

ENUMERATORS = [
    ("一是加强组织领导", "zh", "加强组织领导"),
    ("（二）完善工作机制", "zh", "完善工作机制"),
    ("3．落实安全责任", "zh", "落实安全责任"),
    ("第四，抓好队伍建设", "zh", "抓好队伍建设"),
    ("其一，摸清底数", "zh", "摸清底数"),
    ("First, we fixed the roof", "en", "we fixed the roof"),
    ("II. A second plan for the port", "en", "A second plan for the port"),
    ("8、9成的企业已经复工", "zh", "8、9成的企业已经复工"),  # a range of numbers, not an enumerator
    ("第一次全体会议", "zh", "第一次全体会议"),
    ("1.5倍的增长", "zh", "1.5倍的增长"),
]


@pytest.mark.parametrize(("text", "language", "expected"), ENUMERATORS)
def test_enumerators_are_trimmed_and_numbers_kept(text: str, language: Language, expected: str) -> None:
    assert trim(text, language) == expected


def test_a_list_item_bullet_drops_its_marker() -> None:
    assert item_bullet("一是完善考核办法，把实绩作为选人用人的重要依据。", "zh") == "完善考核办法"
    assert item_bullet("二是认真学习，深刻领会精神实质。", "zh") == "认真学习，深刻领会精神实质"


@pytest.mark.parametrize(
    ("text", "language"),
    [("加快建设现代化产业体系。加快建设现代化产业体系，培育一批领军企业，壮大一批专精特新企业。", "zh"),
     ("We protect the river. We protect the river because our children swim in it every summer.", "en")],
)  # fmt: skip
def test_a_headline_is_not_repeated_as_a_bullet(text: str, language: Language) -> None:
    headline, *bullets = _lines(text, language)
    for bullet in bullets:
        assert _flat(bullet).lower() not in _flat(headline).lower()
        assert _flat(headline).lower() not in _flat(bullet).lower()


def test_a_counted_list_is_titled_by_its_count() -> None:
    assert enumeration_headline("这里，我讲三点意见：", "zh") == "三点意见"
    assert enumeration_headline("过去一年，我们主要做了三方面工作：", "zh") == "三方面工作"


# ---- the speaker's own words, condensed -------------------------------------------------------

_WORDS = st.sampled_from(
    ["我们", "要", "的", "在", "比赛中", "坚持", "改革", "发展", "“", "”", "《", "》", "，", "。", "、", "一是",
     "（一）", "同志们", "8.5%", "12", "并", "但是", "The", "river", "rose", "and", "we", "built", "a", "bridge",
     "because", "of", ", ", ". ", "First, ", "who", "which", "\n"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, min_size=1, max_size=60).map("".join))
def test_every_line_is_a_contiguous_span_of_the_text(text: str) -> None:
    for language in ("zh", "en"):
        for line in _lines(text, language):
            assert _flat(line) in _flat(text), line


PARAGRAPHS = [
    ("今年以来，全区上下紧紧围绕年初确定的目标任务，攻坚克难，扎实工作，经济运行总体平稳。"
     "规模以上工业增加值增长百分之六，固定资产投资增长百分之八，社会消费品零售总额增长百分之五。"
     "同时，我们也要清醒地看到，发展不平衡不充分的问题依然突出，部分企业生产经营还比较困难。", "zh"),
    ("Over the past year our city has changed in ways that few of us expected when we began. "
     "The new tram line carries forty thousand people a day, and the old depot has become a school. "
     "None of this happened by accident, and none of it would have happened without the people in this room.", "en"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "language"), PARAGRAPHS)
def test_bullets_are_condensed_never_the_whole_paragraph(text: str, language: Language) -> None:
    bullets = bullets_of(text, language, exclude=[headline_of(text, language)])
    assert 1 <= len(bullets) <= 4
    for bullet in bullets:
        assert size(bullet, language) <= BULLET_MAX[language]
        assert _flat(bullet) != _flat(text) and flaw(bullet, language) is None


def test_jieba_is_not_loaded_for_a_report_whose_clauses_fit() -> None:
    paragraph = "一、坚持稳中求进工作总基调\n今年以来，全市经济运行稳中有进，工业生产持续回升，就业形势总体稳定。\n"
    titled = "关于全市经济工作的报告\n" + paragraph * 200  # a report without a title loads jieba for one (salient.py)
    code = (
        "import sys\nfrom deliver.speech.reading import Block, Source\nfrom deliver.speech.structure import parse\n"
        f"text = {titled!r}\n"
        "blocks = tuple(Block(line) for line in text.split('\\n') if line.strip())\n"
        "parse(Source('r.txt', blocks, 'utf-8', '0', {}, ()))\n"
        "print('jieba' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("theme_name", ["default", "official", "dark"])
def test_the_longest_headline_fits_the_headline_box_at_its_largest_size(theme_name: str) -> None:
    from deliver.slides.layout import boxes, inner_size
    from deliver.slides.theme import load_theme
    from deliver.speech.measure import wrap

    theme = load_theme(theme_name)
    (width, _), size_pt = inner_size(boxes(theme)["point.title"], theme), theme.sizes.headline[1]
    width_em = width / size_pt
    zh = "全面推进乡村振兴加快建设农业强国实现共同富裕"[: HEADLINE_MAX["zh"]]
    long = "Several neighbourhoods rebuilt their markets after the floods, and the harbour authorities reopened"
    en = truncate(long + " the northern breakwater to international shipping.", "en", HEADLINE_MAX["en"])
    assert len(wrap(zh, width_em, bold=True)) == 1  # a Chinese headline is one line without shrinking
    assert len(wrap(en, width_em, bold=True)) <= 2  # an English one, two lines


def test_a_one_sentence_formula_gets_its_main_clause_as_headline_and_the_rest_as_bullet() -> None:
    from deliver.speech.points import points_of
    from deliver.speech.units import Unit

    (point,) = points_of([Unit("现在，我代表市政府向大会报告工作，请予审议。", None, 0)], "zh")
    assert point.headline == "我代表市政府向大会报告工作"  # the main clause, not the formula
    assert point.bullets and point.headline not in point.bullets


def test_a_list_titled_by_its_first_item_does_not_repeat_it_as_a_bullet() -> None:
    from deliver.speech.points import points_of
    from deliver.speech.units import Unit

    text = "1. Listening to the neighbours first.\n2. Writing down what they need.\n3. Coming back to check the work."
    (point,) = points_of([Unit(text, None, 0)], "en")
    assert [b for b in point.bullets if b.rstrip(".") == point.headline.rstrip(".")] == []


def test_a_heading_sentence_titles_the_paragraph_after_it() -> None:
    from deliver.speech.points import points_of
    from deliver.speech.units import Unit

    long = "要加大对基础研究的投入，" * 20 + "建设一批重点实验室。"
    units = [Unit("推动科技进步和创新。", None, 0), Unit(long, None, 0)]
    points = points_of(units, "zh")
    assert points[0].headline == "推动科技进步和创新" and points[0].bullets
    assert all(p.bullets for p in points)


def test_a_topicless_comment_is_not_the_headline_when_the_passage_names_its_topic() -> None:
    text = "我觉得这很重要，因为我在那里教过书。2010 年，市图书馆办了第一期读书会。后来来的人越来越多。"
    assert headline_of(text, "zh") != "我觉得这很重要"
    assert "我觉得这很重要" not in bullets_of(text, "zh", exclude=[headline_of(text, "zh")])
    assert headline_of("I think this is important. The library opened in 1990 with two shelves.", "en").startswith(
        "The library"
    )


@pytest.mark.parametrize(
    "line", ["鲁迅曾经借了他写的杂文", "北方有一个传说", "这里有这样一句话", "听说英国作家的一篇短篇小说"]
)
def test_a_means_or_a_presenting_clause_waits_for_what_it_introduces(line: str) -> None:
    assert waits_for_more(line, "zh")


@pytest.mark.parametrize("line", ["借鉴国际经验", "他借了三本书给我看", "借助数字技术提升服务水平"])
def test_borrowing_with_its_own_predicate_stands(line: str) -> None:
    assert not waits_for_more(line, "zh")
