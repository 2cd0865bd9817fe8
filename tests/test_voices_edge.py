"""The edge engine against a loopback server speaking edge-tts's real protocol, faults included.

Each call is retried as the narration layer retries every engine (`with_retries` and the default
policy), so these tests pin what edge's errors make of that policy."""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import time
from collections.abc import Iterator

import edge_tts.communicate
import edge_tts.drm
import pytest
from edge_server import EdgeServer
from hypothesis import given, settings
from hypothesis import strategies as st

from deliver.errors import OptionError, SynthesisError, TruncatedAudio
from deliver.voices.align import Mark, align
from deliver.voices.base import Engine, Prosody, Rendition, Voice
from deliver.voices.edge import EdgeEngine, check_voice_name
from deliver.voices.retry import RetryPolicy, with_retries

ZH = (
    "同志们：今天是我们春节收假上班后召开的第一个会，既是一个收心会，又是今年年初的一个月例会。"
    "这里，我提三点要求：一要认真学习，深刻领会精髓；二要深入对接，系统谋划工作；三要聚焦重点，认真抓好落实！"
)
EN = "Good morning, everyone. We have 100 days and 3 goals: growth, quality and trust. Let's begin!"


class FakeSleep:
    """Backoff sleeps recorded, not waited."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="module")
def running() -> Iterator[EdgeServer]:
    with EdgeServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_clock_skew() -> Iterator[None]:
    """edge-tts keeps a class-global clock skew after a 403 with a Date header: never let it leak."""
    edge_tts.drm.DRM.clock_skew_seconds = 0.0
    yield
    edge_tts.drm.DRM.clock_skew_seconds = 0.0


@pytest.fixture
def server(running: EdgeServer, monkeypatch: pytest.MonkeyPatch) -> EdgeServer:
    running.reset()
    running.latency, running.slow_delay, running.normalise_numbers = 0.0, 0.05, False
    running.patch(monkeypatch)
    return running


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def engine() -> EdgeEngine:
    return EdgeEngine(timeout=3.0)


def speak(
    engine: EdgeEngine,
    text: str,
    language: str = "zh",
    prosody: Prosody | None = None,
    sleep: FakeSleep | None = None,
    policy: RetryPolicy | None = None,
) -> Rendition:
    """One chunk as narration asks for it: the engine's single attempts, retried by the shared policy."""
    voice = engine.default_voice(language)  # type: ignore[arg-type]
    attempt = lambda: engine.synthesize(text, voice, prosody or Prosody())  # noqa: E731
    return asyncio.run(with_retries(attempt, policy, rng=random.Random(1), sleep=sleep or FakeSleep()))


def assert_whole(rendition: Rendition, text: str) -> None:
    """Audio present and as long as its bytes say; cues ordered, inside the text and the audio, reaching its end."""
    assert rendition.format == "mp3" and rendition.audio[:2] == b"\xff\xf3"
    assert rendition.duration == pytest.approx(len(rendition.audio) / 6000)
    cues = rendition.boundaries
    assert cues, "word boundaries expected"
    for cue, following in itertools.pairwise(cues):
        assert cue.start <= cue.end <= following.start
        assert cue.text_end <= following.text_start
    assert all(0 <= c.text_start < c.text_end <= len(text) for c in cues)
    assert all(0.0 <= c.start <= c.end <= rendition.duration for c in cues)
    assert len(text) - cues[-1].text_end <= 1


# -- the contract


def test_it_implements_the_engine_protocol() -> None:
    engine = EdgeEngine()
    assert isinstance(engine, Engine)
    assert (engine.name, engine.online, engine.max_chunk) == ("edge", True, 1000)
    assert engine.languages == {"zh", "en"} and engine.version == f"edge-tts {edge_tts.__version__}"


def test_it_owns_edge_voice_names_only() -> None:
    engine = EdgeEngine()
    assert engine.owns_voice("zh-CN-YunjianNeural") and engine.owns_voice("en-US-AndrewMultilingualNeural")
    assert not any(engine.owns_voice(name) for name in ("zf_xiaoxiao", "cmn", "voice.onnx", "en_US-joe-medium"))
    assert engine.voice_ready(engine.default_voice("zh"))


def test_a_403_is_worth_one_retry_per_chunk_not_per_engine(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script("403_bare", "403_bare")
    other = "第二个块。" + ZH
    for text in (ZH, other):  # each chunk's first 403 may still be a hiccup
        with pytest.raises(SynthesisError) as first:
            asyncio.run(engine.synthesize(text, engine.default_voice("zh"), Prosody()))
        assert first.value.retryable
    assert_whole(speak(engine, ZH), ZH)
    server.script("403_bare")
    with pytest.raises(SynthesisError) as again:
        asyncio.run(engine.synthesize(ZH, engine.default_voice("zh"), Prosody()))
    assert again.value.retryable  # a success forgot the earlier 403


def test_default_voices_are_yunjian_and_andrew() -> None:
    engine = EdgeEngine()
    assert engine.default_voice("zh") == Voice("edge", "zh-CN-YunjianNeural", "zh", engine.default_voice("zh").label)
    assert engine.default_voice("en").name == "en-US-AndrewNeural"


@pytest.mark.parametrize(
    "name", ["zh-CN-YunjianNeural", "en-US-AndrewMultilingualNeural", "zh-CN-liaoning-XiaobeiNeural"]
)
def test_it_accepts_edge_voice_names(name: str) -> None:
    assert check_voice_name(name) == name


@pytest.mark.parametrize("name", ["Yunjian", "zh-cn-YunjianNeural", "zh-CN-Yunjian", "cmn", "voice.onnx", ""])
def test_it_refuses_names_that_are_not_edge_voices(name: str) -> None:
    with pytest.raises(OptionError, match="zh-CN-YunjianNeural"):
        EdgeEngine().voice(name)


def test_synthesize_refuses_a_bad_voice_name_without_connecting(server: EdgeServer, engine: EdgeEngine) -> None:
    with pytest.raises(OptionError, match="not an edge voice name"):
        asyncio.run(engine.synthesize(ZH, Voice("edge", "zf_xiaoxiao", "zh"), Prosody()))
    assert server.requests == 0


# -- happy paths


def test_it_speaks_chinese_with_word_cues_to_the_end(server: EdgeServer, engine: EdgeEngine) -> None:
    rendition = speak(engine, ZH)
    assert_whole(rendition, ZH)
    assert rendition.duration > len(ZH) * 0.2
    assert ZH[rendition.boundaries[0].text_start : rendition.boundaries[0].text_end] == "同志"
    assert server.requests == 1 and server.texts == [ZH]


def test_it_speaks_english_and_maps_normalised_numbers_onto_our_digits(server: EdgeServer, engine: EdgeEngine) -> None:
    server.normalise_numbers = True  # the server says "one hundred" for 100, as Microsoft does
    rendition = speak(engine, EN, "en")
    assert_whole(rendition, EN)
    shown = [EN[c.text_start : c.text_end] for c in rendition.boundaries]
    assert "100" in shown and "3" in shown and "begin!" in shown


def test_a_faster_rate_gives_shorter_audio(server: EdgeServer, engine: EdgeEngine) -> None:
    normal, faster = speak(engine, ZH), speak(engine, ZH, prosody=Prosody(rate=50))
    assert faster.duration < normal.duration * 0.8
    assert_whole(faster, ZH)


# -- faults that a retry cures


@pytest.mark.parametrize(
    ("faults", "requests", "sleeps"),
    [
        (["403"], 2, 0),  # edge-tts itself retries once with the server's Date
        (["403_bare"], 2, 1),  # without a readable Date it cannot: we retry
        (["429"], 2, 1),
        (["503"], 2, 1),
        (["drop", "drop"], 3, 1),  # aiohttp itself retries a GET whose connection dropped, once
        (["no_audio"], 2, 1),
        (["disconnect"], 2, 1),
        (["truncate"], 2, 1),
        (["clip"], 2, 1),
    ],
)
def test_a_transient_fault_is_retried_and_cured(
    server: EdgeServer, engine: EdgeEngine, sleep: FakeSleep, faults: list[str], requests: int, sleeps: int
) -> None:
    server.script(*faults)
    assert_whole(speak(engine, ZH, sleep=sleep), ZH)
    assert server.requests == requests and len(sleep.delays) == sleeps


def test_a_403_moves_edges_clock_by_the_servers_date(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script("403")
    speak(engine, ZH)
    assert edge_tts.drm.DRM.clock_skew_seconds == pytest.approx(3600, abs=5)


def test_a_403_without_a_date_is_retried_once_then_says_upgrade(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script("403_bare", "403_bare")
    with pytest.raises(SynthesisError, match="upgrade edge-tts") as raised:
        speak(engine, ZH)
    assert not raised.value.retryable and server.requests == 2


def test_audio_too_short_for_its_text_is_never_returned(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script(*["clip"] * 4)
    with pytest.raises(TruncatedAudio, match="audio too short"):
        speak(engine, ZH)


def test_a_stalled_server_times_out_and_the_retry_succeeds(server: EdgeServer, sleep: FakeSleep) -> None:
    server.script("stall")
    began = time.monotonic()
    assert_whole(speak(EdgeEngine(timeout=0.5), ZH, sleep=sleep), ZH)
    assert time.monotonic() - began < 3 and server.requests == 2


def test_a_slow_but_steady_stream_is_waited_for(server: EdgeServer, engine: EdgeEngine) -> None:
    server.slow_delay = 0.005
    server.script("slow")
    assert_whole(speak(engine, ZH), ZH)
    assert server.requests == 1


# -- faults that persist


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("503", "service error \\(503\\)"),
        ("429", "rate-limiting"),
        ("no_audio", "no audio"),
        ("drop", "cannot reach edge"),
    ],
)
def test_a_persistent_fault_ends_in_a_clear_retryable_error(
    server: EdgeServer, engine: EdgeEngine, sleep: FakeSleep, fault: str, message: str
) -> None:
    per_attempt = 2 if fault == "drop" else 1  # aiohttp retries a dropped GET once by itself
    server.script(*[fault] * 4 * per_attempt)
    with pytest.raises(SynthesisError, match=message) as raised:
        speak(engine, ZH, sleep=sleep)
    assert raised.value.retryable and server.requests == 4 * per_attempt and len(sleep.delays) == 3
    assert "\n" not in str(raised.value) and "127.0.0.1" not in str(raised.value)


def test_a_persistent_403_says_upgrade_edge_tts_after_one_more_try(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script(*["403"] * 10)
    with pytest.raises(SynthesisError, match="upgrade edge-tts \\(pip install -U edge-tts\\)") as raised:
        speak(engine, ZH)
    assert not raised.value.retryable
    assert server.requests == 4  # two attempts of ours, each retried once by edge-tts


def test_persistent_truncation_never_returns_partial_audio(server: EdgeServer, engine: EdgeEngine) -> None:
    server.script(*["truncate"] * 4)
    with pytest.raises(TruncatedAudio, match="stopped after"):
        speak(engine, ZH)
    assert server.requests == 4


def test_a_server_that_always_stalls_fails_in_bounded_time(server: EdgeServer, sleep: FakeSleep) -> None:
    server.script("stall", "stall")
    began = time.monotonic()
    with pytest.raises(SynthesisError, match=r"did not finish within 0\.3 s"):
        speak(EdgeEngine(timeout=0.3), ZH, sleep=sleep, policy=RetryPolicy(attempts=2))
    assert time.monotonic() - began < 2


# -- concurrency as the shared layer drives it


def test_calls_under_a_semaphore_of_four_never_open_more_than_four_connections(
    server: EdgeServer, engine: EdgeEngine
) -> None:
    server.latency = 0.1
    gate = asyncio.Semaphore(4)

    async def one(text: str) -> Rendition:
        async with gate:
            return await engine.synthesize(text, engine.default_voice("zh"), Prosody())

    async def many() -> list[Rendition]:
        return await asyncio.gather(*(one(f"第{n}句。{ZH}") for n in range(12)))

    renditions = asyncio.run(many())
    assert len(renditions) == 12 and all(r.audio for r in renditions)
    assert server.max_concurrent == 4 and server.requests == 12


# -- discovery


def test_it_is_available_when_the_endpoint_accepts_connections(server: EdgeServer) -> None:
    assert EdgeEngine().available()


def test_it_is_unavailable_on_a_closed_port_and_remembers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", f"ws://127.0.0.1:{port}/edge/v1?TrustedClientToken=x")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    engine = EdgeEngine(probe_timeout=0.5)
    began = time.monotonic()
    assert not engine.available()
    assert time.monotonic() - began < 1
    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", "ws://nowhere.invalid/")
    assert not engine.available()  # cached: no second probe


def test_voices_come_from_the_service_list_when_reachable(server: EdgeServer) -> None:
    voices = EdgeEngine().voices()
    assert {v.name for v in voices} == {
        "zh-CN-XiaoxiaoNeural",
        "zh-CN-YunjianNeural",
        "en-US-AndrewNeural",
        "en-US-AriaNeural",
    }
    xiaoxiao = next(v for v in voices if v.name == "zh-CN-XiaoxiaoNeural")
    assert xiaoxiao.language == "zh" and xiaoxiao.label.startswith("Female, News")


def test_voices_fall_back_to_a_builtin_list_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = EdgeEngine()
    engine._available = False
    names = [v.name for v in engine.voices("zh")]
    assert "zh-CN-YunjianNeural" in names and "zh-CN-XiaoxiaoNeural" in names
    assert all(v.language == "en" for v in engine.voices("en"))


# -- mapping boundaries onto our text (no server)


def marks(*words: str) -> list[Mark]:
    return [Mark(n * 0.5, n * 0.5 + 0.4, w) for n, w in enumerate(words)]


def test_align_places_normalised_words_by_order_and_length() -> None:
    text = "We grew 100 percent in 2024, with GDP up."
    cues, covered, total = align(
        text,
        marks("We", "grew", "one", "hundred", "percent", "in", "twenty", "twenty", "four", "with", "G", "D", "P", "up"),
        10.0,
    )
    shown = [text[c.text_start : c.text_end] for c in cues]
    assert shown == ["We", "grew", "100", "percent", "in", "2024,", "with", "GDP", "up."]
    assert covered == total
    assert (cues[2].start, cues[2].end) == (1.0, 1.9)  # "one hundred": both words' time


def test_align_reports_how_far_a_cut_stream_got() -> None:
    text = "第一句话说完了。第二句话也说完了。"
    cues, covered, total = align(text, marks("第一", "句话", "说完", "了"), 3.0)
    assert (covered, total) == (7, 15) and text[cues[-1].text_start : cues[-1].text_end] == "了。"


def test_align_clamps_each_end_to_the_next_start_and_to_the_audio() -> None:
    overlapping = [Mark(0.0, 1.0, "一二"), Mark(0.5, 3.0, "三四")]
    cues, _, _ = align("一二三四", overlapping, 2.0)
    assert (cues[0].end, cues[1].end) == (0.5, 2.0)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="同志们今天会议AB12 ，。!", min_size=1, max_size=40),
    spoken=st.lists(st.text(alphabet="同志们今天会议ab12one", min_size=0, max_size=4), max_size=20),
)
def test_align_always_gives_ordered_cues_inside_the_text(text: str, spoken: list[str]) -> None:
    cues, covered, total = align(text, marks(*spoken), 30.0)
    assert 0 <= covered <= total
    for cue, following in itertools.pairwise(cues):
        assert cue.text_end <= following.text_start and cue.start <= cue.end <= following.start
    assert all(0 <= c.text_start < c.text_end <= len(text) for c in cues)
