"""Speech normalisation: what every engine is given to say, and the way back to the speech's text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliver.voices.normalize import cardinal, normalize

ZH_CASES = [
    # cardinals
    ("共有3人", "共有三人"),
    ("10个", "十个"),
    ("第15届", "第十五届"),
    ("110名", "一百一十名"),
    ("120000人", "十二万人"),
    ("100010元", "十万零一十元"),
    ("2000多名", "两千多名"),
    ("1,234,567", "一百二十三万四千五百六十七"),
    ("13.5亿", "十三点五亿"),
    ("2.5万元", "二点五万元"),
    ("0.3个百分点", "零点三个百分点"),
    ("编号007", "编号零零七"),
    # 两 before a measure word, but not in a month or a longer number
    ("2个方面", "两个方面"),
    ("2名同志", "两名同志"),
    ("2月份", "二月份"),
    ("12个", "十二个"),
    # years and dates
    ("2026年", "二零二六年"),
    ("1949年10月1日", "一九四九年十月一日"),
    ("2024年度", "二零二四年度"),
    ("1990年代", "一九九零年代"),
    ("5000年的文明", "五千年的文明"),
    ("2026-03-12", "二零二六年三月十二日"),
    ("2026/3/9", "二零二六年三月九日"),
    ("2025—2027年", "二零二五年至二零二七年"),
    ("3月12日", "三月十二日"),
    # times
    ("上午8:30", "上午八点三十分"),
    ("14:05开会", "十四点零五分开会"),
    ("9:00整", "九点整"),
    ("08:15:30", "八点十五分三十秒"),
    # percentages, per mille, fractions, ranges
    ("增长5.2%", "增长百分之五点二"),
    ("下降-3%", "下降负百分之三"),
    ("0.5‰", "千分之零点五"),
    ("3%-5%", "百分之三至百分之五"),
    ("3-5%", "百分之三至百分之五"),
    ("1/3的人", "三分之一的人"),
    ("3-5年", "三至五年"),
    ("10～20人", "十至二十人"),
    # money, units
    ("¥1,200.50", "一千二百元五角"),
    ("￥3.05", "三元零五分"),
    ("$30", "三十美元"),
    ("-3℃", "零下三摄氏度"),
    ("5km", "五公里"),
    # 文号, phone numbers
    ("国发〔2024〕3号", "国发二零二四年三号"),
    ("中办发[2023]12号文件", "中办发二零二三年十二号文件"),
    ("电话13812345678", "电话幺三八幺二三四五六七八"),
    ("010-12345678", "零幺零幺二三四五六七八"),
    # placeholders for names in a draft
    ("XX、XX同志", "某某、某某同志"),
    ("××书记", "某某书记"),
    ("XXL号", "XXL号"),
    # Latin runs and mixed text are left to the engine; digits beside them are read
    ("GDP增长了5.2%", "GDP增长了百分之五点二"),
    ("5G基站", "五G基站"),
    ("没有数字的一句话。", "没有数字的一句话。"),
]


@pytest.mark.parametrize(("written", "said"), ZH_CASES)
def test_chinese_numbers_dates_and_symbols_are_said_in_words(written: str, said: str) -> None:
    assert normalize(written, "zh").text == said


EN_CASES = [
    ("pages 3–5", "pages 3 to 5"),
    ("in 2025 we grew 5.2%", "in 2025 we grew 5.2%"),
    ("1990—1995", "1990 to 1995"),
]


@pytest.mark.parametrize(("written", "said"), EN_CASES)
def test_english_leaves_numbers_to_the_engine_but_reads_ranges(written: str, said: str) -> None:
    assert normalize(written, "en").text == said


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (0, "零"),
        (10, "十"),
        (19, "十九"),
        (101, "一百零一"),
        (1001, "一千零一"),
        (20000, "两万"),
        (100000000, "一亿"),
        (1000000001, "十亿零一"),
    ],
)
def test_cardinals_follow_chinese_zero_and_ten_rules(n: int, said: str) -> None:
    assert cardinal(n) == said


def test_offsets_map_back_onto_the_written_text() -> None:
    written = "2026年3月GDP增长5.2%。"
    spoken = normalize(written, "zh")
    assert spoken.text == "二零二六年三月GDP增长百分之五点二。"
    assert spoken.to_source(0) == 0
    assert spoken.to_source(spoken.text.index("年")) == written.index("年")
    assert spoken.to_source(spoken.text.index("GDP")) == written.index("GDP")
    assert spoken.to_source(spoken.text.index("增")) == written.index("增")
    assert spoken.to_source(len(spoken.text)) == len(written)


@given(st.text(alphabet="0123456789年月日号%-.:/,〔〕¥个第一二abc 。", max_size=40))
def test_any_text_normalises_with_monotonic_offsets_inside_the_source(text: str) -> None:
    spoken = normalize(text, "zh")
    mapped = [spoken.to_source(i) for i in range(len(spoken.text) + 1)]
    assert mapped == sorted(mapped)
    assert all(0 <= m <= len(text) for m in mapped)
    assert mapped[-1] == len(text)
    assert not any(ch.isdigit() for ch in spoken.text)
