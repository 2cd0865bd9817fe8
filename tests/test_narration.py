"""Narration's shared layer with scripted engines: chunking, cache, fallback, concurrency, cues."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import SAMPLE
from fakes import FakeEngine, folders, swapped

from deliver import voices
from deliver.errors import OptionError, SynthesisError
from deliver.model import Point, Section, Speech
from deliver.speech.reading import read_source
from deliver.speech.structure import parse
from deliver.voices import parse_prosody
from deliver.voices.base import Prosody, Rendition, Voice
from deliver.voices.narrate import (
    NarrationOptions,
    Utterance,
    VoicedChunk,
    chunks_of,
    narrate,
    narrate_async,
    utterances_of,
)
from deliver.voices.retry import RetryPolicy

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
    fakes = {
        "edge": FakeEngine("edge", online=True),
        "kokoro": FakeEngine("kokoro", is_available=False),
        "piper": FakeEngine("piper", languages=frozenset({"en"})),
        "espeak": FakeEngine("espeak"),
    }
    with swapped(**fakes):  # type: ignore[arg-type]
        yield fakes


QUICK = RetryPolicy(attempts=3, base=0.001, cap=0.002)


def _options(tmp_path: Path, **kw: object) -> NarrationOptions:
    settings = {"retry": QUICK, **kw}
    return NarrationOptions(cache_dir=tmp_path / "cache", folders=folders(tmp_path), **settings)  # type: ignore[arg-type]


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
    assert all(read().startswith(b"RIFF") for s in sections for read in s.audio)


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
    [(("fast", None, None), "--voice-rate"), ((None, "+5%", None), "--pitch"), (("+200%", None, None), "--voice-rate")],
)
def test_bad_prosody_is_refused(args: tuple[str | None, str | None, str | None], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        parse_prosody(*args)


def test_a_speed_factor_is_a_rate_change_and_only_a_finite_one_in_range() -> None:
    assert parse_prosody(None, None, None, 1.1).rate == 10 and parse_prosody(None, None, None, 0.5).rate == -50
    for bad in (float("nan"), float("inf"), 0.4, 2.5):
        with pytest.raises(OptionError, match="--speed"):
            parse_prosody(None, None, None, bad)
    with pytest.raises(OptionError, match="say the same thing"):
        parse_prosody("+10%", None, None, 1.1)


def test_narration_options_refuse_an_unknown_engine_when_built(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="unknown engine"):
        _options(tmp_path, engine="bogus")


def test_prosody_parses_signed_values() -> None:
    prosody = parse_prosody("+10%", "-5Hz", "0")
    assert (prosody.rate, prosody.pitch, prosody.volume) == (10, -5, 0)


def test_unknown_engines_list_the_choices(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="auto, edge"):
        voices.get_engine("nope", folders(tmp_path))


def test_audio_reads_each_chunk_through_the_narration_and_fails_cleanly_when_the_cache_lost_it(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    import shutil

    from deliver.audio import Pauses, write_soundtrack
    from deliver.pipeline import section_voices

    options = _options(tmp_path, engine="espeak")
    sections, _ = narrate(SPEECH, options)
    takes = section_voices(sections)
    assert [len(v.takes) for v in takes] == [len(s.chunks) for s in sections]
    assert all(t.read().startswith(b"RIFF") for v in takes for t in v.takes)
    shutil.rmtree(options.cache_dir)
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(SynthesisError, match="cached chunk was removed during the build"):
        write_soundtrack(stage, SPEECH, takes, Pauses(options.sentence_pause, options.point_pause))


def test_each_chunk_reads_back_its_own_audio_when_another_build_stores_the_same_words_meanwhile(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    """eSpeak's samples differ from one call to the next: two builds sharing a cache may both synthesize a
    sentence, and the one whose metadata lands first must still join the audio its durations describe."""
    from deliver.pipeline import section_voices
    from deliver.voices.cache import Cache

    options = _options(tmp_path, engine="espeak")
    sections, _ = narrate(SPEECH, options)
    takes = [t for v in section_voices(sections) for t in v.takes]
    ours = [t.read() for t in takes]
    other = Cache(options.cache_dir)  # the other build: same keys, other samples, written last
    for s in sections:
        for key, r in zip(s.keys, s.renditions, strict=True):
            other.put(key, Rendition(b"RIFF" + key.encode() * 7, "wav", r.duration * 1.1, ()))
    assert [t.read() for t in takes] == ours
    assert all(other.get(key).audio.endswith(key.encode()) for s in sections for key in s.keys)


# ---------------------------------------------------------------- retries: one policy for every engine


def test_a_retryable_failure_of_any_engine_is_retried_here_not_fallen_back(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    engines["espeak"].transient = 2  # an offline engine gets the same policy as edge
    sections, _ = narrate(SPEECH, _options(tmp_path, engine="espeak", concurrency=1))
    assert {s.voice.engine for s in sections} == {"espeak"} and not any(s.fallback_from for s in sections)
    assert len(engines["espeak"].calls) == sum(len(s.chunks) for s in sections) + 2


def test_a_transient_failure_that_outlasts_the_policy_falls_back(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    engines["edge"].transient = 10**6
    sections, _ = narrate(SPEECH, _options(tmp_path, concurrency=1))
    assert {s.voice.engine for s in sections} == {"espeak"}
    calls = engines["edge"].calls
    assert calls.count("同志们：") == QUICK.attempts and max(calls.count(c) for c in calls) == QUICK.attempts
    assert all("transient" in s.fallback_from[0] for s in sections)


def test_a_failure_that_is_not_retryable_is_tried_once(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    engines["espeak"].fail = lambda text: True
    with pytest.raises(SynthesisError, match="scripted failure"):
        narrate(SPEECH, _options(tmp_path, engine="espeak", concurrency=1))
    calls = engines["espeak"].calls
    assert calls and len(calls) == len(set(calls))  # no chunk asked twice


# ---------------------------------------------------------------- voices: each engine says which names are its own


def test_auto_puts_the_engine_that_owns_the_voice_first(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    sections, notices = narrate(SPEECH, _options(tmp_path, voice="espeak-zh"))
    assert {(s.voice.engine, s.voice.name) for s in sections} == {("espeak", "espeak-zh")}
    assert not engines["edge"].calls and not [n for n in notices if n.level == "warning"]


def test_a_voice_of_an_engine_that_cannot_run_here_is_said_not_silently_dropped(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    sections, notices = narrate(SPEECH, _options(tmp_path, voice="kokoro-zh"))
    assert {s.voice.name for s in sections} == {"edge-zh"}
    assert any(n.level == "warning" and "--voice kokoro-zh" in n.message for n in notices)


def test_a_named_engine_refuses_a_voice_it_does_not_own(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    with pytest.raises(OptionError, match="not one of espeak's voices"):
        narrate(SPEECH, _options(tmp_path, engine="espeak", voice="edge-zh"))
    assert not engines["espeak"].calls


def test_a_voice_no_engine_owns_is_refused_before_any_synthesis(tmp_path: Path, engines: dict[str, FakeEngine]) -> None:
    with pytest.raises(OptionError, match="no engine has a voice"):
        narrate(SPEECH, _options(tmp_path, voice="zh-CN-NobodyNeural"))
    assert not any(engine.calls for engine in engines.values())


# ---------------------------------------------------------------- the registry


def test_registered_swaps_an_engine_for_the_block_and_puts_the_real_one_back(tmp_path: Path) -> None:
    from deliver.voices.espeak import EspeakEngine

    fake = FakeEngine("espeak")
    with voices.registered("espeak", lambda _folders: fake):
        assert voices.get_engine("espeak", folders(tmp_path)) is fake
    assert isinstance(voices.get_engine("espeak", folders(tmp_path)), EspeakEngine)


def test_a_new_engine_name_joins_auto_and_leaves_with_its_block(tmp_path: Path) -> None:
    with voices.registered("extra", lambda _folders: FakeEngine("extra")):
        assert voices.engine_names()[-1] == "extra" and voices.check_engine_name("extra") == "extra"
    assert "extra" not in voices.engine_names()
    with pytest.raises(OptionError):
        voices.check_engine_name("extra")


def test_engines_are_built_with_the_folders_they_are_given(tmp_path: Path) -> None:
    kokoro = voices.get_engine("kokoro", folders(tmp_path))
    assert kokoro.voice_folder == tmp_path / "voices" / "kokoro"  # type: ignore[attr-defined]
    assert kokoro.model_folder == tmp_path / "models" / "kokoro"  # type: ignore[attr-defined]
    assert voices.get_engine("kokoro", folders(tmp_path / "other")) is not kokoro


def test_no_engine_module_reads_the_environment() -> None:
    import ast

    root = Path(voices.__file__).parent
    for module in ("edge", "espeak", "kokoro", "kokoro_g2p", "kokoro_voices", "piper", "base"):
        tree = ast.parse((root / f"{module}.py").read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "deliver.paths" not in imported and not names & {"environ", "getenv"}, module


def test_a_sentence_said_twice_is_synthesized_once_and_both_read_the_same_audio(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    # Both sections start the same sentence before either is in the cache: one engine call, one entry
    # written (a section being encoded never reads it while the other rewrites it).
    twice = Speech("测试讲话", "zh", "", (Section("一", "body", (Point("要抓落实。", "落实", ()),)),
                                        Section("二", "body", (Point("要抓落实。", "落实", ()),))))  # fmt: skip
    engines["espeak"].delay = 0.01
    sections, _ = narrate(twice, _options(tmp_path, engine="espeak", concurrency=2))
    assert engines["espeak"].calls == ["要抓落实。"]
    assert [s.synthesized for s in sections] == [1, 0]
    assert sections[0].keys == sections[1].keys and sections[0].audio[0]() == sections[1].audio[0]()


# ---------------------------------------------------------------- chunks told of in order as they are voiced


@dataclass
class _Gated(FakeEngine):
    """A fake whose every call waits until the test opens the gate of its text."""

    gates: dict[str, asyncio.Event] = field(default_factory=dict)

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        await self.gates.setdefault(text, asyncio.Event()).wait()
        return await super().synthesize(text, voice, prosody)


def test_each_chunk_is_heard_in_order_as_soon_as_it_and_those_before_it_are_voiced(tmp_path: Path) -> None:
    one = Speech("测试讲话", "zh", "", (Section("一", "body", (Point("甲。乙。丙。丁。", "甲", ()),)),))
    gated = _Gated("espeak", max_chunk=2)
    events: list[int | str] = []

    async def drive() -> list[list[int | str]]:
        options = _options(tmp_path, engine="espeak", concurrency=4)
        job = asyncio.ensure_future(narrate_async(one, options, None, lambda _: events.append("whole"),
                                                  lambda c: events.append(c.position)))  # fmt: skip
        seen = []
        for text in ("丙。", "乙。", "甲。", "丁。"):  # the later chunks finish first
            await _settled()
            gated.gates.setdefault(text, asyncio.Event()).set()
            await _settled()
            seen.append(list(events))
        await job
        return seen

    with swapped(espeak=gated):
        seen = asyncio.run(drive())
    assert seen == [[], [], [0, 1, 2], [0, 1, 2, 3, "whole"]]


async def _settled() -> None:
    """Let every task that can run, run."""
    for _ in range(50):
        await asyncio.sleep(0)


def test_what_is_heard_of_each_chunk_is_what_its_section_says_and_reads_the_same_audio(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    heard: list[VoicedChunk] = []
    sections, _ = narrate(SPEECH, _options(tmp_path, engine="espeak"), heard=heard.append)
    for section in sections:
        mine = [c for c in heard if c.section == section.index]
        assert tuple(c.chunk for c in mine) == section.chunks
        assert tuple(c.rendition for c in mine) == section.renditions
        assert [c.audio() for c in mine] == [read() for read in section.audio]
        assert all(c.voice == section.voice and c.utterances == section.utterances and not c.stored for c in mine)
    again: list[VoicedChunk] = []
    narrate(SPEECH, _options(tmp_path, engine="espeak"), heard=again.append)
    assert again and all(c.stored for c in again)


def test_a_section_that_falls_back_is_heard_again_from_its_first_chunk(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    engines["edge"].fail = lambda text: text == "第二句话也不短。"
    heard: list[tuple[int, int, str]] = []
    narrate(
        SPEECH, _options(tmp_path, concurrency=1), heard=lambda c: heard.append((c.section, c.position, c.voice.engine))
    )
    second = [(position, engine) for index, position, engine in heard if index == 1]
    assert second == [(0, "edge"), (0, "espeak"), (1, "espeak"), (2, "espeak")]


def test_a_listeners_failure_stops_the_narration_as_it_is_and_never_falls_back(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    def refuse(chunk: VoicedChunk) -> None:
        raise SynthesisError("section 1: a cached chunk vanished during the build; build again")

    with pytest.raises(SynthesisError, match="cached chunk vanished"):
        narrate(SPEECH, _options(tmp_path), heard=refuse)
    assert engines["edge"].calls and not engines["espeak"].calls


def test_a_voiced_sections_repr_stays_short_however_long_the_section(
    tmp_path: Path, engines: dict[str, FakeEngine]
) -> None:
    # asyncio computes the repr of the narration's result as its run ends: it must not cost a long section's chunks.
    long = Speech("长", "zh", "", (Section("一", "body", (Point("要抓落实。" * 200, "落实", ()),)),))
    sections, _ = narrate(long, _options(tmp_path, engine="espeak"))
    assert len(sections[0].chunks) == 200 and len(repr(sections[0])) < 300
