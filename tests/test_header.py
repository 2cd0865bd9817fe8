"""The header zone: what stands before the speech is classified (title, page heading, column label,
subtitle, speaker, date, lead-in, salutation), kept in meta or dropped with a notice — never spoken."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from deliver.model import Meta, Speech
from deliver.pipeline import BuildOptions, build, load
from deliver.slides import plan_deck
from deliver.slides.theme import load_theme
from deliver.speech.header import Header, split_header
from deliver.speech.reading import read_source

BODY = "今天我们召开会议，主要任务是总结工作、部署任务。"


def _header(text: str, name: str = "speech.txt") -> Header:
    return split_header(read_source("-" if name == "-" else _file(text, name), io.BytesIO(text.encode())))


def _file(text: str, name: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _notices(header: Header) -> str:
    return "\n".join(n.message for n in header.notices)


def test_a_page_heading_above_the_title_is_dropped_with_a_notice() -> None:
    head = _header(f"学习强国\n在全市组织工作会议上的讲话\n（2024年2月18日）\n同志们：\n{BODY}\n")
    assert head.title == "在全市组织工作会议上的讲话"
    assert head.meta.date == "2024年2月18日" and head.salutation == "同志们："
    assert "page heading above the title: 学习强国" in _notices(head)
    assert head.blocks[0].text == BODY


def test_a_page_heading_that_holds_the_documents_title_is_the_title() -> None:
    head = _header(
        f"2022年某某市人民政府工作报告\n\n政府工作报告\n\n——2022年1月5日在市第十届人民代表大会第一次会议上\n\n各位代表：\n\n{BODY}\n"
    )
    assert head.title == "2022年某某市人民政府工作报告"
    assert "repeat of the title: 政府工作报告" in _notices(head)
    assert head.meta.date == "2022年1月5日" and head.meta.occasion == "在市第十届人民代表大会第一次会议上"


@pytest.mark.parametrize(
    ("top", "second", "field"),
    [
        ("关于作风建设的几点思考", "在全市作风建设大会上的讲话", "occasion"),
        ("Address to the Nation on the Economy", "Remarks as Prepared for Delivery", "subtitle"),
    ],
)
def test_a_full_title_above_another_title_like_line_keeps_it_as_its_subtitle(top: str, second: str, field: str) -> None:
    head = _header(f"{top}\n{second}\n（2024年3月1日）\n同志们：\n{BODY}\n")
    assert head.title == top and getattr(head.meta, field) == second
    assert head.meta.date == "2024年3月1日" and "page heading" not in _notices(head)


def test_front_matter_title_wins_and_a_different_visible_title_becomes_the_subtitle() -> None:
    md = "---\ntitle: A Talk\n---\n# Something Else Entirely\n\nMay 1, 2024\n\nThank you all for coming.\n"
    head = _header(md, "t.md")
    assert head.title == "A Talk" and head.meta.subtitle == "Something Else Entirely"
    assert head.meta.date == "May 1, 2024"


def test_a_title_like_line_that_no_byline_follows_is_the_body_not_a_page_heading() -> None:
    head = _header("Quarterly Review\nIntroduction\nRevenue grew by 8 percent this quarter. Costs stayed flat.\n")
    assert head.title == "Quarterly Review"
    assert head.blocks[0].text == "Introduction"


@pytest.mark.parametrize("label", ["【党史学习教育学习材料】", "党建工作学习材料", "〖理论学习〗"])
def test_a_column_label_is_dropped_with_a_notice(label: str) -> None:
    head = _header(f"{label}\n在全市工作会议上的讲话\n同志们：\n{BODY}\n")
    assert head.title == "在全市工作会议上的讲话"
    assert f"column label: {label}" in _notices(head)


def test_a_label_in_front_of_the_title_and_a_site_name_after_it_are_dropped() -> None:
    head = _header(f"【学习材料】在全市工作会议上的讲话 - 某某党建网\n同志们：\n{BODY}\n")
    assert head.title == "在全市工作会议上的讲话"
    assert "column label from the title: 【学习材料】" in _notices(head)
    assert "site name from the title" in _notices(head)


@pytest.mark.parametrize(
    ("byline", "field", "value"),
    [
        ("——在全市安全生产工作会议上", "occasion", "在全市安全生产工作会议上"),
        ("——关于作风建设的几点思考", "subtitle", "关于作风建设的几点思考"),
        ("（2010年2月22日）", "date", "2010年2月22日"),
        ("2020.07.13", "date", "2020.07.13"),
        ("（二〇二四年二月十八日）", "date", "二〇二四年二月十八日"),
        ("（２０２４年２月１８日）", "date", "２０２４年２月１８日"),
        ("市委书记　张三", "speaker", "市委书记 张三"),
        ("讲话人：王五", "speaker", "王五"),
    ],
)
def test_byline_lines_go_to_meta_and_are_not_spoken(byline: str, field: str, value: str) -> None:
    head = _header(f"在全市工作会议上的讲话\n{byline}\n同志们：\n{BODY}\n")
    assert head.title == "在全市工作会议上的讲话"
    assert getattr(head.meta, field) == value
    assert [b.text for b in head.blocks] == [BODY]


def test_a_role_line_and_a_name_line_make_one_speaker() -> None:
    head = _header(f"政府工作报告\n\n国务院总理\n李克强\n\n各位代表：\n\n{BODY}\n")
    assert head.meta.speaker == "国务院总理 李克强"


@pytest.mark.parametrize(
    ("header", "date", "speaker"),
    [
        ("Inaugural Address\nMarch 4, 1933\nBy Franklin D. Roosevelt", "March 4, 1933", "Franklin D. Roosevelt"),
        ("President: Woodrow Wilson", None, "Woodrow Wilson"),
        ("Remarks on the Economy\n4 March 1933", "4 March 1933", None),
    ],
)
def test_english_bylines(header: str, date: str | None, speaker: str | None) -> None:
    head = _header(f"{header}\nMy fellow Americans:\nThis is a day of national consecration. We face it together.\n")
    assert head.meta.date == date and head.meta.speaker == speaker
    assert head.salutation == "My fellow Americans:"
    assert head.blocks[0].text.startswith("This is a day")


@pytest.mark.parametrize(
    "lead",
    [
        "编者按：近日，市委书记在全市组织工作会议上发表重要讲话，现予刊发。",
        "【编者按】本文是作者在全市大会上的讲话，有删节。",
        "这是市长在全市经济工作会议上的讲话，现摘录如下：",
    ],
)
def test_an_editors_lead_in_is_kept_in_meta_and_never_spoken(lead: str) -> None:
    head = _header(f"在全市工作会议上的讲话\n{lead}\n同志们：\n{BODY}\n")
    assert head.meta.note == lead
    assert "editor's note" in _notices(head)
    assert [b.text for b in head.blocks] == [BODY]


def test_everything_before_the_salutation_in_one_header() -> None:
    text = (
        "党建学习专题\n\n【党史学习教育学习材料】\n\n在全市组织工作会议上的讲话\n\n——在全市组织工作会议上\n\n"
        "市委书记　张三\n\n（2024年2月18日）\n\n编者按：这是张三同志的讲话，现摘录如下。\n\n同志们：\n\n" + BODY + "\n"
    )
    head = _header(text)
    assert head.title == "在全市组织工作会议上的讲话" and head.salutation == "同志们："
    assert dict(head.meta) == {
        "speaker": "市委书记 张三",
        "date": "2024年2月18日",
        "occasion": "在全市组织工作会议上",
        "note": "编者按：这是张三同志的讲话，现摘录如下。",
    }
    assert [b.text for b in head.blocks] == [BODY]


@pytest.mark.parametrize(
    ("line", "salutation", "rest"),
    [
        (f"同志们：{BODY}", "同志们：", BODY),
        (f"各位代表！{BODY}", "各位代表！", BODY),
        (
            "Ladies and gentlemen, thank you for coming tonight.",
            "Ladies and gentlemen,",
            "thank you for coming tonight.",
        ),
        ("My fellow Americans, this is our moment.", "My fellow Americans,", "this is our moment."),
    ],
)
def test_a_salutation_sharing_a_line_with_the_greeting_is_split_off(line: str, salutation: str, rest: str) -> None:
    head = _header(f"标题\n{line}\n第二段。\n")
    assert head.salutation == salutation
    assert head.blocks[0].text == rest


@pytest.mark.parametrize(
    "salutation",
    [
        "各位代表！",
        "尊敬的各位领导、各位来宾，女士们、先生们：",
        "加州大學的各位領袖與改變推動者，各位當地時間好。",
        "Gentlemen of the Congress:",
        "President Hoover, Mr. Chief Justice, my friends:",
        "Mr. President, members of the faculty, distinguished guests, my old colleague, Senator Smith, who has "
        "earned his degree through many years of night school, ladies and gentlemen:",
    ],
)
def test_a_salutation_line_is_kept_whole(salutation: str) -> None:
    head = _header(f"{salutation}\n{BODY}\n")
    assert head.salutation == salutation
    assert [b.text for b in head.blocks] == [BODY]


def test_a_greeting_line_after_the_salutation_is_spoken_as_the_speech_begins() -> None:
    head = _header(f"在全市工作会议上的讲话\n尊敬的各位领导、同志们：\n大家好！\n{BODY}\n")
    assert head.salutation == "尊敬的各位领导、同志们："
    assert [b.text for b in head.blocks] == ["大家好！", BODY]


def test_a_paragraph_that_only_ends_with_a_colon_is_not_a_salutation() -> None:
    head = _header("Title\nLet me tell you about three things we learned this year:\nFirst, we learned a lot.\n")
    assert head.salutation is None


def test_a_date_and_a_speaker_in_front_of_the_title_go_to_meta() -> None:
    md = "# 2025-11-06 Communal AI for a Plural Future\n\n### Ann Lee:\n\n> (Opening)\n\nGood local time, everyone.\n"
    head = _header(md, "talk.md")
    assert head.title == "Communal AI for a Plural Future"
    assert head.meta.date == "2025-11-06" and head.meta.speaker == "Ann Lee"
    assert head.meta.heading == "2025-11-06 Communal AI for a Plural Future"
    assert head.blocks[0].text == "Ann Lee:"  # the speaker label stays for the structure parser


def test_a_speaker_named_in_front_of_the_title_goes_to_meta() -> None:
    head = _header(f"张三：在全市经济工作会议上的讲话\n同志们：\n{BODY}\n")
    assert head.title == "在全市经济工作会议上的讲话" and head.meta.speaker == "张三"


def test_a_description_line_and_an_editors_note_under_a_markdown_title() -> None:
    md = (
        "# 我們全民，才是超級智慧\n\n於某某大學 2026 的主題演講，以及與主持人的爐邊對談。\n\n"
        "> （本文是演講的公開重建稿。講者已核可發表。）\n\n謝謝大家。今天我想談超級智慧。\n"
    )
    head = _header(md, "talk.md")
    assert head.title == "我們全民，才是超級智慧"
    assert head.meta.subtitle == "於某某大學 2026 的主題演講，以及與主持人的爐邊對談。"
    assert head.meta.note == "（本文是演講的公開重建稿。講者已核可發表。）"
    assert head.blocks[0].text == "謝謝大家。今天我想談超級智慧。"


def test_page_notices_before_a_transcript_are_dropped() -> None:
    md = (
        "# 某協會演講\n\n🌐此為逐字稿共筆頁面，如有任何欲調整自己發言之文字，敬請直接點選於此頁面編修。\n\n"
        "🌐本逐字稿最後將以拋棄著作權（CC0）授權條款公開。\n\n（以下開始記錄）\n\n謝謝大家，今天很高興來到這裡。\n"
    )
    head = _header(md, "t.md")
    assert head.title == "某協會演講"
    assert [b.text for b in head.blocks] == ["謝謝大家，今天很高興來到這裡。"]
    assert _notices(head).count("page notice") == 3


def test_front_matter_gives_title_and_meta_and_a_dated_file_style_title_is_cleaned() -> None:
    md = (
        "---\ntitle: 一九二七年_读书杂谈\nauthor: 鲁迅\n---\n\n"
        "——七月十六日在广州知用中学讲\n\n因为先生们希望我来演讲一回。\n"
    )
    head = _header(md, "t.md")
    assert head.title == "读书杂谈"
    assert head.meta.speaker == "鲁迅" and head.meta.occasion == "七月十六日在广州知用中学讲"
    assert head.meta.date == "一九二七年"


@pytest.mark.parametrize(
    ("title", "shown", "doctype"),
    [
        ("组织部长春节收心会暨组织工作务虚会讲话稿", "组织部长春节收心会暨组织工作务虚会", "讲话稿"),
        ("在全市安全生产工作会议上的讲话稿", "在全市安全生产工作会议上的讲话", "稿"),
        ("在全市安全生产工作会议上的讲话", "在全市安全生产工作会议上的讲话", None),
        ("在开学典礼上的发言稿（3篇）", "在开学典礼上的发言", "稿（3篇）"),
        ("Remarks at the Summit (Transcript)", "Remarks at the Summit", "(Transcript)"),
    ],
)
def test_the_title_slide_leaves_off_a_document_type_suffix(title: str, shown: str, doctype: str | None) -> None:
    _, speech, _ = load("-", io.BytesIO(f"{title}\n同志们：\n{BODY}\n".encode()))
    assert speech.title == title and speech.meta.doctype == doctype and speech.shown_title == shown
    deck, _ = plan_deck(speech, load_theme("default"))
    assert deck.slides[0].block("title.title").paragraphs[0][0] == shown  # type: ignore[union-attr]


def test_the_title_slide_shows_the_byline_from_the_text() -> None:
    text = f"在全市工作会议上的讲话\n——2024年2月18日在全市组织工作会议上\n市委书记 张三\n同志们：\n{BODY}\n"
    _, speech, _ = load("-", io.BytesIO(text.encode()))
    deck, _ = plan_deck(speech, load_theme("default"))
    subtitle = deck.slides[0].block("title.subtitle")
    assert subtitle is not None
    assert [p[0] for p in subtitle.paragraphs] == ["2024年2月18日在全市组织工作会议上", "市委书记 张三"]


def test_meta_is_a_typed_mapping_and_a_plain_dict_still_builds_a_speech() -> None:
    speech = Speech("T", "zh", None, (), {"date": "2024年2月18日", "speaker": "张三", "unknown": "x"})  # type: ignore[arg-type]
    assert isinstance(speech.meta, Meta) and speech.meta == {"date": "2024年2月18日", "speaker": "张三"}
    assert speech.meta.merged({"speaker": "李四"}).speaker == "李四"


def _outline(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "deliver", "outline", *args, "--json"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_outline_json_has_a_meta_object_and_title_overrides(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(f"学习专题\n在全市工作会议上的讲话\n（2024年2月18日）\n同志们：\n{BODY}\n", encoding="utf-8")
    data = _outline(str(path))
    assert data["title"] == "在全市工作会议上的讲话"
    assert data["meta"] == {
        "speaker": None, "date": "2024年2月18日", "occasion": None, "subtitle": None,
        "note": None, "doctype": None, "heading": None,
    }  # fmt: skip
    assert _outline(str(path), "--title", "年度工作部署")["title"] == "年度工作部署"


def test_title_overrides_the_package_name_and_notices_reach_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(
        "【学习材料】\n\n# 在全市工作会议上的讲话\n\n<iframe src='https://v.example/embed/1'></iframe>\n\n"
        f"同志们：\n\n{BODY}\n\n责任编辑：王五\n\n版权所有 © 2024 某某网\n",
        encoding="utf-8",
    )
    result = build(path, BuildOptions(out_dir=tmp_path / "out", audio=False, zip=False, title="全市工作会议讲话"))
    assert result.folder.name == "全市工作会议讲话"
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    messages = [n["message"] for n in manifest["notices"]]
    assert any("column label" in m for m in messages)
    assert any("https://v.example/embed/1" in m for m in messages)
    assert any("版权所有" in m for m in messages)
    outline = json.loads((result.folder / "outline.json").read_text(encoding="utf-8"))
    assert "iframe" not in json.dumps(outline, ensure_ascii=False) and "责任编辑" not in json.dumps(outline)


def test_a_title_that_ends_in_a_role_and_a_meeting_is_not_a_byline() -> None:
    head = _header(f"全市组织部长会议\n同志们：\n{BODY}\n")
    assert head.title == "全市组织部长会议" and head.meta.speaker is None


def test_a_first_sentence_that_repeats_the_title_is_speech() -> None:
    head = _header(f"读书与生活\n今天我要讲的是读书与生活。\n{BODY}\n")
    assert head.title == "读书与生活"
    assert [b.text for b in head.blocks] == ["今天我要讲的是读书与生活。", BODY]


def test_a_speech_without_a_title_under_a_slug_name_is_titled_by_its_own_words_with_a_warning(tmp_path: Path) -> None:
    text = (
        "My fellow citizens:\n\nWe meet today to open the new bridge, and I thank the builders for their work.\n\n" * 2
    )
    head = _header(text, name="us_address-bridge--opening.txt")
    assert head.title == "We meet today to open the new bridge"
    warning = next(n for n in head.notices if "no title found" in n.message)
    assert warning.level == "warning" and "--title" in warning.message and "a line of the speech" in warning.message
    path = tmp_path / "remarks-at-the_bridge.txt"
    path.write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "deliver", "outline", str(path)], capture_output=True, text=True)
    assert "warning: no title found in the text: using a line of the speech" in out.stderr + out.stdout
    assert _outline(str(path), "--title", "Bridge Remarks")["title"] == "Bridge Remarks"
