"""Input that is hostile or empty in disguise: nothing speakable, oversized or closed standard input,
decompression bombs and hidden text in .docx, hostile template decks. Each is one `error:` line with
exit 2 (or, for what can be read, a package that says everything the document says)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


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
