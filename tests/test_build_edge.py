"""The online path end to end: `deliver build` against the loopback edge server, with faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SPEECHES
from edge_server import EdgeServer

from deliver import voices
from deliver.audio import mp3 as mp3_module
from deliver.audio.mp3 import decoded_seconds
from deliver.errors import MissingTool, SynthesisError
from deliver.pipeline import BuildOptions, build, load
from deliver.voices.base import Prosody
from deliver.voices.edge import EdgeEngine
from deliver.voices.narrate import chunks_of, utterances_of
from deliver.voices.retry import RetryPolicy

pytestmark = pytest.mark.slow  # whole builds narrated through a loopback edge server

SPEECH = SPEECHES / "zh-di-yishi.txt"


@pytest.fixture(scope="module")
def running() -> Iterator[EdgeServer]:
    with EdgeServer() as server:
        yield server


@pytest.fixture
def server(running: EdgeServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[EdgeServer]:
    """The server, edge-tts pointed at it, and a fresh edge engine registered for `auto`."""
    running.reset()
    running.patch(monkeypatch)
    with voices.registered("edge", lambda _folders: EdgeEngine(timeout=10.0)):
        yield running


QUICK = RetryPolicy(attempts=2, base=0.01, cap=0.02)
"""Two tries, hardly a wait: what the narration layer does for every engine, made quick."""


def _build(tmp_path: Path, **kw: object) -> tuple[dict, Path]:  # type: ignore[type-arg]
    settings = {"out_dir": tmp_path / "out", "cache_dir": tmp_path / "cache", "concurrency": 1, "zip": False,
                "retry": QUICK, **kw}  # fmt: skip
    options = BuildOptions(**settings)  # type: ignore[arg-type]
    result = build(SPEECH, options)
    return json.loads((result.folder / "manifest.json").read_text(encoding="utf-8")), result.folder


def test_auto_narrates_with_edge_when_it_answers(tmp_path: Path, server: EdgeServer) -> None:
    manifest, folder = _build(tmp_path)
    sections = manifest["narration"]["sections"]
    assert {s["engine"] for s in sections} == {"edge"} and sections[0]["voice"] == "zh-CN-YunjianNeural"
    for s in sections:
        assert decoded_seconds(folder / s["file"]) == pytest.approx(s["duration"], abs=0.05)
    said = utterances_of(load(SPEECH)[1])
    assert server.requests == sum(len(chunks_of(u, 1000)) for u in said)  # one request per sentence


def test_the_service_down_for_the_whole_run_falls_back_offline(
    tmp_path: Path, server: EdgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import edge_tts.communicate

    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", "wss://127.0.0.1:9/edge/v1?TrustedClientToken=x")
    with voices.registered("edge", lambda _folders: EdgeEngine(timeout=2.0, probe_timeout=0.5)):
        manifest, _ = _build(tmp_path)
    assert {s["engine"] for s in manifest["narration"]["sections"]} == {"espeak"}
    assert any("not reachable" in n["message"] for n in manifest["notices"])


def test_one_section_failing_falls_back_alone_and_is_recorded(tmp_path: Path, server: EdgeServer) -> None:
    server.script("503", "503")  # the first chunk (the salutation of section 1) fails both attempts
    manifest, _ = _build(tmp_path)
    engines = [s["engine"] for s in manifest["narration"]["sections"]]
    assert engines[0] == "espeak" and set(engines[1:]) == {"edge"}
    assert "edge failed" in manifest["narration"]["sections"][0]["fallback_from"][0]
    assert any(n["level"] == "warning" and "espeak" in n["message"] for n in manifest["notices"])


def test_a_flapping_service_recovers_by_retrying(tmp_path: Path, server: EdgeServer) -> None:
    server.script("503", "ok", "disconnect", "ok", "429")
    manifest, _ = _build(tmp_path)
    assert {s["engine"] for s in manifest["narration"]["sections"]} == {"edge"}


def test_engine_edge_fails_clearly_and_keeps_the_previous_package(tmp_path: Path, server: EdgeServer) -> None:
    _, folder = _build(tmp_path, engine="edge")
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    server.script(*["503"] * 40)
    with pytest.raises(SynthesisError, match="edge"):
        # a new pace must be synthesized again (an unchanged package would simply be kept)
        _build(tmp_path, engine="edge", cache_dir=tmp_path / "other-cache", prosody=Prosody(rate=5))  # type: ignore[arg-type]
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before


def test_edge_is_sent_the_spoken_form_with_the_lexicons_readings(tmp_path: Path, server: EdgeServer) -> None:
    from deliver.voices.lexicon import homophones

    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[zh]\n"同志们" = "tong2 zhi4 men5"\n', encoding="utf-8")
    manifest, _ = _build(tmp_path, lexicon=lexicon)
    assert {s["engine"] for s in manifest["narration"]["sections"]} == {"edge"}
    sent = "".join(server.texts)
    assert homophones("tong2 zhi4 men5") in sent and "同志们" not in sent
    assert not any(ch.isdigit() for ch in sent)  # numbers went out in words


def test_mp3_renditions_without_ffmpeg_to_decode_them_fail_in_one_line_naming_it(
    tmp_path: Path, server: EdgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only edge's mp3 renditions (and video) still need ffmpeg: an offline build needs none (test_reliability)."""
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-here"))
    mp3_module.ffmpeg.cache_clear()
    try:
        with pytest.raises(MissingTool, match=r"^ffmpeg not found at .*no-ffmpeg-here; reinstall it with: pip install"):
            _build(tmp_path, engine="edge")
    finally:
        mp3_module.ffmpeg.cache_clear()
    assert not (tmp_path / "out").exists() or not [
        p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")
    ]
