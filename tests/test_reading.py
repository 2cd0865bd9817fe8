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
    md = "---\ntitle: Talk\ndate: 2025-05-01\nspeaker: Ann Lee\n---\n# Talk\n\n## Part one\n\n- **first** item\n- second item\n"
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
        (lambda d: _write(d, b"PK\x03\x04broken-docx-bytes", "x.docx"), "zip archive"),
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
    with pytest.raises(InputError, match="cut.docx"):
        read_source(path)
