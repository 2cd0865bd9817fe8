"""Kokoro: the real model on real text — timings per character, trimming, runs, prosody, voices, failures."""

from __future__ import annotations

import io
import itertools
import json
import shutil
import tarfile
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="the kokoro extra is not installed: pip install -e .[kokoro]")

from conftest import SPEECHES  # noqa: E402

from deliver import voices  # noqa: E402
from deliver.errors import EngineUnavailable, OptionError  # noqa: E402
from deliver.voices import kokoro_voices  # noqa: E402
from deliver.voices.base import Folders, Prosody, Rendition, Voice  # noqa: E402
from deliver.voices.kokoro import RATE, TOKEN_BUDGET, KokoroEngine, _Runtime, model_path  # noqa: E402
from deliver.voices.kokoro_g2p import VOCAB, runs, segments, token_ids  # noqa: E402
from deliver.voices.normalize import normalize  # noqa: E402

pytestmark = pytest.mark.slow  # the real Kokoro model: tens of seconds per test

ZH = normalize("今天是我们春节收假上班后召开的第一个会，GDP增长了5.2%。", "zh").text
EN = "Good morning, everyone. Our GDP grew 5.2 percent in 2025."


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One timed model for the module (92 MB, written once)."""
    return tmp_path_factory.mktemp("kokoro-model")


@pytest.fixture(scope="module")
def engine(kokoro_voice_folder: Path, model_folder: Path) -> KokoroEngine:
    return KokoroEngine(voice_folder=kokoro_voice_folder, model_folder=model_folder)


def samples(rendition: Rendition) -> np.ndarray:
    with wave.open(io.BytesIO(rendition.audio)) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def edge_silence(audio: np.ndarray) -> tuple[float, float]:
    """Seconds of near-silence (−40 dB of the loudest 10 ms) at the start and at the end."""
    n = len(audio) // 240
    rms = np.sqrt((audio[: n * 240].reshape(n, 240) ** 2).mean(axis=1))
    loud = np.nonzero(rms > rms.max() * 0.01)[0]
    return loud[0] * 0.01, (n - loud[-1] - 1) * 0.01


# ---------------------------------------------------------------- phonemes


def test_chinese_phonemes_are_kokoros_own_one_segment_per_character() -> None:
    parts = segments(ZH, "zh")
    han = [p for p in parts if "\u4e00" <= ZH[p.start] <= "\u9fff"]
    assert [ZH[p.start : p.end] for p in han] == [c for c in ZH if "\u4e00" <= c <= "\u9fff"]
    inverse = {v: k for k, v in VOCAB.items()}
    said = "".join(inverse[i] for i in token_ids(parts))
    assert said.startswith("ʨi→ntʰjɛ→n ʂɨ↘ wo↓mən ꭧʰwə→nʨje↗")  # misaki's legacy reading, word by word
    gdp = next(p for p in parts if ZH[p.start : p.end] == "GDP")
    assert gdp.phonemes == "ʤˌidˌipˈi"  # Latin inside Chinese is read as English, not dropped


def test_english_is_one_segment_per_word_in_kokoros_alphabet() -> None:
    parts = segments(EN, "en")
    words = [EN[p.start : p.end] for p in parts if p.spoken]
    assert words == ["Good", "morning", "everyone", "Our", "GDP", "grew", "5.2", "percent", "in", "2025"]
    assert all(set(p.phonemes) <= set(VOCAB) for p in parts)
    assert next(p for p in parts if EN[p.start : p.end] == "Our").phonemes == "ˌWəɹ"


def test_long_text_is_cut_into_runs_within_the_budget_after_clauses() -> None:
    text = normalize("，".join(["我们要坚持以人民为中心的发展思想"] * 30) + "。", "zh").text
    cut = runs(segments(text, "zh"), TOKEN_BUDGET)
    assert len(cut) > 1 and all(len(token_ids(r)) <= TOKEN_BUDGET for r in cut)
    assert all(r[-1].phonemes.endswith(",") for r in cut[:-1])
    assert [s for r in cut for s in r] == segments(text, "zh")
    endless = runs(segments("发展" * 400, "zh"), TOKEN_BUDGET)  # no punctuation at all: cut between words
    assert all(len(token_ids(r)) <= TOKEN_BUDGET for r in endless)


# ---------------------------------------------------------------- the model


def test_the_durations_output_adds_up_to_the_audio(engine: KokoroEngine) -> None:
    runtime = _Runtime(model_path(engine.model_folder), workers=1)
    style = np.frombuffer(kokoro_voices.read_voice("zf_xiaoxiao", engine.voice_folder), dtype="<f4").reshape(510, 256)
    ids = token_ids(segments(ZH, "zh"))
    audio, durations = runtime.run(ids, style[len(ids) - 1][None, :], 1.0)
    assert len(durations) == len(ids) + 2
    assert int(durations.sum()) * 600 == len(audio)


def test_it_speaks_chinese_with_a_timed_boundary_per_character(engine: KokoroEngine) -> None:
    rendition = engine.synthesize_sync(ZH, engine.default_voice("zh"), Prosody())
    audio = samples(rendition)
    assert rendition.duration == pytest.approx(len(audio) / RATE, abs=0.001)
    assert 4.0 < rendition.duration < 9.0
    bounds = rendition.boundaries
    assert bounds[0].text_start == 0 and bounds[-1].text_end == len(ZH)
    assert all(a.text_end <= b.text_start and a.start <= b.start for a, b in itertools.pairwise(bounds))
    assert all(0 <= b.start <= b.end <= rendition.duration for b in bounds)
    assert len(bounds) == sum("\u4e00" <= c <= "\u9fff" for c in ZH) + 1  # one per character, and GDP
    head, tail = edge_silence(audio)
    assert head < 0.15 and tail < 0.15  # the model's ≈ 0.45 s edges are trimmed: pauses are ours


def test_it_speaks_english_with_a_boundary_per_word(engine: KokoroEngine) -> None:
    rendition = engine.synthesize_sync(EN, engine.default_voice("en"), Prosody())
    words = [EN[b.text_start : b.text_end].strip(" ,.") for b in rendition.boundaries]
    assert words == ["Good", "morning", "everyone", "Our", "GDP", "grew", "5.2", "percent", "in", "2025"]
    assert 3.0 < rendition.duration < 8.0


def test_rate_and_volume_change_the_delivery(engine: KokoroEngine) -> None:
    voice = engine.default_voice("zh")
    plain = engine.synthesize_sync(ZH, voice, Prosody())
    slower = engine.synthesize_sync(ZH, voice, Prosody(rate=-20))
    quieter = engine.synthesize_sync(ZH, voice, Prosody(volume=-50))
    assert slower.duration > plain.duration * 1.1
    assert np.abs(samples(quieter)).max() < np.abs(samples(plain)).max() * 0.8


def test_a_chunk_longer_than_one_run_is_joined_with_a_pause_and_timed_throughout(engine: KokoroEngine) -> None:
    text = normalize("，".join(["我们要坚持以人民为中心的发展思想"] * 8) + "。", "zh").text
    rendition = engine.synthesize_sync(text, engine.default_voice("zh"), Prosody())
    assert len(runs(segments(text, "zh"), TOKEN_BUDGET)) >= 2
    assert rendition.boundaries[-1].text_end == len(text)
    assert rendition.boundaries[-1].end <= rendition.duration
    starts = [b.start for b in rendition.boundaries]
    assert starts == sorted(starts)


# ---------------------------------------------------------------- voices and failures


def test_voices_install_from_a_folder_and_a_bad_file_is_refused(kokoro_voice_folder: Path, tmp_path: Path) -> None:
    names = kokoro_voices.install(kokoro_voice_folder, tmp_path / "copy")
    assert names[:1] == ["zf_xiaoxiao"] and len(names) == len(kokoro_voices.CATALOGUE)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "zf_xiaoxiao.bin").write_bytes(b"\0" * kokoro_voices.VOICE_BYTES)
    with pytest.raises(OptionError, match="sha256 differs"):
        kokoro_voices.install(bad, tmp_path / "other")
    with pytest.raises(OptionError, match="none of Kokoro's voices"):
        kokoro_voices.install(tmp_path / "copy" / "..", tmp_path / "x")


def test_voices_install_from_a_tarball(kokoro_voice_folder: Path, tmp_path: Path) -> None:
    tarball = tmp_path / "kokoro-js-1.2.1.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(kokoro_voice_folder / "af_heart.bin", "package/voices/af_heart.bin")
        archive.add(kokoro_voice_folder / "zm_yunjian.bin", "package/voices/zm_yunjian.bin")
    assert sorted(kokoro_voices.install(tarball, tmp_path / "voices")) == ["af_heart", "zm_yunjian"]
    (tmp_path / "broken.tgz").write_bytes(b"not a tarball")
    with pytest.raises(OptionError, match=r"not a readable \.tgz"):
        kokoro_voices.install(tmp_path / "broken.tgz", tmp_path / "voices")


def test_without_npm_the_install_says_how_to_do_it_by_hand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(EngineUnavailable, match=r"npm is not installed.*--from kokoro-js-1\.2\.1\.tgz"):
        kokoro_voices.install(None, tmp_path)


def test_a_corrupt_voice_file_is_named_with_the_fix(
    kokoro_voice_folder: Path, model_folder: Path, tmp_path: Path
) -> None:
    shutil.copytree(kokoro_voice_folder, tmp_path / "voices")
    (tmp_path / "voices" / "zf_xiaoxiao.bin").write_bytes(b"\1" * kokoro_voices.VOICE_BYTES)
    broken = KokoroEngine(voice_folder=tmp_path / "voices", model_folder=model_folder)
    with pytest.raises(EngineUnavailable, match=r"corrupt.*deliver voices install kokoro"):
        broken.synthesize_sync("你好。", Voice("kokoro", "zf_xiaoxiao", "zh"), Prosody())


def test_a_damaged_model_cache_is_rebuilt(tmp_path: Path) -> None:
    path = model_path(tmp_path)
    good = path.read_bytes()
    path.write_bytes(good[:1000] + b"\0" + good[1001:])
    assert model_path(tmp_path).read_bytes() == good


def test_without_voices_it_is_unavailable_and_says_how_to_install(tmp_path: Path) -> None:
    bare = KokoroEngine(voice_folder=tmp_path, model_folder=tmp_path / "model")
    assert not bare.available()
    assert "deliver voices install kokoro" in (bare.missing() or "")
    with pytest.raises(EngineUnavailable):
        bare.default_voice("zh")


# ---------------------------------------------------------------- narration with kokoro


@pytest.fixture
def registered(engine: KokoroEngine) -> Iterator[KokoroEngine]:
    with voices.registered("kokoro", lambda _folders: engine):
        yield engine


def test_auto_narrates_offline_with_kokoro_and_the_cues_match_the_audio(
    registered: KokoroEngine, tmp_path: Path
) -> None:
    from deliver.audio.mp3 import decoded_seconds
    from deliver.pipeline import BuildOptions, build

    result = build(
        SPEECHES / "zh-di-yishi.txt", BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", zip=False)
    )
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    sections = manifest["narration"]["sections"]
    assert {(s["engine"], s["voice"]) for s in sections} == {("kokoro", "zf_xiaoxiao")}
    for s in sections:
        assert decoded_seconds(result.folder / s["file"]) == pytest.approx(s["duration"], abs=0.05)
        assert s["points"][-1]["end"] == pytest.approx(s["duration"], abs=0.05)
    vtt = (result.folder / "subtitles" / "speech.vtt").read_text(encoding="utf-8")
    assert vtt.count("<00:") > 100  # word (character) timings inside the cues
    whole = decoded_seconds(result.folder / "audio" / "speech.mp3")
    assert abs(result.soundtrack.subtitles[-1].end - whole) < 1.0  # type: ignore[union-attr]


def test_without_kokoro_voices_auto_falls_back_and_says_so_once(tmp_path: Path) -> None:
    from deliver.pipeline import BuildOptions, build

    options = BuildOptions(
        out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", zip=False, folders=Folders(tmp_path / "none", tmp_path)
    )
    result = build(SPEECHES / "zh-di-yishi.txt", options)  # the real registry, given folders with no voices
    said = [n.message for n in result.notices if "kokoro" in n.message]
    assert len(said) == 1 and "deliver voices install kokoro" in said[0]
    assert {s.engine for s in result.soundtrack.sections} == {"espeak"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("一要认真学习", ["yi2", "yao4"]),
        ("一天一个样", ["yi4", "tian1", "yi2", "ge4"]),
        ("统一思想", ["tong3", "yi1"]),
        ("第一", ["di4", "yi1"]),
        ("一二三", ["yi1", "er4"]),
        ("不是", ["bu2", "shi4"]),
        ("不好", ["bu4", "hao3"]),
    ],
)
def test_yi_and_bu_take_their_tone_from_the_next_syllable(text: str, readings: list[str]) -> None:
    from deliver.speech.words import cut
    from deliver.voices.kokoro_g2p import _sandhi, word_readings

    words = cut(text)
    assert _sandhi(words, [r for w in words for r in word_readings(w)])[: len(readings)] == readings


def test_without_the_extra_it_names_the_pip_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "misaki.transcription", None)  # as if misaki were not installed
    engine = KokoroEngine(voice_folder=tmp_path, model_folder=tmp_path)
    assert "pip install 'deliver[kokoro]'" in (engine.missing() or "")
    with pytest.raises(EngineUnavailable, match=r"deliver\[kokoro\]"):
        engine.synthesize_sync("你好。", Voice("kokoro", "zf_xiaoxiao", "zh"), Prosody())
