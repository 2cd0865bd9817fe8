"""The soundtrack is written while the narration goes on: each take reaches its section's encoder as soon as
it and those before it are voiced, the result is the same bytes as encoding after the narration, a section
voiced again by another engine drops what it was given, a section that sounds as before is copied from the
store of encoded sections, and a broken encoder stops the build early."""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path

import pytest
from fakes import FakeEngine, swapped

from deliver.audio import Pauses, SoundtrackWriter, write_soundtrack
from deliver.audio import mp3 as mp3_module
from deliver.audio.mp3 import Mp3Stream
from deliver.errors import OutputError
from deliver.pipeline import (
    BuildOptions,
    build,
    handing_to,
    load,
    narration_options,
    section_voice,
    section_voices,
)
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
    settings = {"engine": "espeak", **kw}
    return BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", embed=False, **settings)  # type: ignore[arg-type]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/*.*")) if p.is_file()}


@pytest.mark.parametrize("piece", [300.0, 3.0], ids=["whole sections", "sections in pieces"])
def test_the_overlapped_build_writes_the_bytes_of_encoding_after_the_narration_in_any_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: float
) -> None:
    from deliver.audio import mp3pieces
    from deliver.audio.mp3 import decoded_seconds

    monkeypatch.setattr(mp3pieces, "PIECE_SECONDS", piece)
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
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    for section in manifest["narration"]["sections"]:  # the cues are on the audio as it is heard
        assert decoded_seconds(result.folder / section["file"]) == pytest.approx(section["duration"], abs=0.03)


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
        narrate(speech, voicing, tick, lambda section: writer.end(section_voice(section)), handing_to(writer))
        soundtrack = writer.finish()
    assert seen == [True]
    assert len(soundtrack.sections) == len(speech.sections) > 3
    assert [s.index for s in soundtrack.sections] == list(range(len(speech.sections)))


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """File name → bytes of PCM written to each encoder opened for it, in order (the real encoder runs; a
    piece of a long section counts for its section's file)."""
    seen: dict[str, list[int]] = {}
    real_init, real_write = Mp3Stream.__init__, Mp3Stream.write

    def section(path: Path) -> str:
        return path.name[1:].split(".mp3.")[0] + ".mp3" if path.name.endswith(".piece.mp3") else path.name

    def init(self: Mp3Stream, path: Path, tags: dict[str, str], rate: int = mp3_module.FRAME_RATE) -> None:
        real_init(self, path, tags, rate)
        seen.setdefault(section(path), []).append(0)

    def write(self: Mp3Stream, pcm: bytes) -> None:
        seen[section(self.path)][-1] += len(pcm)
        real_write(self, pcm)

    monkeypatch.setattr(Mp3Stream, "__init__", init)
    monkeypatch.setattr(Mp3Stream, "write", write)
    return seen


def test_a_sections_takes_reach_its_encoder_while_the_section_is_still_being_voiced(
    tmp_path: Path, streamed: dict[str, list[int]]
) -> None:
    _, speech, _ = load(_speech(tmp_path, sections=1), None, None)
    voicing = narration_options(_options(tmp_path, concurrency=1))
    stage = tmp_path / "stage"
    stage.mkdir()
    seen: list[int] = []

    def tick(done: int, total: int) -> None:
        if done == total:  # the last chunk is voiced, not handed over: the section is not whole yet
            deadline = time.monotonic() + 30
            while not any(streamed.get(name, [0])[-1] for name in streamed if name.startswith("01-")):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            seen.append(sum(sum(v) for name, v in streamed.items() if name.startswith("01-")))

    with SoundtrackWriter(stage, speech, Pauses(voicing.sentence_pause, voicing.point_pause)) as writer:
        narrate(speech, voicing, tick, lambda section: writer.end(section_voice(section)), handing_to(writer))
        soundtrack = writer.finish()
    assert len(speech.sections) == 1 and len(seen) == 1 and seen[0] > 0, "no PCM reached the encoder before the end"
    assert [len(v) for name, v in streamed.items() if name.startswith("01-")] == [1]  # one encoder, never restarted
    assert soundtrack.sections[0].duration > 0


def test_a_section_voiced_again_by_another_engine_drops_the_takes_it_was_given(
    tmp_path: Path, streamed: dict[str, list[int]]
) -> None:
    # The online voice fails on each section's fourth chunk, after three were handed to its encoder: the
    # section is voiced again offline, into a new encoder, and the package is what the offline voice says.
    edge = FakeEngine("edge", online=True, fail=lambda text: text.startswith("要改进作风"))
    fakes = {"edge": edge, "kokoro": FakeEngine("kokoro", is_available=False),
             "piper": FakeEngine("piper", languages=frozenset({"en"})), "espeak": FakeEngine("espeak")}  # fmt: skip
    with swapped(**fakes):  # type: ignore[arg-type]
        _, speech, _ = load(_speech(tmp_path, sections=2), None, None)
        voicing = narration_options(_options(tmp_path, engine="auto", concurrency=1))
        pauses = Pauses(voicing.sentence_pause, voicing.point_pause)
        stage = tmp_path / "stage"
        stage.mkdir()
        with SoundtrackWriter(stage, speech, pauses) as writer:
            voiced, _ = narrate(speech, voicing, None, lambda section: writer.end(section_voice(section)),
                                handing_to(writer))  # fmt: skip
            soundtrack = writer.finish()
        after = tmp_path / "after"
        after.mkdir()
        write_soundtrack(after, speech, section_voices(voiced), pauses)
    assert [s.engine for s in soundtrack.sections] == ["espeak", "espeak"]
    assert all("edge failed" in s.fallback_from[0] for s in soundtrack.sections)
    opened = {name: v for name, v in streamed.items() if not name.startswith(".gap")}
    assert all(len(v) >= 2 and v[0] > 0 for name, v in opened.items() if name.startswith(("01-", "02-"))), opened
    assert sorted(p.name for p in (stage / "audio").iterdir()) == sorted(p.name for p in (after / "audio").iterdir())
    assert _files(stage) == _files(after)  # nothing of the online voice's takes is left in the files


def test_a_rebuild_copies_the_mp3_of_each_section_that_sounds_the_same_and_encodes_the_one_that_changed(
    tmp_path: Path, streamed: dict[str, list[int]]
) -> None:
    speech_file = _speech(tmp_path, sections=3)
    first = _audio(build(speech_file, _options(tmp_path)).folder)
    names = sorted(name for name in streamed if not name.startswith(".gap"))
    assert len(names) == 3
    streamed.clear()
    again = build(speech_file, _options(tmp_path, theme="dark"))  # every chunk from the synthesis cache
    assert [name for name in streamed if not name.startswith(".gap")] == []
    assert _audio(again.folder) == first
    text = speech_file.read_text(encoding="utf-8")
    edit = ("关于第2项工作。要认真学习，深刻领会会议精神。", "关于第2项工作。要认真学习，深刻领会这次会议的精神。")
    speech_file.write_text(text.replace(*edit), encoding="utf-8")
    streamed.clear()
    edited = _audio(build(speech_file, _options(tmp_path)).folder)
    assert [name for name in streamed if not name.startswith(".gap")] == [names[1]]
    assert sorted(n for n in edited if edited[n] != first.get(n)) == [f"audio/{names[1]}", "audio/speech.mp3"]


def _audio(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in _files(folder).items() if name.startswith("audio/")}


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up under the first section's mp3 (the encoder writes as it encodes)."""
    real = mp3_module._lame

    class Full:
        def __init__(self) -> None:
            self.lame = real()

        def encode(self, pcm: bytes) -> bytes:
            raise OSError(errno.ENOSPC, "No space left on device", "01-开场.mp3")

        def flush(self) -> bytes:
            return bytes(self.lame.flush())

    monkeypatch.setattr(mp3_module, "_lame", Full)


@pytest.mark.usefixtures("full_disk")
def test_a_failing_encoder_stops_the_build_while_it_is_still_narrating(tmp_path: Path) -> None:
    ticks: list[tuple[int, int]] = []

    def progress(message: str, done: int, total: int) -> None:
        if total:
            ticks.append((done, total))

    with pytest.raises(OutputError, match="the disk is full"):
        build(_speech(tmp_path, sections=10), _options(tmp_path, concurrency=1), progress)
    done, total = max(ticks)
    assert done < total, "the narration went on to the end after the encoder had failed"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir()), "debris left behind"
