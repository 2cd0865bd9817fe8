from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from deliver.errors import InputError
from deliver.speech.reading import decode, read_source

SPEECH = "各位领导、同志们：\n今天我们召开全市工作会议。一是抓落实，二是抓创新。\n"


def _mostly_gb18030() -> bytes:
    good = ("同志们：今天我们召开全市组织工作会议，主要任务是总结工作、部署任务。" * 8).encode("gb18030")
    return good[:100] + b"\xff\xff" + good[100:]


def _write(tmp_path: Path, data: bytes, name: str = "speech.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SPEECH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SPEECH.encode("utf-8"), "utf-8-sig"),
        (SPEECH.encode("utf-16"), "utf-16"),
        (b"\xfe\xff" + SPEECH.encode("utf-16-be"), "utf-16"),
        (SPEECH.encode("gb18030"), "gb18030"),
        (SPEECH.encode("gbk"), "gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "gb18030", "gbk"],
)
def test_it_decodes_the_encodings_chinese_offices_use(data: bytes, encoding: str) -> None:
    found, text = decode(data)
    assert found == encoding
    assert text.lstrip("\ufeff") == SPEECH


def test_gbk_text_is_never_mislabelled_as_big5() -> None:
    text = "同志们：这次会议很重要，大家要认真学习领会。" * 3
    assert decode(text.encode("gbk"))[1] == text


def test_it_removes_web_noise_and_the_repeated_title(sample_path: Path) -> None:
    source = read_source(sample_path)
    text = source.text
    assert "bookmark" not in text and "来源：" not in text and "更新时间" not in text
    assert text.count("组织部长春节收心会暨组织工作务虚会讲话稿") == 1
    assert any("来源" in line for line in source.removed)


@pytest.mark.parametrize(
    "noise",
    [
        "来源：人民网  作者：张三  更新时间：2024-01-01",
        "分享到：",
        "返回顶部",
        "- 3 -",
        "第 2 页 共 5 页",
        "Posted by: admin",
    ],
)
def test_page_furniture_lines_are_dropped(tmp_path: Path, noise: str) -> None:
    source = read_source(_write(tmp_path, f"标题\n{noise}\n正文第一段内容很长。\n".encode()))
    assert noise.split("：")[0] not in source.text or noise == "标题"


def test_control_characters_and_stray_spaces_are_cleaned(tmp_path: Path) -> None:
    raw = "标题\r\n\u3000\u3000同志们：\x00\x07\r今天 开会\u200b，研究\x1b工作。\r\n"
    source = read_source(_write(tmp_path, raw.encode("utf-8")))
    assert source.text == "标题\n同志们：\n今天开会，研究工作。"


def test_markdown_front_matter_headings_and_bullets_become_hints(tmp_path: Path) -> None:
    md = "---\ntitle: Talk\ndate: 2025-05-01\nspeaker: Ann Lee\n---\n# Talk\n\n## Part one\n\n"
    md += "- **first** item\n- second item\n"
    source = read_source(_write(tmp_path, md.encode(), "talk.md"))
    assert source.meta == {"title": "Talk", "date": "2025-05-01", "speaker": "Ann Lee"}
    assert [(b.text, b.heading, b.list_item) for b in source.blocks] == [
        ("Talk", 1, False),
        ("Part one", 2, False),
        ("first item", None, True),
        ("second item", None, True),
    ]


def test_docx_headings_and_numbering_become_hints(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("年度工作报告", level=0)
    document.add_heading("一、主要成绩", level=1)
    document.add_paragraph("全年完成各项任务。")
    document.add_paragraph("抓好项目建设", style="List Number")
    path = tmp_path / "报告.docx"
    document.save(str(path))
    source = read_source(path)
    assert source.encoding == "docx"
    assert [(b.text, b.heading, b.list_item) for b in source.blocks] == [
        ("年度工作报告", 0, False),
        ("一、主要成绩", 1, False),
        ("全年完成各项任务。", None, False),
        ("抓好项目建设", None, True),
    ]


def test_stdin_is_read_with_a_dash() -> None:
    source = read_source("-", io.BytesIO(SPEECH.encode("gb18030")))
    assert source.name == "-" and "全市工作会议" in source.text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d, b""), "is empty"),
        (lambda d: _write(d, b" \n\t\r\n\xe3\x80\x80\n".replace(b"\xe3\x80\x80", b"  ")), "is empty"),
        (lambda d: _write(d, "\u3000\u3000\n\n".encode()), "no text"),
        (lambda d: _write(d, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "x.png"), "PNG image"),
        (lambda d: _write(d, bytes(range(256)) * 64, "random.bin"), "binary data"),
        (lambda d: _write(d, b"PK\x03\x04broken-docx-bytes", "x.docx"), "is damaged"),
        (lambda d: _write(d, _mostly_gb18030()), "offset"),
    ],
    ids=[
        "missing",
        "directory",
        "empty",
        "whitespace",
        "fullwidth-space-only",
        "png",
        "random",
        "broken-zip",
        "undecodable",
    ],
)
def test_bad_input_raises_a_one_line_reason(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        read_source(make(tmp_path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_truncated_docx_is_reported_not_crashed(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("同志们：今天开会。")
    path = tmp_path / "cut.docx"
    document.save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.docx"):
        read_source(path)


# ---- markup: Markdown and HTML through real parsers ---------------------------------------------


def _md(tmp_path: Path, text: str, name: str = "talk.md") -> list[tuple[str, int | None, bool, str | None]]:
    source = read_source(_write(tmp_path, text.encode(), name))
    return [(b.text, b.heading, b.list_item, b.hint) for b in source.blocks]


def test_links_keep_their_text_and_lose_their_targets(tmp_path: Path) -> None:
    md = '按照[市委的部署](https://example.gov.cn/a "市委网站")，参见 <https://example.org/x> 和![示意图](a.png)。\n'
    source = read_source(_write(tmp_path, md.encode(), "t.md"))
    assert source.text == "按照市委的部署，参见和。"
    assert any("an image" in n.message and "示意图" in n.message for n in source.notices)


@pytest.mark.parametrize(
    ("md", "text"),
    [
        ("We have **never** given up.", "We have never given up."),
        ("We _must_ act, and *now*.", "We must act, and now."),
        ("要把 **AI 导向爱**。", "要把 AI 导向爱。"),
        ("我们要，_扎实推进_各项工作。", "我们要，扎实推进各项工作。"),
        ("即是 ** 分叉與合併（fork and merge）**，也是", "即是分叉與合併（fork and merge），也是"),
        ("Keep snake_case_names and 5 * 3 as written.", "Keep snake_case_names and 5 * 3 as written."),
    ],
    ids=["strong", "em", "cjk-strong", "cjk-underscore", "spaced-strong", "not-emphasis"],
)
def test_emphasis_marks_are_removed_and_nothing_else(tmp_path: Path, md: str, text: str) -> None:
    assert [t for t, *_ in _md(tmp_path, md + "\n")] == [text]


def test_an_iframe_embed_and_scripts_never_reach_the_text(tmp_path: Path) -> None:
    md = (
        "# 讲话\n\n"
        '<div class="video-embed">\n'
        '<iframe src="https://player.example.com/embed/9" allowfullscreen></iframe>\n</div>\n\n'
        "<script>track('visit')</script><style>p { color: red }</style>\n\n"
        'Today<script>var x = "hidden";</script> we <b>begin</b> the <iframe src="https://e.example/x"></iframe>work.\n'
    )
    source = read_source(_write(tmp_path, md.encode(), "embed.md"))
    assert source.text == "讲话\nToday we begin the work."
    dropped = [n.message for n in source.notices]
    assert any("https://player.example.com/embed/9" in m for m in dropped)
    assert sum("a script" in m for m in dropped) == 2 and any("style sheet" in m for m in dropped)


def test_html_in_a_txt_file_is_parsed_too(tmp_path: Path) -> None:
    html = "<p>同志们：</p><p>今天我们&nbsp;召开会议。<br>研究部署工作。</p><img src='x.png' alt='会场'>\n"
    source = read_source(_write(tmp_path, html.encode(), "page.txt"))
    assert source.text == "同志们：\n今天我们召开会议。\n研究部署工作。"


def test_br_ends_a_line_and_the_tags_are_gone(tmp_path: Path) -> None:
    md = "When we see **things**, let's see **beings**.<br>\nWhen we see data,<br>\nlet us see people.\n"
    assert [t for t, *_ in _md(tmp_path, md)] == [
        "When we see things, let's see beings.",
        "When we see data,",
        "let us see people.",
    ]


def test_whole_line_bold_and_one_line_quotes_are_heading_hints(tmp_path: Path) -> None:
    md = (
        "**关于国内建设**\n\n> (The Way Begins At Home)\n\n> 一段很长的引文，\n> 跨了两行。\n\n**注意**这一点很重要。\n"
    )
    assert _md(tmp_path, md) == [
        ("关于国内建设", None, False, "bold"),
        ("(The Way Begins At Home)", None, False, "quote"),
        ("一段很长的引文，跨了两行。", None, False, None),
        ("注意这一点很重要。", None, False, None),
    ]


def test_ordered_items_keep_their_numbers_and_bullets_are_list_items(tmp_path: Path) -> None:
    md = "1. Attentiveness: listen.\n\n<div>\n</div>\n\n3. Competence: check.\n\n- a bullet\n"
    assert _md(tmp_path, md) == [
        ("1. Attentiveness: listen.", None, False, None),
        ("3. Competence: check.", None, False, None),
        ("a bullet", None, True, None),
    ]


def test_markdown_without_blank_lines_keeps_one_paragraph_per_line(tmp_path: Path) -> None:
    md = "# 标题\n同志们：\n今天开会\n研究工作。\n"
    assert [t for t, *_ in _md(tmp_path, md)] == ["标题", "同志们：", "今天开会", "研究工作。"]


def test_plain_text_never_loads_a_markup_parser(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _write(tmp_path, "标题\n同志们：\n今天开会，研究工作。\n".encode(), "plain.txt")
    code = (
        "import sys; from deliver.speech.reading import read_source; read_source(sys.argv[1]);"
        "print(sorted(m for m in ('markdown_it', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_front_matter_with_nested_keys_is_read_and_left_out(tmp_path: Path) -> None:
    md = '---\nlayout: chapter\ntitle: "A Talk"\nalt_lang_url_for_readers: "/x"\n'
    md += 'nav_next:\n    url: "/"\n    text: "Home"\n---\nHello.\n'
    source = read_source(_write(tmp_path, md.encode(), "t.md"))
    assert source.meta["title"] == "A Talk" and source.meta["alt_lang_url_for_readers"] == "/x"
    assert source.text == "Hello."


# ---- lines torn by a page's formatting, and page furniture ------------------------------------


def test_lines_torn_mid_sentence_are_rejoined_when_blank_lines_separate_paragraphs(tmp_path: Path) -> None:
    text = (
        "标题\n\n　　在\n价格改革\n上迈出重要的步子。\n\n　　今年是我国与\n印度\n、缅甸共同倡议的三十周年。\n\n"
        "细颗粒物（PM\n2.5\n）平均浓度下降。\n\n国民经济保持良好发展势头。\n在世界经济减速的情况下，我们实现了较快增长。\n"
    )
    source = read_source(_write(tmp_path, text.encode()))
    assert source.text.split("\n") == [
        "标题",
        "在价格改革上迈出重要的步子。",
        "今年是我国与印度、缅甸共同倡议的三十周年。",
        "细颗粒物（PM 2.5）平均浓度下降。",
        "国民经济保持良好发展势头。",
        "在世界经济减速的情况下，我们实现了较快增长。",
    ]


def test_lines_without_blank_lines_between_are_each_a_paragraph(tmp_path: Path) -> None:
    text = "标题\n同志们：\n今天开会\n研究工作\n"
    assert read_source(_write(tmp_path, text.encode())).text == "标题\n同志们：\n今天开会\n研究工作"


def test_a_line_of_paragraphs_run_together_with_spaces_is_split(tmp_path: Path) -> None:
    text = "标题\n第一段讲完了。    第二段接着讲。\u3000\u3000第三段。\n"
    assert read_source(_write(tmp_path, text.encode())).text == "标题\n第一段讲完了。\n第二段接着讲。\n第三段。"


_WIKISOURCE_FOOTER = (
    "\n\n\n本作品是中华人民共和国的\n法律\n、\n法规\n，国家机关的决议、决定、命令和其他文件，及其官方正式译文。根据《\n"
    "中华人民共和国著作权法\n》第五条第一项，本作品不适用于该法，属于\n公有领域\n。\n\n\n\n"
    "注：中文维基文库社群认为，公务演讲，\n不总是\n具有立法性质。\n\n\n\nPublic domain\nPublic domain\nfalse\nfalse\n"
)


def test_a_wikisource_licence_footer_is_dropped_with_notices(tmp_path: Path) -> None:
    text = "关于今年的工作\n\n各位代表：\n\n　　让我们团结一致，为实现今年的目标而奋斗！" + _WIKISOURCE_FOOTER
    source = read_source(_write(tmp_path, text.encode()))
    assert source.text.endswith("为实现今年的目标而奋斗！")
    footer = [n.message for n in source.notices if "footer" in n.message]
    assert len(footer) == 3 and "本作品是中华人民共和国的法律" in footer[0] and "Public domain" in footer[2]


@pytest.mark.parametrize(
    "tail",
    [
        "责任编辑：王五",
        "（责任编辑：王五　审核：赵六）",
        "扫一扫在手机打开当前页",
        "版权所有 © 2024 某某市人民政府　转载请注明出处",
        'Retrieved from "https://en.wikisource.org/w/index.php?title=Speech"',
        "Share this: https://example.org/speech",
        "Copyright © 2024 Example News. All rights reserved.",
        "本文来源：某某日报\n原标题：在全市大会上的讲话",
        "Retrieved from https://en.wikisource.org/wiki/Speech\nCategories: Speeches\n"
        "This page was last edited on 5 May 2024, at 10:00.",
    ],
)
def test_credit_share_and_copyright_lines_at_the_end_are_dropped(tmp_path: Path, tail: str) -> None:
    text = f"标题\n同志们：\n今天我们召开会议，研究部署今年的工作。\n谢谢大家！\n{tail}\n"
    source = read_source(_write(tmp_path, text.encode()))
    assert source.text.endswith("谢谢大家！")
    assert source.removed or any("footer" in n.message for n in source.notices)


def test_a_last_paragraph_that_mentions_copyright_is_speech(tmp_path: Path) -> None:
    last = "我们要保护版权，尊重知识产权，公有领域的作品也要用好。"
    text = f"标题\n同志们：\n今天我们召开会议。\n{last}\n"
    source = read_source(_write(tmp_path, text.encode()))
    assert source.text.endswith(last) and not source.notices


def test_page_furniture_in_markup_is_dropped_after_parsing(tmp_path: Path) -> None:
    md = "# 讲话\n\n**来源：新华社**\n\n正文第一段，内容很长。\n\n[阅读原文](https://example.org)\n"
    source = read_source(_write(tmp_path, md.encode(), "t.md"))
    assert source.text == "讲话\n正文第一段，内容很长。"


def test_a_saved_web_page_keeps_only_the_article(tmp_path: Path) -> None:
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>讲话_某某市人民政府网</title>\n'
        "<script>var _hmt = [];</script><style>.a{color:red}</style></head>\n<body>\n"
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zw">政务公开</a></div>\n'
        "<h1>在全市工作会议上的讲话</h1>\n"
        '<div class="info">来源：市政府办公室　发布时间：2024-03-01</div>\n'
        "<p>同志们：</p>\n<p>　　今天我们召开全市工作会议，主要任务是部署今年任务。</p>\n"
        "<!-- 正文结束 -->\n<p><img src='qr.png'>扫一扫在手机打开当前页</p>\n"
        '<div class="footer">版权所有：某某市人民政府　　网站标识码：1234567890</div>\n</body></html>\n'
    )
    source = read_source(_write(tmp_path, page.encode(), "page.html"))
    assert [(b.text, b.heading) for b in source.blocks] == [
        ("在全市工作会议上的讲话", 1),
        ("同志们：", None),
        ("今天我们召开全市工作会议，主要任务是部署今年任务。", None),
    ]
    assert not any("meta" in n.message or "title" in n.message for n in source.notices)
