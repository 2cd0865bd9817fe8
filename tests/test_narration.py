"""Narration's shared layer with scripted engines: chunking, cache, fallback, concurrency, cues."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE
from fakes import FakeEngine

from deliver import voices
from deliver.errors import OptionError, SynthesisError
from deliver.model import Point, Section, Speech
from deliver.speech.reading import read_source
from deliver.speech.structure import parse
from deliver.voices import parse_prosody
from deliver.voices.narrate import NarrationOptions, Utterance, chunks_of, narrate, utterances_of

SPEECH = Speech(
    "测试讲话",
    "zh",
    "同志们：",
    (
        Section("开场", "opening", (Point("今天开会。主要任务是部署工作。", "开会", ()),)),
        Section(
            "抓学习", "body", (Point("第一句话很长很长很长。第二句话也不短。", "学习", ()), Point("第三点。", "三", ()))
        ),
        Section("抓落实", "body", (Point("要抓落实。要见实效。", "落实", ()),)),
    ),
)


@pytest.fixture
def engines() -> Iterator[dict[str, FakeEngine]]:
    """Fakes registered under the real names, so `auto` ordering and fallback are exercised for real."""
    saved = dict(voices._instances)
    fakes = {
        "edge": FakeEngine("edge", online=True),
        "piper": FakeEngine("piper", languages=frozenset({"en"})),
        "espeak": FakeEngine("espeak"),
    }
    for name, engine in fakes.items():
        voices.register(name, engine)
    yield fakes
    voices._instances.clear()
    voices._instances.update(saved)


def _options(tmp_path: Path, **kw: object) -> NarrationOptions:
    return NarrationOptions(cache_dir=tmp_path / "cache", **kw)  # type: ignore[arg-type]


def test_chunks_are_lossless_and_within_the_engines_limit() -> None:
    speech = parse(read_source(SAMPLE))
    for said in utterances_of(speech):
        chunks = chunks_of(said, 100)
        assert all(len(c.text) <= 100 for c in chunks)
        for u, utterance in enumerate(said):
            mine = [c for c in chunks if c.utterance == u]
            assert "".join("".join(c.text for c in mine).split()) == "".join(utterance.text.split())
            assert all(utterance.text[c.offset : c.offset + len(c.text)] == c.text for c in mine)


def test_the_salutation_opens_the_first_section() -> None:
    said = utterances_of(SPEECH)
    assert said[0][0] == Utterance(None, "同志们：")
    assert [u.point for s in said for u in s] == [None, 0, 1, 2, 3]


def test_auto_prefers_the_online_engine_and_voices_every_section(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    sections, notices = narrate(SPEECH, _options(tmp_path))
    assert [s.voice.engine for s in sections] == ["edge"] * 3
    assert not [n for n in notices if n.level == "warning"]
    assert all(len(s.renditions) == len(s.chunks) for s in sections)
    # the audio stays in the cache until it is joined: a long speech is never held in memory whole
    assert all(not r.audio for s in sections for r in s.renditions)
    assert all(s.audio_of(i).audio.startswith(b"RIFF") for s in sections for i in range(len(s.chunks)))


def test_offline_auto_skips_the_unreachable_engine_and_says_so(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    engines["edge"].is_available = False
    sections, notices = narrate(SPEECH, _options(tmp_path))
    assert {s.voice.engine for s in sections} == {"espeak"}
    assert any("offline" in n.message for n in notices)


def test_a_failing_section_falls_back_alone_and_the_notice_says_so(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    engines["edge"].fail = lambda text: "落实" in text
    sections, notices = narrate(SPEECH, _options(tmp_path))
    assert [s.voice.engine for s in sections] == ["edge", "edge", "espeak"]
    assert sections[2].fallback_from and "edge" in sections[2].fallback_from[0]
    warning = [n for n in notices if n.level == "warning"]
    assert len(warning) == 1 and "抓落实" in warning[0].message and "espeak" in warning[0].message


def test_a_named_engine_fails_clearly_instead_of_falling_back(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    engines["edge"].fail = lambda text: True
    with pytest.raises(SynthesisError, match="scripted failure"):
        narrate(SPEECH, _options(tmp_path, engine="edge"))
    assert not engines["espeak"].calls


def test_no_engine_left_is_an_error_never_silence(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    for engine in engines.values():
        engine.fail = lambda text: True
    with pytest.raises(SynthesisError, match="could not be voiced"):
        narrate(SPEECH, _options(tmp_path))


def test_a_second_build_synthesizes_nothing(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    narrate(SPEECH, _options(tmp_path))
    first = len(engines["edge"].calls)
    sections, _ = narrate(SPEECH, _options(tmp_path))
    assert len(engines["edge"].calls) == first > 0
    assert sum(s.synthesized for s in sections) == 0


def test_editing_one_sentence_resynthesizes_only_its_chunk(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    narrate(SPEECH, _options(tmp_path, engine="espeak"))
    engines["espeak"].calls.clear()
    edited = Section("抓落实", "body", (Point("要抓落实。要见大实效。", "落实", ()),))
    narrate(
        Speech(SPEECH.title, "zh", SPEECH.salutation, (*SPEECH.sections[:2], edited)),
        _options(tmp_path, engine="espeak"),
    )
    assert engines["espeak"].calls == ["要见大实效。"]


def test_failed_chunks_never_enter_the_cache(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    engines["espeak"].fail = lambda text: "落实" in text
    with pytest.raises(SynthesisError):
        narrate(SPEECH, _options(tmp_path, engine="espeak"))
    engines["espeak"].fail = lambda text: False
    engines["espeak"].calls.clear()
    narrate(SPEECH, _options(tmp_path, engine="espeak"))
    assert engines["espeak"].calls == ["要抓落实。"]


def test_concurrency_never_exceeds_its_bound(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    engines["espeak"].delay = 0.02
    engines["espeak"].max_chunk = 8
    narrate(SPEECH, _options(tmp_path, engine="espeak", concurrency=2))
    assert engines["espeak"].max_running == 2


def test_progress_counts_every_chunk(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    ticks: list[tuple[int, int]] = []
    narrate(SPEECH, _options(tmp_path, engine="espeak"), lambda done, total: ticks.append((done, total)))
    assert ticks[-1][0] == ticks[-1][1] == len(ticks)


@pytest.mark.parametrize(
    ("args", "message"),
    [(("fast", None, None), "--rate"), ((None, "+5%", None), "--pitch"), (("+200%", None, None), "--rate")],
)
def test_bad_prosody_is_refused(args: tuple[str | None, str | None, str | None], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        parse_prosody(*args)


def test_prosody_parses_signed_values() -> None:
    prosody = parse_prosody("+10%", "-5Hz", "0")
    assert (prosody.rate, prosody.pitch, prosody.volume) == (10, -5, 0)


def test_unknown_engines_list_the_choices() -> None:
    with pytest.raises(OptionError, match="auto, edge"):
        voices.get_engine("nope")
