"""The soundtrack is written while the narration goes on: each section is encoded as soon as it is voiced,
the result is the same bytes as encoding after the narration, and a broken encoder stops the build early."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deliver.audio import Pauses, SoundtrackWriter, write_soundtrack
from deliver.audio import mp3 as mp3_module
from deliver.errors import MissingTool
from deliver.pipeline import BuildOptions, build, load, narration_options, section_voice, section_voices
from deliver.voices.narrate import narrate

pytestmark = pytest.mark.slow  # narrated with the real eSpeak NG and encoded with the real ffmpeg

NUMBERS = "一二三四五六七八九十"
SENTENCES = "要认真学习，深刻领会会议精神。要狠抓落实，确保各项任务完成。要改进作风，密切联系群众。"


def _speech(folder: Path, sections: int = 6) -> Path:
    body = "".join(f"第{NUMBERS[n]}，关于第{n + 1}项工作。{SENTENCES * 2}\n" for n in range(sections))
    path = folder / "讲话.txt"
    path.write_text(f"年终讲话\n同志们：\n{body}", encoding="utf-8")
    return path


def _options(tmp_path: Path, **kw: object) -> BuildOptions:
    return BuildOptions(out_dir=tmp_path / "out", engine="espeak", cache_dir=tmp_path / "cache", embed=False, **kw)  # type: ignore[arg-type]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/*.*")) if p.is_file()}


def test_the_overlapped_build_writes_the_bytes_of_encoding_after_the_narration_in_any_order(tmp_path: Path) -> None:
    speech_file = _speech(tmp_path)
    result = build(speech_file, _options(tmp_path))
    built = _files(result.folder)
    assert len([name for name in built if name.startswith("audio/")]) == len(result.speech.sections) + 1
    # The same chunks again (all from the synthesis cache), encoded only once the narration is over,
    # the sections handed over last first and the encoded-section cache left out: the same files.
    _, speech, _ = load(speech_file, None, None)
    voicing = narration_options(_options(tmp_path))
    voiced, _ = narrate(speech, voicing)
    stage = tmp_path / "after"
    stage.mkdir()
    takes = tuple(reversed(section_voices(voiced)))
    write_soundtrack(stage, speech, takes, Pauses(voicing.sentence_pause, voicing.point_pause))
    after = _files(stage)
    assert after.keys() == {n for n in built if n.startswith(("audio/", "subtitles/"))}
    assert all(after[name] == built[name] for name in after), [n for n in after if after[n] != built[n]]


def test_each_section_is_encoded_while_the_later_ones_are_still_being_voiced(tmp_path: Path) -> None:
    _, speech, _ = load(_speech(tmp_path), None, None)
    voicing = narration_options(_options(tmp_path, concurrency=1))
    stage = tmp_path / "stage"
    stage.mkdir()
    seen: list[bool] = []

    def tick(done: int, total: int) -> None:
        if done == total:  # the last chunk: the narration is not over, the first section is encoded by now
            deadline = time.monotonic() + 30
            while not any((stage / "audio").glob("01-*.mp3")) and time.monotonic() < deadline:
                time.sleep(0.05)
            seen.append(any((stage / "audio").glob("01-*.mp3")))

    with SoundtrackWriter(stage, speech, Pauses(voicing.sentence_pause, voicing.point_pause)) as writer:
        narrate(speech, voicing, tick, lambda section: writer.add(section_voice(section)))
        soundtrack = writer.finish()
    assert seen == [True]
    assert len(soundtrack.sections) == len(speech.sections) > 3
    assert [s.index for s in soundtrack.sections] == list(range(len(speech.sections)))


@pytest.fixture
def broken_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\necho 'no encoder here' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(script))
    mp3_module.ffmpeg.cache_clear()
    yield
    mp3_module.ffmpeg.cache_clear()


@pytest.mark.usefixtures("broken_ffmpeg")
def test_a_failing_encoder_stops_the_build_while_it_is_still_narrating(tmp_path: Path) -> None:
    ticks: list[tuple[int, int]] = []

    def progress(message: str, done: int, total: int) -> None:
        if total:
            ticks.append((done, total))

    with pytest.raises(MissingTool, match=r"ffmpeg could not encode .*no encoder here"):
        build(_speech(tmp_path, sections=10), _options(tmp_path, concurrency=1), progress)
    done, total = max(ticks)
    assert done < total, "the narration went on to the end after the encoder had failed"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir()), "debris left behind"
