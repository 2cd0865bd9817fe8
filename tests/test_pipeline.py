"""`build` end to end (deck only until narration lands): files, manifest, safe replacement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE
from pptx import Presentation

from deliver.errors import InputError, OutputError, ThemeError
from deliver.files import slug
from deliver.pipeline import BuildOptions, build


def test_build_writes_the_package_with_a_manifest_of_every_file(tmp_path: Path) -> None:
    result = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False))
    assert result.folder == tmp_path / "组织部长春节收心会暨组织工作务虚会讲话稿"
    names = {p.name for p in result.folder.iterdir()}
    assert names == {
        "deck.pptx",
        "outline.json",
        "timing.json",
        "timing.md",
        "timing.svg",
        "rehearsal.html",
        "script.html",
        "manifest.json",
    }
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"]["name"] == "deliver"
    assert manifest["source"]["name"] == SAMPLE.name and len(manifest["source"]["sha256"]) == 64
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    assert any("web noise" in n["message"] for n in manifest["notices"])
    assert len(Presentation(str(result.folder / "deck.pptx")).slides) >= len(result.speech.points) + 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_a_rebuild_replaces_the_package_whole(tmp_path: Path) -> None:
    first = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False)).folder
    (first / "stale.txt").write_text("from an older build")
    with pytest.raises(OutputError, match=r"stale\.txt"):  # not ours: never deleted without --force (issue 19)
        build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, pace=150))
    second = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, pace=150, force=True)).folder
    assert second == first and not (second / "stale.txt").exists()


def test_a_folder_deliver_did_not_make_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "组织部长春节收心会暨组织工作务虚会讲话稿"
    target.mkdir()
    (target / "mine.docx").write_text("the user's own file")
    with pytest.raises(OutputError, match="--force"):
        build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False))
    assert (target / "mine.docx").read_text() == "the user's own file"
    build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, force=True))
    assert (target / "deck.pptx").exists()


def test_a_failed_build_leaves_the_previous_package_and_no_debris(tmp_path: Path) -> None:
    folder = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False)).folder
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(ThemeError):
        build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, theme="no-such-theme"))
    assert sorted(p.name for p in folder.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name, folder.name + ".zip"]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError):
        build(empty, BuildOptions(out_dir=tmp_path / "out", audio=False))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c:d*e?f", "a-b-c-d-e-f"),
        ("组织工作 2025：务虚会", "组织工作-2025-务虚会"),
        ("..", "speech"),
        ("", "speech"),
        ("x" * 200, "x" * 60),
    ],
)
def test_slugs_are_safe_folder_names_and_keep_chinese(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_a_hostile_title_never_escapes_the_output_folder(tmp_path: Path) -> None:
    speech = tmp_path / "in.txt"
    speech.write_text(
        "../../evil/title\n同志们：\n一、第一件事\n要抓好落实。\n二、第二件事\n要抓好创新。\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = build(speech, BuildOptions(out_dir=out, audio=False))
    assert result.folder.parent == out and result.folder.name == "evil-title"
    assert sorted(p.name for p in out.iterdir()) == ["evil-title", "evil-title.zip"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out"]


def test_the_zip_holds_the_package_folder(tmp_path: Path) -> None:
    import zipfile

    result = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False))
    with zipfile.ZipFile(result.folder.with_name(result.folder.name + ".zip")) as archive:
        names = set(archive.namelist())
    assert names == {f"{result.folder.name}/{name}" for name in result.files}


def test_no_zip_skips_it(tmp_path: Path) -> None:
    result = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, zip=False))
    assert [p.name for p in tmp_path.iterdir()] == [result.folder.name]


def test_an_unchanged_build_is_kept_and_any_change_rebuilds_it(tmp_path: Path) -> None:
    first = build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False))
    assert not first.reused
    assert build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False)).reused
    assert not build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, theme="official")).reused  # an option
    (first.folder / "timing.md").unlink()
    assert not build(SAMPLE, BuildOptions(out_dir=tmp_path, audio=False, theme="official")).reused  # a missing file
    edited = tmp_path / "edited.txt"
    edited.write_text(SAMPLE.read_text(encoding="utf-8").replace("同志们", "各位同志们", 1), encoding="utf-8")
    assert not build(edited, BuildOptions(out_dir=tmp_path, audio=False, theme="official")).reused  # the text
