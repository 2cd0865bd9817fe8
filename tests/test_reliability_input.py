"""Input that is hostile or empty in disguise: nothing speakable, oversized or closed standard input,
decompression bombs and hidden text in .docx, hostile template decks. Each is one `error:` line with
exit 2 (or, for what can be read, a package that says everything the document says)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # whole builds of hostile inputs


def deliver(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "deliver", *args], input=stdin, capture_output=True,
                          timeout=timeout)  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess[bytes], code: int, *fragments: str) -> str:
    err = result.stderr.decode("utf-8")
    assert result.returncode == code, (result.returncode, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "unexpected" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    return err


# ---------------------------------------------------------------- 8. nothing speakable


NOTHING = {
    "punctuation": "。。。！！！\n，，，\n",
    "emoji": "🎉🎉🎉\n🚀👍\n",
    "bullets": "- \n- \n* \n",
    "numbering": "1.\n2.\n3.\n",
    "chinese-numbering": "一、\n二、\n（一）\n①\n",
    "markdown-rules": "---\n***\n___\n",
}


@pytest.mark.parametrize("text", list(NOTHING.values()), ids=list(NOTHING))
def test_a_speech_with_nothing_to_speak_is_refused(tmp_path: Path, text: str) -> None:
    """README: "A section is never shipped silent"."""
    speech = tmp_path / "speech.md"
    speech.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = deliver("build", str(speech), "-o", str(out), "--engine", "espeak", "-q", "--cache-dir",
                     str(tmp_path / "cache"))  # fmt: skip
    one_error_line(result, 2, "no text to speak")
    assert not out.exists() or not any(out.iterdir())


def test_numbered_points_with_words_are_still_a_speech(tmp_path: Path) -> None:
    speech = tmp_path / "speech.txt"
    speech.write_text("一、\n第一，要学习。\n", encoding="utf-8")
    assert deliver("outline", str(speech)).returncode == 0


# ---------------------------------------------------------------- 10. standard input


def test_standard_input_over_50_mb_is_refused_not_cut(tmp_path: Path) -> None:
    line = "同志们，我们要认真学习，深刻领会会议精神。\n".encode()
    data = b"\xe5\xb9\xb4\xe7\xbb\x88\xe8\xae\xb2\xe8\xaf\x9d\n" + line * (50 * 2**20 // len(line) + 10)
    result = deliver("outline", "-", "--json", stdin=data)
    one_error_line(result, 2, "larger than 50 MB")


def test_closed_standard_input_is_one_line(tmp_path: Path) -> None:
    code = "import sys; sys.stdin.close(); sys.argv = ['deliver', 'outline', '-']; from deliver.cli import main; main()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    one_error_line(result, 2, "standard input")


# ---------------------------------------------------------------- 6. decompression bombs


def _docx_with(tmp_path: Path, body_xml: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """A real .docx (python-docx) whose body gets `body_xml` appended, plus `extra` members."""
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("同志们：今天开会。")
    if body_xml:
        from docx.oxml import parse_xml

        for element in parse_xml(f"<root {_NS}>{body_xml}</root>"):
            document.element.body.insert(len(document.element.body) - 1, element)
    path = tmp_path / "speech.docx"
    document.save(str(path))
    if extra:
        with zipfile.ZipFile(path, "a") as archive:
            for name, data in extra.items():
                archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
       'xmlns:v="urn:schemas-microsoft-com:vml" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')  # fmt: skip


def _claim(path: Path, member: str, size: int) -> None:
    """Make the central directory say `member` inflates to `size` bytes (what a bomb's header says)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02" + b"\0" * 0, 0)
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len].decode() == member:
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _rewrite(path: Path, member: str, change: Callable[[str], str]) -> None:
    """Rewrite one XML member of the zip at `path` (the others copied as they are)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[member] = change(parts[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_docx_whose_text_inflates_past_the_limit_is_refused_quickly(tmp_path: Path) -> None:
    """The 655 KB .docx of real paragraphs that kept `outline` busy for 10 minutes: its XML is huge."""
    import time

    paragraph = "<w:p><w:r><w:t>我们要认真学习，深刻领会会议精神，狠抓落实，确保各项任务完成。</w:t></w:r></w:p>"
    path = _docx_with(tmp_path)
    _rewrite(path, "word/document.xml", lambda xml: xml.replace("<w:sectPr", paragraph * 300_000 + "<w:sectPr", 1))
    assert path.stat().st_size < 2_000_000
    started = time.monotonic()
    result = deliver("outline", str(path))
    one_error_line(result, 2, "speech.docx", "inflates")
    assert time.monotonic() - started < 20


def test_a_docx_member_declaring_gigabytes_is_refused_before_inflating(tmp_path: Path) -> None:
    path = _docx_with(tmp_path, extra={"word/media/image1.png": b"\0" * 100_000})
    _claim(path, "word/media/image1.png", 4_000_000_000)
    one_error_line(deliver("outline", str(path)), 2, "speech.docx", "inflates")


def test_a_docx_with_a_doctype_is_refused(tmp_path: Path) -> None:
    path = _docx_with(tmp_path)
    bomb = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    _rewrite(path, "word/document.xml", lambda xml: xml.replace("?>", "?>" + bomb, 1))
    one_error_line(deliver("outline", str(path)), 2, "speech.docx")


# ---------------------------------------------------------------- 7. every word of a .docx


HIDDEN = (
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格第一格。</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>表格第二格。</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>内容控件里的话。</w:t></w:r></w:p>'
    "</w:sdtContent></w:sdt>"
    '<w:p><w:r><w:t>修订</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>插入的话</w:t></w:r></w:ins>'
    '<w:del w:id="2" w:author="a"><w:r><w:delText>删掉的话</w:delText></w:r></w:del><w:r><w:t>。</w:t></w:r></w:p>'
    '<w:p><w:hyperlink r:id="rIdX"><w:r><w:t>链接里的话。</w:t></w:r></w:hyperlink></w:p>'
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE \\@ "yyyy" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>域结果的话。</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    '<w:p><w:fldSimple w:instr="PAGE"><w:r><w:t>简单域的话。</w:t></w:r></w:fldSimple></w:p>'
    '<w:p><w:r><w:t>文本框前。</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
    "<w:txbxContent><w:p><w:r><w:t>文本框里的话。</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框里的话。</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>单击此处输入文字。</w:t></w:r></w:p>"
    "</w:sdtContent></w:sdt>"
)


def test_every_word_a_reader_sees_in_a_docx_is_read_in_order(tmp_path: Path) -> None:
    import json

    path = _docx_with(tmp_path, HIDDEN)
    result = deliver("outline", str(path), "--json")
    assert result.returncode == 0, result.stderr.decode()
    outline = json.loads(result.stdout)
    said = "".join(p["text"] for s in outline["sections"] for p in s["points"]).replace("\n", "")
    expected = ["表格第一格", "表格第二格", "内容控件里的话", "修订插入的话。", "链接里的话", "域结果的话",
                "简单域的话",
                "文本框里的话", "文本框前"]  # fmt: skip
    positions = [said.find(text) for text in expected]
    assert -1 not in positions, (said, expected)
    assert positions == sorted(positions), said
    assert said.count("文本框里的话") == 1, said  # the legacy copy of the text box is not said twice
    for absent in ("删掉的话", "DATE", "yyyy", "单击此处输入文字"):
        assert absent not in said, said


def test_a_table_only_docx_is_a_speech(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "年终讲话"
    table.cell(1, 0).text = "同志们，我们要认真学习，深刻领会会议精神。"
    path = tmp_path / "table.docx"
    document.save(str(path))
    result = deliver("build", str(path), "-o", str(tmp_path / "out"), "--no-audio", "-q")
    assert result.returncode == 0, result.stderr.decode()


def test_comments_and_footnotes_left_unread_are_named_in_a_notice(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("同志们，我们要认真学习，深刻领会会议精神。")
    document.add_comment(paragraph.runs, text="这句要改", author="审稿人")
    path = tmp_path / "commented.docx"
    document.save(str(path))
    result = deliver("outline", str(path))
    assert result.returncode == 0, result.stderr.decode()
    assert "not read" in result.stderr.decode() and "comments" in result.stderr.decode()


# ---------------------------------------------------------------- 11. hostile templates


TEMPLATE_SPEECH = "年终讲话\n同志们：\n第一，要认真学习，深刻领会会议精神。\n第二，要狠抓落实，确保各项任务完成。\n"


def _template(tmp_path: Path, edits: dict[str, Callable[[str], str]] | None = None) -> Path:
    """python-pptx's default deck saved as a template, with members rewritten by `edits`."""
    from pptx import Presentation

    path = tmp_path / "org.pptx"
    Presentation().save(str(path))
    for member, change in (edits or {}).items():
        _rewrite(path, member, change)
    return path


def _build_with(tmp_path: Path, template: Path) -> subprocess.CompletedProcess[bytes]:
    speech = tmp_path / "speech.txt"
    speech.write_text(TEMPLATE_SPEECH, encoding="utf-8")
    return deliver("build", str(speech), "-o", str(tmp_path / "out"), "--no-audio", "--theme", str(template))


MASTER = "ppt/slideMasters/slideMaster1.xml"
HOSTILE_TEMPLATES: dict[str, dict[str, Callable[[str], str]]] = {
    "malformed-part": {MASTER: lambda x: x[: len(x) // 2]},
    "undefined-entity": {MASTER: lambda x: x.replace("</p:sldMaster>", "&nothere;</p:sldMaster>")},
    "missing-theme-relationship": {
        "ppt/slideMasters/_rels/slideMaster1.xml.rels": lambda x: re.sub(r"<Relationship [^>]*/theme\"[^>]*/>", "", x)
    },
    "doctype-master": {MASTER: lambda x: x.replace("?>", '?><!DOCTYPE p:sldMaster [<!ENTITY e "x">]>', 1)},
}


@pytest.mark.parametrize("edits", list(HOSTILE_TEMPLATES.values()), ids=list(HOSTILE_TEMPLATES))
def test_a_hostile_template_is_one_line_and_ships_no_deck(
    tmp_path: Path, edits: dict[str, Callable[[str], str]]
) -> None:
    result = _build_with(tmp_path, _template(tmp_path, edits))
    one_error_line(result, 2, "org.pptx")
    out = tmp_path / "out"
    assert not out.exists() or not list(out.rglob("deck.pptx"))


def test_a_template_claiming_gigabytes_is_refused_before_inflating(tmp_path: Path) -> None:
    import zipfile

    path = _template(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("ppt/media/image9.png", b"\0" * 100_000, compress_type=zipfile.ZIP_DEFLATED)
    _claim(path, "ppt/media/image9.png", 4_000_000_000)
    one_error_line(_build_with(tmp_path, path), 2, "org.pptx", "inflates")


def test_a_macro_template_makes_a_deck_without_macros_and_says_so(tmp_path: Path) -> None:
    import zipfile

    from pptx import Presentation

    vba = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    path = _template(tmp_path, {
        "ppt/_rels/presentation.xml.rels": lambda x: x.replace(
            "</Relationships>", f'<Relationship Id="rIdVba" Type="{vba}" Target="vbaProject.bin"/></Relationships>'),
        "[Content_Types].xml": lambda x: x.replace(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml").replace(
            "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'),
    })  # fmt: skip
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("ppt/vbaProject.bin", b'Attribute VB_Name = "Evil"' * 10)
    result = _build_with(tmp_path, path)
    assert result.returncode == 0, result.stderr.decode()
    assert "macros" in result.stderr.decode()
    for deck in (tmp_path / "out").rglob("deck*.pptx"):
        with zipfile.ZipFile(deck) as archive:
            assert not [n for n in archive.namelist() if "vba" in n.lower()], deck
            assert b"macroEnabled" not in archive.read("[Content_Types].xml")
        assert len(Presentation(str(deck)).slides) >= 2


@pytest.mark.parametrize("damage", ["a-bad-byte", "cut-mid-character"])
def test_damaged_utf8_is_reported_where_utf8_failed(tmp_path: Path, damage: str) -> None:
    data = ("同志们：\n第一，要认真学习，深刻领会会议精神。\n" * 20).encode()
    data, at = (data[:300] + b"\xff" + data[300:], 300) if damage == "a-bad-byte" else (data[:-2], len(data) - 4)
    path = tmp_path / "speech.txt"
    path.write_bytes(data)
    one_error_line(deliver("outline", str(path)), 2, f"invalid UTF-8 at byte offset {at}")
    one_error_line(deliver("outline", "-", stdin=data), 2, f"invalid UTF-8 at byte offset {at}")
