"""A speech with no title: a file name that reads as a title is kept, a slug never is; otherwise the title
is a whole line of the speech's own words that carries what it repeats most, and the user is told."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deliver.speech.header import Header, split_header
from deliver.speech.lines import flaw
from deliver.speech.reading import read_source
from deliver.speech.salient import TITLE_MAX, salient_title
from deliver.speech.titlename import name_as_title

EN = (
    "Friends and neighbours:\n\n"
    "Thank you all for coming out on a cold morning. I see many faces I know.\n\n"
    "Ten years ago this valley had no path along the water. The river trail began as a line on a map, "
    "and the river trail grew because volunteers cleared it one weekend at a time.\n\n"
    "The river trail connects the school, the market and the clinic. Children now walk to school beside the water.\n\n"
    "We will keep the river trail open in every season, and we will light it in winter.\n\n"
    "Thank you.\n"
)
ZH = (
    "同志们：\n"
    "今天召开这次会议，主要是总结去年的工作，部署今年的任务。\n"
    "一年来，全市安全生产形势总体平稳，但是安全生产的基础仍然薄弱，一些企业的主体责任落实不到位。\n"
    "我们要压紧压实安全生产责任，层层传导压力，把安全生产的要求落实到每一个岗位。\n"
    "各级各部门要加强隐患排查，对重大隐患挂牌督办，坚决遏制重特大事故发生。\n"
    "最后，希望大家以更加扎实的作风，推动全市安全生产形势持续稳定向好。\n"
)


def _header(text: str, name: str, tmp_path: Path) -> Header:
    if name == "-":
        return split_header(read_source("-", io.BytesIO(text.encode())))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return split_header(read_source(path))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _warning(head: Header) -> str:
    found = [n for n in head.notices if "no title found" in n.message]
    assert len(found) == 1 and found[0].level == "warning" and "--title" in found[0].message
    return found[0].message


@pytest.mark.parametrize("name", ["en-plain-river-trail.txt", "trail_remarks_final_v3.txt", "remarks.txt", "-"])
def test_an_english_speech_under_a_slug_name_is_titled_by_a_whole_line_of_its_own_words(
    name: str, tmp_path: Path
) -> None:
    head = _header(EN, name, tmp_path)
    assert "river trail" in head.title.casefold()  # what the speech repeats most
    assert head.title in EN  # a contiguous span of the speaker's words, nothing added
    assert len(head.title.split()) <= TITLE_MAX["en"] and flaw(head.title, "en") is None
    assert "…" not in head.title and (name == "-" or _letters(Path(name).stem) not in _letters(head.title))
    assert f"a line of the speech ({head.title})" in _warning(head)


@pytest.mark.parametrize("name", ["jianghua_final_v3.txt", "讲话稿(1).txt", "发言稿2.txt", "-"])
def test_a_chinese_speech_under_a_slug_name_is_titled_by_a_whole_line_of_its_own_words(
    name: str, tmp_path: Path
) -> None:
    head = _header(ZH, name, tmp_path)
    assert "安全生产" in head.title
    assert head.title in ZH and len(head.title) <= TITLE_MAX["zh"] and flaw(head.title, "zh") is None
    assert "讲话稿" not in head.title and "final" not in head.title
    assert "a line of the speech" in _warning(head)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("在全市安全生产工作会议上的讲话.txt", "在全市安全生产工作会议上的讲话"),
        ("在全市安全生产工作会议上的讲话(1).txt", "在全市安全生产工作会议上的讲话"),
        ("Remarks at the River Trail.txt", "Remarks at the River Trail"),
        ("Copy of Town Hall Remarks.txt", "Town Hall Remarks"),
    ],
)
def test_a_file_name_that_reads_as_a_title_is_kept_without_its_version_mark(
    name: str, title: str, tmp_path: Path
) -> None:
    head = _header(ZH if "\u4e00" <= name[0] <= "\u9fff" else EN, name, tmp_path)
    assert head.title == title
    assert f"using the file name ({title})" in _warning(head)


@pytest.mark.parametrize(
    "stem",
    [
        "en-plain-fdr-inaugural",
        "us_address-bridge--opening",
        "q3_review_final_v3",
        "remarks at the river trail",  # all lower-case: typed as a slug
        "My Speech",  # only a document type
        "讲话稿(1)",
        "发言稿2",
        "领导讲话稿",
        "新建文档",
        "IMG_2024",
    ],
)
def test_a_slug_or_a_bare_document_type_is_never_a_title(stem: str) -> None:
    assert name_as_title(stem) is None


def test_a_text_that_repeats_nothing_falls_back_to_the_file_name_as_words(tmp_path: Path) -> None:
    head = _header("Good evening.\n\nWelcome, all.\n", "short-note.txt", tmp_path)
    assert head.title == "short note" and "using the file name" in _warning(head)


def test_the_title_is_the_same_every_time(tmp_path: Path) -> None:
    texts = [EN * 40]
    first = salient_title(texts, "en")
    assert first == salient_title(texts, "en") == salient_title(list(texts), "en")


def test_outline_json_shows_the_chosen_title_and_the_warning_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "2024-zh-safety_v2.txt"
    path.write_text(ZH, encoding="gb18030")
    command = [sys.executable, "-m", "deliver", "outline", str(path)]
    out = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    title = json.loads(out.stdout)["title"]
    assert "安全生产" in title and title in ZH
    plain = subprocess.run(command, capture_output=True, text=True)
    assert f"warning: no title found in the text: using a line of the speech ({title})" in plain.stderr + plain.stdout
