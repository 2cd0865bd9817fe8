"""The small ones from issue 19's Low list: each a one-line error (or a success) where there was an
"unexpected" exit 1. Every run is the real command in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the CLI in its own processes

SPEECH = "年终讲话\n同志们：\n第一，要认真学习，深刻领会会议精神。\n"


def deliver(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deliver", *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, cwd=cwd)  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def speech(tmp_path: Path) -> Path:
    path = tmp_path / "speech.txt"
    path.write_text(SPEECH, encoding="utf-8")
    return path


def test_a_title_with_rich_markup_is_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    # (a bracketed label at the very start of a title line is a column label the header zone drops)
    path.write_text("年终讲话 [/draft] 总结 [bold]\n同志们：\n第一，要认真学习。\n", encoding="utf-8")
    result = deliver("timing", str(path))
    assert result.returncode == 0, result.stderr
    assert "年终讲话 [/draft] 总结 [bold]" in result.stdout


@pytest.mark.parametrize("speed", ["nan", "inf", "0", "-1"])
def test_a_speed_that_is_not_a_factor_is_one_line(tmp_path: Path, speech: Path, speed: str) -> None:
    one_error_line(deliver("build", str(speech), "-o", str(tmp_path / "out"), "--no-audio", f"--speed={speed}"), 2,
                   "--speed")  # fmt: skip


def test_a_theme_saved_by_notepad_with_a_bom_is_read(tmp_path: Path, speech: Path) -> None:
    theme = tmp_path / "mine.toml"
    theme.write_bytes('\ufeffdescription = "记事本存的主题"\n'.encode())
    result = deliver("build", str(speech), "-o", str(tmp_path / "out"), "--no-audio", "-q", "--theme", str(theme))
    assert result.returncode == 0, result.stderr


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--theme", f'description = "x"\nx = {DEEP}\n'),
        ("--theme", 'description = "a\x07b"\n'),
        ("--lexicon", f"[zh]\nx = {DEEP}\n"),
        ("--lexicon", '[zh]\n"组织" = "zu3 zhi\x01"\n'),
    ],
    ids=["theme-deep-array", "theme-control-character", "lexicon-deep-array", "lexicon-control-character"],
)
def test_a_hostile_toml_is_one_line(tmp_path: Path, speech: Path, option: str, text: str) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    audio = ("--no-audio",) if option == "--theme" else ("--engine", "espeak", "--cache-dir", str(tmp_path / "c"))
    result = deliver("build", str(speech), "-o", str(tmp_path / "out"), "-q", *audio, option, str(path))
    one_error_line(result, 2, "hostile.toml")


def test_a_long_title_of_rare_characters_makes_a_folder_name_that_fits(tmp_path: Path) -> None:
    title = "".join(chr(0x20000 + i) for i in range(80))  # CJK Extension B: 4 bytes each in UTF-8
    path = tmp_path / "speech.txt"
    path.write_text(f"{title}\n同志们：\n第一，要认真学习。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = deliver("build", str(path), "-o", str(out), "--no-audio", "-q")
    assert result.returncode == 0, result.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert folder.name and len(folder.name.encode()) <= 150 and title.startswith(folder.name)


def test_timing_md_carries_titles_as_text_not_html_nor_table_syntax(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    path = tmp_path / "speech.md"
    text = "# 年终<script>alert(1)</script>讲话\n\n## 成绩 | 问题\n\n今年的工作很好。\n\n## 明年\n\n要继续努力。\n"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = deliver("build", str(path), "-o", str(out), "--no-audio", "-q", "--no-zip")
    assert result.returncode == 0, result.stderr
    (timing,) = out.rglob("timing.md")
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(timing.read_text(encoding="utf-8"))
    assert "<script>" not in page
    rows = [line for line in timing.read_text(encoding="utf-8").splitlines() if line.startswith("| 1 |")]
    assert rows and "成绩 \\| 问题" in rows[0]
    assert "<td>成绩 | 问题</td>" in page


def test_a_potx_template_is_a_template_and_makes_a_plain_pptx(tmp_path: Path, speech: Path) -> None:
    import zipfile

    from pptx import Presentation

    template = tmp_path / "org.potx"
    Presentation().save(str(template))
    with zipfile.ZipFile(template) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"presentationml.presentation.main+xml", b"presentationml.template.main+xml"
    )
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out = tmp_path / "out"
    result = deliver("build", str(speech), "-o", str(out), "--no-audio", "-q", "--theme", str(template))
    assert result.returncode == 0, result.stderr
    (deck,) = out.rglob("deck.pptx")
    with zipfile.ZipFile(deck) as z:
        assert b"template.main+xml" not in z.read("[Content_Types].xml")
    assert len(Presentation(str(deck)).slides) >= 2


def test_subtitles_carry_angle_brackets_as_text_not_markup(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    # Whole tags (<b>…</b>) are markup that reading drops; these angle brackets are the speaker's text.
    path.write_text("年终讲话\n同志们：\n第一，要让 x < y，且 y > z，再落实 --> 见效。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = deliver("build", str(path), "-o", str(out), "--engine", "espeak", "-q", "--no-zip", "--no-embed",
                     "--cache-dir", str(tmp_path / "cache"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    (srt,) = out.rglob("speech.srt")
    text = srt.read_text(encoding="utf-8")
    assert "<" not in text and "x ＜ y" in text and "y ＞ z" in text
    assert text.count(" --> ") == text.count("\n\n") + 1  # one timing arrow per cue, none from the text


def test_a_password_protected_docx_is_named_as_such(tmp_path: Path) -> None:
    # An encrypted .docx is an OLE container holding an "EncryptedPackage" stream, like an old .doc outside.
    path = tmp_path / "加密.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"))
    one_error_line(deliver("outline", str(path)), 2, "password-protected")


def test_a_truncated_docx_is_called_damaged_not_a_zip_archive(tmp_path: Path) -> None:
    path = tmp_path / "speech.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 20)
    one_error_line(deliver("outline", str(path)), 2, "is damaged")


def test_a_lexicon_reading_without_tones_is_reported_as_written(tmp_path: Path, speech: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[zh]\n"组织" = "zu zhi"\n', encoding="utf-8")
    result = deliver("build", str(speech), "-o", str(tmp_path / "out"), "--no-audio", "--lexicon", str(lexicon))
    one_error_line(result, 2, "'zu' needs a tone number")
