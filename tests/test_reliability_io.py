"""A full disk, read-only media, a folder where a file goes, a damaged cache: at every stage a build
writes, each such failure is one `error:` line with exit 3 (the cache: a warning, and the build goes on),
and the previous package and its zip stay byte-identical. The real `cli.main` runs in this process so
the failures can be injected where the writes happen."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deliver import cli
from deliver.package import folder

pytestmark = pytest.mark.slow  # whole builds with injected OS errors

SPEECH = "年终讲话\n同志们：\n第一，要认真学习，深刻领会会议精神。\n第二，要狠抓落实，确保各项任务完成。\n"
SLUG = "年终讲话"
ERRNOS = {"ENOSPC": errno.ENOSPC, "EROFS": errno.EROFS, "EACCES": errno.EACCES, "EISDIR": errno.EISDIR}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`deliver ARGS` through the real entry point; returns (exit code, stderr)."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    argv = sys.argv
    sys.argv = ["deliver", *args]
    capsys.readouterr()
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return code, capsys.readouterr().err


def listing(root: Path) -> dict[str, str]:
    """Every entry under `root` (hidden ones too): files by sha256, folders and links by kind."""

    def what(p: Path) -> str:
        if p.is_symlink():
            return "link"
        return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"

    return {p.relative_to(root).as_posix(): what(p) for p in sorted(root.rglob("*"))}


@pytest.fixture
def previous(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """(speech, out): a finished package and its zip, and the speech edited since (so a build rebuilds)."""
    speech, out = tmp_path / "讲话.txt", tmp_path / "out"
    speech.write_text(SPEECH, encoding="utf-8")
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q")
    assert code == 0, err
    speech.write_text(SPEECH + "第三，要总结经验。\n", encoding="utf-8")
    return speech, out


def failing(code: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        where = next((str(a) for a in args if isinstance(a, (str, Path))), "somewhere")
        raise OSError(code, os.strerror(code), where)

    return fail


class _OsOnce:
    """`os` for folder.py with its `n`th call of `name` failing (the other calls pass through)."""

    def __init__(self, name: str, n: int, code: int) -> None:
        self._name, self._n, self._code, self._calls = name, n, code, 0

    def __getattr__(self, attr: str) -> Any:
        real = getattr(os, attr)
        if attr != self._name:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls += 1
            if self._calls == self._n:
                failing(self._code)(*args)
            return real(*args, **kwargs)

        return call


def inject(stage: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the write at `stage` fail with `code`."""
    import pptx.presentation

    if stage == "lock":
        monkeypatch.setattr(folder, "os", _OsOnce("open", 1, code))
    elif stage == "staging":
        monkeypatch.setattr(folder.tempfile, "mkdtemp", failing(code))
    elif stage == "deck":
        monkeypatch.setattr(pptx.presentation.Presentation, "save", failing(code))
    elif stage == "files":
        monkeypatch.setattr("deliver.files.write_bytes", failing(code))
    elif stage == "zip":
        monkeypatch.setattr(zipfile.ZipFile, "write", failing(code))
    elif stage.startswith("swap-"):  # the renames: old package aside, old zip aside, new package in, new zip in
        monkeypatch.setattr(folder, "os", _OsOnce("replace", int(stage[-1]), code))
    else:
        raise AssertionError(stage)


STAGES = ("lock", "staging", "deck", "files", "zip", "swap-1", "swap-2", "swap-3", "swap-4")


@pytest.mark.parametrize("name", list(ERRNOS))
@pytest.mark.parametrize("stage", STAGES)
def test_an_os_error_at_any_stage_is_one_line_exit_3_and_the_previous_package_stays(
    previous: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    stage: str, name: str,
) -> None:  # fmt: skip
    speech, out = previous
    before = listing(out)
    inject(stage, ERRNOS[name], monkeypatch)
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q")
    assert code == 3, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    assert listing(out) == before, "the previous package, its zip or the folder around them changed"
    monkeypatch.undo()
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q")
    assert code == 0, err  # and the next build, with the disk back, works


def test_the_message_says_what_is_wrong(previous: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    speech, out = previous
    for name, words in (("ENOSPC", "the disk is full"), ("EROFS", "read-only"), ("EACCES", "permission denied")):
        with monkeypatch.context() as patch:
            inject("files", ERRNOS[name], patch)
            code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q")
        assert code == 3 and words in err and str(out) in err, err


# ---------------------------------------------------------------- odd things in the output folder


def test_a_folder_where_the_zip_goes_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    speech, out = tmp_path / "讲话.txt", tmp_path / "out"
    speech.write_text(SPEECH, encoding="utf-8")
    (out / f"{SLUG}.zip").mkdir(parents=True)
    (out / f"{SLUG}.zip" / "mine.txt").write_text("mine", encoding="utf-8")
    for extra in ((), ("--force",)):
        code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q", *extra)
        assert code == 3 and err.startswith("error: ") and err.count("\n") == 1, err
        assert (out / f"{SLUG}.zip" / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_no_zip_leaves_a_folder_named_like_the_zip_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    speech, out = tmp_path / "讲话.txt", tmp_path / "out"
    speech.write_text(SPEECH, encoding="utf-8")
    (out / f"{SLUG}.zip").mkdir(parents=True)
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q", "--no-zip")
    assert code == 0, err
    assert (out / f"{SLUG}.zip").is_dir()


def test_a_save_as_copy_of_the_speech_replaces_its_package_without_force(
    previous: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """ "讲话稿v2.txt" is the same speech, edited: the folder of its title is its own to replace."""
    speech, out = previous
    copy = speech.with_name("讲话v2.txt")
    copy.write_text(SPEECH.replace("认真学习", "刻苦学习") + "第三，要总结经验。\n", encoding="utf-8")
    code, err = run(capsys, "build", str(copy), "-o", str(out), "--no-audio", "-q")
    assert code == 0, err
    assert json.loads((out / SLUG / "manifest.json").read_text(encoding="utf-8"))["source"]["name"] == "讲话v2.txt"


def test_a_swap_killed_between_its_renames_is_put_back_by_the_next_build(
    previous: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """What a kill between "old package aside" and "new one in" leaves: the next build restores it first."""
    speech, out = previous
    before = listing(out)
    os.replace(out / SLUG, out / f".{SLUG}.old-999")
    os.replace(out / f"{SLUG}.zip", out / f".{SLUG}.old-999.zip")
    speech.write_text(SPEECH, encoding="utf-8")  # the same speech as the package: up to date once restored
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio")
    assert code == 0, err
    assert "put back the previous package" in err and "put back the previous zip" in err
    assert listing(out) == before


# ---------------------------------------------------------------- the cache is an optimisation


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    speech = tmp_path / "tiny.txt"
    speech.write_text("短讲话\n同志们：\n第一，要学习。\n", encoding="utf-8")
    return speech


@pytest.mark.parametrize("name", list(ERRNOS))
def test_a_cache_that_cannot_be_written_is_skipped_with_a_warning(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr("deliver.voices.cache.write_bytes", failing(ERRNOS[name]))
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(tiny), "-o", str(out), "--engine", "espeak", "--cache-dir",
                    str(tmp_path / "cache"), "-q")  # fmt: skip
    assert code == 0, err
    assert err.startswith("warning: synthesis cache skipped") and err.count("\n") == 1, err
    manifest = json.loads((out / "短讲话" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["narration"]["duration"] > 0.5


def test_a_cache_dir_that_is_a_file_is_skipped_with_a_warning(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    cache.write_text("not a folder", encoding="utf-8")
    code, err = run(capsys, "build", str(tiny), "-o", str(tmp_path / "out"), "--engine", "espeak", "--cache-dir",
                    str(cache), "-q")  # fmt: skip
    assert code == 0, err
    assert "synthesis cache skipped" in err
    assert cache.read_text(encoding="utf-8") == "not a folder"


def _entries(cache: Path) -> Iterator[Path]:
    return (p for p in cache.rglob("*.json"))


def test_damaged_cache_entries_are_healed_by_synthesizing_again(
    tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    args = ("build", str(tiny), "-o", str(out), "--engine", "espeak", "--cache-dir", str(cache), "-q", "--no-zip")
    assert run(capsys, *args)[0] == 0
    entries = sorted(_entries(cache))
    assert entries
    for i, meta in enumerate(entries):  # consistent but garbage: NaN, negative, a folder in the way
        if i % 3 == 0:
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["duration"] = float("nan")
            meta.write_text(json.dumps(data), encoding="utf-8")
        elif i % 3 == 1:
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["boundaries"] = [[5.0, 1.0, 0, 1]]
            meta.write_text(json.dumps(data), encoding="utf-8")
        else:
            meta.unlink()
            meta.mkdir()
    tiny.write_text(tiny.read_text(encoding="utf-8") + "第二，要落实。\n", encoding="utf-8")
    code, err = run(capsys, *args)
    assert code == 0, err
    assert err == "", err  # healed silently: nothing the user must do
    from deliver.voices.cache import Cache

    assert all(Cache(cache).get(p.stem) is not None for p in _entries(cache))


def test_a_cache_entry_names_only_its_own_audio_and_entries_from_before_still_count(tmp_path: Path) -> None:
    from deliver.voices.base import Rendition
    from deliver.voices.cache import Cache

    cache, key = Cache(tmp_path), "ab" * 32
    ref = cache.put(key, Rendition(b"RIFF-one", "wav", 1.0, ()))
    meta_path = tmp_path / key[:2] / f"{key}.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["file"] == ref.file and (tmp_path / key[:2] / ref.file).read_bytes() == b"RIFF-one"
    (tmp_path / "secret.wav").write_bytes(b"RIFF-one")
    for forged in ("../secret.wav", f"{key}.0000000000000000.wav/../../secret.wav", f"{'cd' * 32}.{ref.file[65:]}"):
        meta_path.write_text(json.dumps({**meta, "file": forged}), encoding="utf-8")
        assert cache.get(key) is None, forged
    (tmp_path / key[:2] / f"{key}.wav").write_bytes(b"RIFF-one")  # as written before audio was named for its hash
    meta_path.write_text(json.dumps({k: v for k, v in meta.items() if k != "file"}), encoding="utf-8")
    found = cache.find(key)
    assert found is not None and found.rendition.audio == b"RIFF-one" and cache.read(found.ref) == b"RIFF-one"


def test_a_deck_from_a_template_that_does_not_reopen_is_never_shipped(
    previous: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pptx import Presentation

    import deliver.slides

    speech, out = previous
    template = speech.with_name("org.pptx")
    Presentation().save(str(template))
    real = deliver.slides.render_deck

    def broken(deck: Any, theme: Any, path: Path) -> None:  # what a hostile template can make python-pptx write
        real(deck, theme, path)
        path.write_bytes(path.read_bytes()[:-200])

    monkeypatch.setattr(deliver.slides, "render_deck", broken)
    before = listing(out)
    code, err = run(capsys, "build", str(speech), "-o", str(out), "--no-audio", "-q", "--theme", str(template))
    assert code == 2 and "does not reopen" in err and err.count("\n") == 1, err
    assert listing(out) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 600 KB filesystem (tmpfs), where the machine lets the tests mount one (root on Linux)."""
    import shutil
    import subprocess

    disk = tmp_path / "disk"
    disk.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_really_full_disk_during_narration_is_one_line_exit_3(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ffmpeg writes the mp3s into the staging folder: when the disk fills there, it is the disk, not ffmpeg."""
    from conftest import SAMPLE

    out = small_disk / "out"
    code, err = run(capsys, "build", str(SAMPLE), "-o", str(out), "--engine", "espeak", "-q", "--cache-dir",
                    str(small_disk.parent / "cache"))  # fmt: skip
    assert code == 3, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "disk is full" in err, err
    assert [p.name for p in out.iterdir()] == []
