"""`deliver said`: the spoken form before any synthesis, with every spot to confirm and its lexicon fix."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

from deliver.pipeline import BuildOptions, build, load
from deliver.voices.lexicon import EMPTY, load_lexicon
from deliver.voices.said import what_is_said

pytestmark = pytest.mark.slow  # the CLI in its own processes

RISKY = (
    "同志们：\n一、抓落实\n根据〔2024〕3号文件，2026年全市GDP增长5.2%，××同志要在2026-03-12前到重庆调研。"
    "AI和NATO都要讲清楚。银行的行长要带头。\n二、抓作风\n要把作风建设摆在突出位置，确保取得实效。\n"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deliver", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)  # fmt: skip


def test_said_on_the_sample_lists_every_number_and_placeholder_with_its_spoken_form() -> None:
    _, speech, _ = load(SAMPLE)
    written = [m.group() for p in speech.points for m in re.finditer(r"\d+(?:\.\d+)?|[XxＸｘ×]{2,3}", p.text)]
    assert written, "the sample has numbers and placeholders"
    result = _run("said", str(SAMPLE), "--only-risky")
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if re.search(r"number|placeholder|date", line)]
    assert [re.search(r": (\S+) → ", line).group(1) for line in listed] == written  # type: ignore[union-attr]
    for line in listed:
        said = re.search(r" → (\S+)", line).group(1)  # type: ignore[union-attr]
        assert re.fullmatch(r"[\u4e00-\u9fff]+", said) and "lexicon: [zh]" in line


def test_each_kind_of_risky_spot_is_found_with_its_reading(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(RISKY, "utf-8")
    _, speech, _ = load(path)
    risks = {r.written: r for line in what_is_said(speech, EMPTY) for r in line.risks}
    assert risks["〔2024〕3号"].kind == "docno" and risks["〔2024〕3号"].said == "二零二四年三号"
    assert risks["2026"].kind == "date" and risks["2026"].said == "二零二六"
    assert risks["2026-03-12"].kind == "date" and risks["2026-03-12"].said == "二零二六年三月十二日"
    assert risks["5.2%"].said == "百分之五点二" and risks["5.2%"].reading == "bai3 fen1 zhi1 wu3 dian3 er4"
    assert risks["××"].kind == "placeholder" and risks["××"].said == "某某"
    assert risks["GDP"].kind == "acronym" and risks["GDP"].reading == "letters"
    assert risks["NATO"].reading == "letters or word"
    assert risks["银行"].kind == "polyphone" and risks["银行"].reading == "yin2 hang2"
    assert risks["行长"].reading == "hang2 zhang3" and risks["行长"].fix == '[zh] "行长" = "hang2 zhang3"'
    assert "作风" not in risks and "突出" not in risks  # no 多音字 in common use: nothing to check


def test_a_lexicon_name_is_shown_with_the_line_that_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(RISKY, "utf-8")
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[zh]\n"重庆" = "chong2 qing4"\n', "utf-8")
    _, speech, _ = load(path)
    risks = {
        r.written: r for line in what_is_said(speech, load_lexicon(lexicon, use_default=False)) for r in line.risks
    }
    assert risks["重庆"].kind == "lexicon" and risks["重庆"].fix == '[zh] "重庆" = "chong2 qing4"'
    result = _run("said", str(path), "--json", "--lexicon", str(lexicon))
    data = json.loads(result.stdout)
    assert {"section", "point", "text", "said", "risks"} <= set(data[1])
    assert data[0]["point"] is None and data[0]["said"] == "同志们："
    assert any(r["kind"] == "lexicon" and r["written"] == "重庆" for line in data for r in line["risks"])


def test_the_full_listing_shows_the_spoken_text_and_only_risky_only_the_spots(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(RISKY, "utf-8")
    full, risky = _run("said", str(path)).stdout, _run("said", str(path), "--only-risky").stdout
    assert "== 1 抓落实 ==" in full and "百分之五点二" in full and "[slide 1]" in full
    assert risky and all(line.startswith("  ! ") for line in risky.splitlines())


def test_timing_md_lists_the_spots_to_confirm(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text(RISKY, "utf-8")
    result = build(path, BuildOptions(out_dir=tmp_path / "out", audio=False, zip=False))
    timing = (result.folder / "timing.md").read_text("utf-8")
    assert "## 读音待确认" in timing and "〔2024〕3号" in timing and '`[zh] "行长" = "hang2 zhang3"`' in timing


def test_the_timing_report_of_unchanged_words_is_kept_and_a_changed_word_is_not(tmp_path: Path) -> None:
    from dataclasses import replace

    from deliver.voices.said import risky_markdown, risky_report

    path = tmp_path / "讲话.txt"
    path.write_text(RISKY, "utf-8")
    _, speech, _ = load(path)
    first = risky_report(speech, EMPTY, tmp_path / "said")
    assert first == risky_markdown(what_is_said(speech, EMPTY), "zh") and len(list((tmp_path / "said").iterdir())) == 1
    point = replace(speech.sections[0].points[0], headline="别的标题")
    retitled = replace(speech, sections=(replace(speech.sections[0], points=(point,)), *speech.sections[1:]))
    assert risky_report(retitled, EMPTY, tmp_path / "said") == first and len(list((tmp_path / "said").iterdir())) == 1
    reworded = replace(point, text=point.text.replace("2026年", "2027年"))
    changed = replace(speech, sections=(replace(speech.sections[0], points=(reworded,)), *speech.sections[1:]))
    assert "2027" in risky_report(changed, EMPTY, tmp_path / "said")
