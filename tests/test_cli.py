"""The command as a user runs it: real process, real exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deliver", *args],
        input=stdin.decode("utf-8", "replace") if stdin is not None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
    )


def test_outline_json_has_the_public_shape() -> None:
    result = run("outline", str(SAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"title", "language", "salutation", "sections", "meta"}
    assert set(data["meta"]) == {"speaker", "date", "occasion", "subtitle", "note", "doctype", "heading"}
    assert data["meta"]["doctype"] == "讲话稿"
    section = data["sections"][1]
    assert set(section) == {"title", "kind", "points"}
    assert set(section["points"][0]) == {"headline", "text", "bullets"}
    assert data["title"] == "组织部长春节收心会暨组织工作务虚会讲话稿"


def test_outline_prints_a_readable_tree() -> None:
    result = run("outline", str(SAMPLE))
    assert result.returncode == 0
    assert "如何提高组织工作的政治站位" in result.stdout and "三点要求" in result.stdout
    assert "dropped web noise" in result.stderr


def test_timing_shows_every_section_and_the_cut_for_a_target() -> None:
    result = run("timing", str(SAMPLE), "--target", "8")
    assert result.returncode == 0, result.stderr
    assert "如何抓好组织工作的任务落实" in result.stdout and "over by" in result.stdout
    data = json.loads(run("timing", str(SAMPLE), "--json", "--pace", "180").stdout)
    assert data["rate"] == 180 and len(data["sections"]) == 5


def test_stdin_is_read_from_a_dash() -> None:
    result = run(
        "outline",
        "-",
        "--json",
        stdin="同志们：\n一、抓学习\n认真学习文件精神。\n二、抓落实\n确保任务落地。\n".encode(),
    )
    assert result.returncode == 0, result.stderr
    assert [s["title"] for s in json.loads(result.stdout)["sections"]] == ["抓学习", "抓落实"]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: str(d / "nope.txt"), "no such file"),
        (lambda d: str(d), "is a directory"),
        (lambda d: _file(d, b""), "is empty"),
        (lambda d: _file(d, b"   \n \n"), "is empty"),
        (lambda d: _file(d, b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "PNG image"),
        (lambda d: _file(d, bytes(range(256)) * 8), "binary data"),
        (
            lambda d: _file(
                d,
                ("中文讲话稿内容" * 30).encode("gb18030")[:50]
                + b"\xff\xff"
                + ("中文讲话稿内容" * 30).encode("gb18030"),
            ),
            "offset",
        ),
    ],
    ids=["missing", "directory", "empty", "whitespace", "binary-png", "binary-random", "undecodable"],
)
@pytest.mark.parametrize("command", ["outline", "timing"])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path: Path, make, fragment: str, command: str) -> None:  # type: ignore[no-untyped-def]
    result = run(command, make(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and fragment in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_bad_option_value_is_one_error_line() -> None:
    result = run("timing", str(SAMPLE), "--pace", "fast")
    assert result.returncode == 2 and result.stderr.startswith("error: --pace")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--engine", "bogus"), "--engine 'bogus': unknown engine"),
        (("--concurrency", "0"), "--concurrency 0"),
        (("--speed", "nan"), "--speed nan"),
        (("--speed", "3"), "--speed 3"),
        (("--target", "-1"), "--target -1"),
        (("--pace", "inf"), "--pace inf"),
        (("--voice-rate", "fast"), "--voice-rate 'fast'"),
        (("--voice-rate", "+200%"), "--voice-rate +200%"),
        (("--pitch", "+5%"), "--pitch '+5%'"),
        (("--volume", "+90%"), "--volume +90%"),
        (("--speed", "1.1", "--voice-rate", "+10%"), "--speed and --voice-rate say the same thing"),
    ],
    ids=lambda value: "_".join(value) if isinstance(value, tuple) else None,
)
def test_build_refuses_a_bad_option_before_any_work(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    result = run("build", str(SAMPLE), "--no-audio", "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {fragment}") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(("--target", "nan"), "--target nan"), (("--pace", "0"), "--pace 0"), (("--pace", "fast"), "--pace fast")],
)
def test_timing_refuses_a_bad_option(args: tuple[str, ...], fragment: str) -> None:
    result = run("timing", str(SAMPLE), *args)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {fragment}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_voices_refuses_an_unknown_engine() -> None:
    result = run("voices", "--engine", "bogus")
    assert result.returncode == 2 and result.stderr.startswith("error: --engine 'bogus'"), result.stderr


def test_the_old_timing_rate_still_sets_the_pace_with_a_notice() -> None:
    old = run("timing", str(SAMPLE), "--json", "--rate", "180")
    assert old.returncode == 0, old.stderr
    assert json.loads(old.stdout)["rate"] == 180
    assert old.stderr.count("\n") == 1 and old.stderr.startswith("warning: `deliver timing --rate` is now --pace")
    new = run("timing", str(SAMPLE), "--json", "--pace", "180")
    assert new.stdout == old.stdout and new.stderr == ""


def test_the_old_build_rate_still_sets_the_voice_rate_with_a_notice(tmp_path: Path) -> None:
    common = ("build", str(SAMPLE), "--engine", "espeak", "--no-embed", "--no-zip", "-q", "--force")
    old = run(*common, "-o", str(tmp_path / "old"), "--cache-dir", str(tmp_path / "cache"), "--rate", "+20%")
    assert old.returncode == 0, old.stderr
    assert old.stderr.startswith("warning: `deliver build --rate` is now --voice-rate")
    new = run(*common, "-o", str(tmp_path / "new"), "--cache-dir", str(tmp_path / "cache"), "--voice-rate", "+20%")
    assert new.returncode == 0 and "--rate" not in new.stderr
    manifests = [json.loads(next((tmp_path / d).glob("*/manifest.json")).read_text("utf-8")) for d in ("old", "new")]
    assert (
        manifests[0]["options"]["prosody"]
        == manifests[1]["options"]["prosody"]
        == {"rate": 20, "pitch": 0, "volume": 0}
    )
    assert manifests[0]["inputs"] == manifests[1]["inputs"]  # the same voice, so the same package


def _file(directory: Path, data: bytes) -> str:
    path = directory / "speech.txt"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    "args",
    [("timing", str(SAMPLE), "--bogus"), ("build",), ("timing", str(SAMPLE), "--pace")],
    ids=["unknown-option", "missing-argument", "option-without-value"],
)
def test_usage_mistakes_are_one_error_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "--help" in result.stderr and "Traceback" not in result.stderr


def test_no_command_shows_the_help() -> None:
    result = run()
    assert result.returncode == 0 and "outline" in result.stdout and "build" in result.stdout


def test_the_help_lists_the_commands_in_the_order_a_user_meets_them() -> None:
    result = run("--help")
    commands = re.findall(r"^│ ([a-z]+) ", result.stdout, flags=re.MULTILINE)  # not options, not wrapped lines
    assert commands == ["outline", "said", "timing", "build", "themes", "fonts", "serve", "voices"], result.stdout
