"""The sample speech narrated end to end, offline, with the real eSpeak NG engine and real mp3 files."""

from __future__ import annotations

import itertools
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from fakes import FakeEngine

from deliver import voices
from deliver.audio.mp3 import decoded_seconds
from deliver.errors import SynthesisError
from deliver.pipeline import BuildOptions, BuildResult, build

pytestmark = pytest.mark.slow  # whole builds narrated with eSpeak NG


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    root = tmp_path_factory.mktemp("narrated")
    options = BuildOptions(out_dir=root / "out", engine="espeak", cache_dir=root / "cache")
    return build(SAMPLE, options), root


def test_every_section_has_audio_whose_decoded_length_matches_the_manifest(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    sections = manifest["narration"]["sections"]
    assert len(sections) == len(result.speech.sections)
    for entry in sections:
        assert entry["engine"] == "espeak" and entry["voice"] == "cmn"
        assert decoded_seconds(result.folder / entry["file"]) == pytest.approx(entry["duration"], abs=0.05)
        points = entry["points"]
        assert points[0]["start"] == pytest.approx(0.0, abs=0.05)
        assert points[-1]["end"] == pytest.approx(entry["duration"], abs=0.05)
        assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(points))
    whole = decoded_seconds(result.folder / "audio" / "speech.mp3")
    assert whole == pytest.approx(manifest["narration"]["duration"], abs=0.05)


def test_every_point_has_a_cue_and_the_salutation_opens(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    assert result.soundtrack is not None
    cued = [c.point for s in result.soundtrack.sections for c in s.points]
    assert cued == [None, *range(len(result.speech.points))]


def test_subtitles_cover_the_speech_and_end_with_the_audio(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    srt = (result.folder / "subtitles" / "speech.srt").read_text(encoding="utf-8")
    vtt = (result.folder / "subtitles" / "speech.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    stamps = re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)", srt)
    seconds = [
        (int(a) * 3600 + int(b) * 60 + int(c) + int(d) / 1000, int(e) * 3600 + int(f) * 60 + int(g) + int(h) / 1000)
        for a, b, c, d, e, f, g, h in stamps
    ]
    assert all(start < end for start, end in seconds)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(seconds))
    whole = decoded_seconds(result.folder / "audio" / "speech.mp3")
    assert abs(seconds[-1][1] - whole) < 1.0
    spoken = re.sub(r"\s", "", "".join(p.text for p in result.speech.points))
    lines = re.sub(r"\s", "", "".join(line for line in srt.splitlines() if line and not line[0].isdigit()))
    assert spoken in lines


def test_the_package_holds_every_file_of_the_design(built: tuple[BuildResult, Path]) -> None:
    result, root = built
    folder = result.folder
    expected = {
        "deck.pptx",
        "deck-narrated.pptx",
        "audio/speech.mp3",
        "subtitles/speech.srt",
        "subtitles/speech.vtt",
        "outline.json",
        "timing.md",
        "timing.json",
        "timing.svg",
        "rehearsal.html",
        "script.html",
        "manifest.json",
    }
    expected |= {f"audio/{s.path.name}" for s in result.soundtrack.sections}  # type: ignore[union-attr]
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == expected
    assert "](timing.svg)" in (folder / "timing.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(root / "out" / f"{folder.name}.zip") as archive:
        assert {n.split("/", 1)[1] for n in archive.namelist()} == expected


def test_the_manifest_maps_every_slide_to_its_window_of_the_narration(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    slides = manifest["slides"]
    assert slides["timeline"] == "audio/speech.mp3"
    windows = slides["windows"]
    assert [w["slide"] for w in windows] == list(range(1, len(windows) + 1))
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(windows))
    # Windows are on the show's timeline (the narration plus silent slides' holds); each spoken slide
    # names its stretch of audio/speech.mp3, and the stretches tile it.
    silent = sum(w["end"] - w["start"] for w in windows if w["source_start"] is None)
    spoken = [w for w in windows if w["source_start"] is not None]
    held = sum((w["end"] - w["start"]) - (w["source_end"] - w["source_start"]) for w in spoken)
    assert windows[-1]["end"] == pytest.approx(manifest["narration"]["duration"] + silent + held, abs=0.01)
    assert spoken[0]["source_start"] == 0 and spoken[-1]["source_end"] == pytest.approx(
        manifest["narration"]["duration"]
    )
    assert all(a["source_end"] == b["source_start"] for a, b in itertools.pairwise(spoken))
    cues = {p["point"]: s["start"] + p["start"] for s in manifest["narration"]["sections"] for p in s["points"]}
    firsts = [w for w in windows if w["kind"] == "point" and w["page"] == 1]
    assert [w["point"] for w in firsts] == list(range(len(result.speech.points)))
    assert all(w["source_start"] <= cues[w["point"]] < w["source_end"] for w in firsts)


def test_an_unchanged_rebuild_keeps_the_package_and_synthesizes_nothing(built: tuple[BuildResult, Path]) -> None:
    result, root = built
    before = {p: p.stat().st_mtime_ns for p in result.folder.rglob("*")}
    again = build(SAMPLE, BuildOptions(out_dir=root / "out", engine="espeak", cache_dir=root / "cache"))
    assert again.reused and any(n.message.startswith("up to date") for n in again.notices)
    assert not any(n.message.startswith("narrated with") for n in again.notices)
    assert {p: p.stat().st_mtime_ns for p in result.folder.rglob("*")} == before


def test_a_rebuild_in_another_theme_takes_every_chunk_from_the_cache(built: tuple[BuildResult, Path]) -> None:
    _result, root = built
    again = build(SAMPLE, BuildOptions(out_dir=root / "other", engine="espeak", cache_dir=root / "cache", theme="dark"))
    assert not again.reused
    summary = next(n.message for n in again.notices if n.message.startswith("narrated with"))
    assert " 0 chunks synthesized" in summary


def test_a_named_engine_failing_leaves_the_previous_package_intact(built: tuple[BuildResult, Path]) -> None:
    result, root = built
    before = {p: p.stat().st_mtime_ns for p in result.folder.rglob("*")}
    failing = FakeEngine("edge", online=True, fail=lambda text: True)
    with voices.registered("edge", lambda _folders: failing), pytest.raises(SynthesisError):
        build(SAMPLE, BuildOptions(out_dir=root / "out", engine="edge", cache_dir=root / "cache"))
    assert {p: p.stat().st_mtime_ns for p in result.folder.rglob("*")} == before
    assert not [p for p in (root / "out").iterdir() if p.name.startswith(".")]


def test_the_whole_speech_track_has_a_chapter_per_section_in_order(built: tuple[BuildResult, Path]) -> None:
    from deliver.audio.mp3 import read_chapters

    result, _ = built
    chapters = read_chapters(result.folder / "audio" / "speech.mp3")
    assert [c[0] for c in chapters] == [s.title for s in result.speech.sections]
    assert result.soundtrack is not None
    for (_, start, end), section, at in zip(
        chapters, result.soundtrack.sections, result.soundtrack.starts, strict=True
    ):
        assert start == pytest.approx(at, abs=0.002) and end - start == pytest.approx(section.duration, abs=0.002)


def test_the_timing_report_puts_narration_beside_the_estimate_and_adds_up(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    timing = json.loads((result.folder / "timing.json").read_text(encoding="utf-8"))
    rows = timing["sections"]
    assert all(r["narrated_seconds"] > 0 and r["seconds"] > 0 for r in rows)
    for a, b in itertools.pairwise(rows):  # a one-second pause, plus the mp3 frames' own delay and padding (< 0.15 s)
        assert 1.0 <= b["narrated_start"] - (a["narrated_start"] + a["narrated_seconds"]) < 1.15
    assert "narrated" in (result.folder / "timing.md").read_text(encoding="utf-8")


def _slides_with_timing(path: Path) -> list[tuple[str, list[str], int | None]]:
    from pptx import Presentation

    from deliver.slides import ooxml

    out = []
    for slide in Presentation(str(path)).slides:
        transition = slide._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}transition")
        advance = int(transition.get("advTm")) if transition is not None else None
        kind = "point" if slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip() else "other"
        out.append((kind, ooxml.audio_links(slide._element), advance))
    return out


def test_the_narrated_deck_plays_every_point_and_advances_when_it_ends(built: tuple[BuildResult, Path]) -> None:
    from pptx import Presentation

    result, _ = built
    narrated = result.folder / "deck-narrated.pptx"
    plain = Presentation(str(result.folder / "deck.pptx"))
    slides = _slides_with_timing(narrated)
    assert len(slides) == len(plain.slides)
    assert all(advance and advance > 0 for _, _, advance in slides)
    voiced = [s for s in slides if s[1]]
    assert len(voiced) >= len(result.speech.points) + 1  # every point, plus the salutation on the title slide
    assert result.soundtrack is not None
    narration = sum(s.duration for s in result.soundtrack.sections)
    # Slides advance on the show's timeline: the narration plus the silent slides' holds, the title's
    # minimum and the pauses between sections, as manifest.json lists the windows.
    assert sum(advance for _, links, advance in slides if links) / 1000 >= narration - 0.05 * len(voiced)
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    windows = manifest["slides"]["windows"] if isinstance(manifest["slides"], dict) else manifest["slides"]
    assert [advance / 1000 for _, _, advance in slides] == pytest.approx(
        [w["end"] - w["start"] for w in windows], abs=0.002
    )
    assert all(not links for _, links, _ in _slides_with_timing(result.folder / "deck.pptx"))


def test_the_narrated_decks_audio_is_stored_as_it_is_and_the_rest_deflated(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    with zipfile.ZipFile(result.folder / "deck-narrated.pptx") as deck:
        entries = deck.infolist()
        media = [e for e in entries if e.filename.endswith(".mp3")]
        assert media and all(e.compress_type == zipfile.ZIP_STORED for e in media)
        assert all(e.compress_type == zipfile.ZIP_DEFLATED for e in entries if e.filename.endswith(".xml"))
        assert all(deck.read(e).startswith((b"ID3", b"\xff\xf3")) and e.file_size > 1000 for e in media)
        assert deck.testzip() is None


@pytest.mark.viewer
def test_libreoffice_reads_the_narration_and_the_advance_times(built: tuple[BuildResult, Path], tmp_path: Path) -> None:
    import shutil
    import subprocess
    import zipfile

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-impress")
    result, _ = built
    source = tmp_path / "narrated.pptx"
    shutil.copy(result.folder / "deck-narrated.pptx", source)
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    convert = ["soffice", profile, "--headless", "--convert-to", "odp", "--outdir", str(tmp_path), str(source)]
    subprocess.run(convert, check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "narrated.odp") as odp:
        content = odp.read("content.xml").decode("utf-8")
        media = [n for n in odp.namelist() if n.endswith(".mp3")]
    plays = re.findall(r'anim:command="play"', content)
    assert len(plays) >= len(result.speech.points) + 1
    assert len(media) >= 1 and 'presentation:transition-type="automatic"' in content
    assert "presentation:duration=" in content


def test_more_chapters_than_one_table_holds_are_nested_and_all_read_back(tmp_path: Path) -> None:
    from deliver.audio.mp3 import export_mp3, read_chapters, silence, write_chapters

    path = tmp_path / "long.mp3"
    export_mp3(silence(3.0), path, {"title": "t"})
    chapters = [(f"第{i + 1}节", i * 0.01, (i + 1) * 0.01) for i in range(300)]
    write_chapters(path, chapters)
    assert read_chapters(path) == [(t, pytest.approx(a), pytest.approx(b)) for t, a, b in chapters]


def test_pcm_at_the_engines_rate_is_heard_where_its_samples_say_once_it_is_resampled(tmp_path: Path) -> None:
    """A click at a known sample of 22,050 Hz PCM is heard in the 24 kHz mp3 at that sample's time."""
    import array
    import math
    import struct
    import subprocess

    from deliver.audio.mp3 import FRAME_RATE, export_mp3, ffmpeg, silence

    rate = 22050
    for i, quiet in enumerate((10000, 77777, 123457)):
        burst = b"".join(struct.pack("<h", int(12000 * math.sin(k * 0.3))) for k in range(4410))
        path = tmp_path / f"{i}.mp3"
        export_mp3(b"\0\0" * quiet + burst + silence(0.2, rate), path, {"title": str(i)}, rate)
        raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                             capture_output=True, check=True).stdout  # fmt: skip
        samples = array.array("h", raw)  # ffmpeg's decoder drops the encoder's delay (the LAME tag says how long)
        assert len(samples) == pytest.approx((quiet + 4410 + 0.2 * rate) * FRAME_RATE / rate, abs=2)
        expected = round(quiet * FRAME_RATE / rate)
        onset = next(x for x in range(expected - 2000, len(samples)) if abs(samples[x]) > 3000)
        assert abs(onset - expected) <= 2


def test_a_section_mp3_holds_its_tags_and_a_lame_tag_that_makes_players_hear_exactly_its_samples(
    tmp_path: Path,
) -> None:
    import subprocess

    from mutagen.id3 import ID3
    from mutagen.mp3 import MP3

    from deliver.audio.mp3 import FRAME_RATE, SAMPLES_PER_FRAME, export_mp3, ffmpeg, silence
    from deliver.audio.mp3join import frames

    for seconds in (0.01, 1.0, 7.3):
        path = tmp_path / f"{seconds}.mp3"
        tags = {"title": "02 抓学习", "album": "测试讲话", "artist": "deliver", "track": "2"}
        export_mp3(b"\1\0" * round(seconds * FRAME_RATE), path, tags)
        raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                             capture_output=True, check=True).stdout  # fmt: skip
        assert len(raw) // 2 == round(seconds * FRAME_RATE)  # the encoder's delay and padding are dropped
        read = frames(path)
        assert read.count * read.size == len(read.audio) and read.delay == 576
        assert read.count * SAMPLES_PER_FRAME >= read.delay + round(seconds * FRAME_RATE)
        assert {k: str(v) for k, v in ID3(path).items()} == {"TIT2": "02 抓学习", "TALB": "测试讲话", "TPE1": "deliver",
                                                               "TRCK": "2"}  # fmt: skip
        info = MP3(path).info  # mutagen reads the LAME tag as a gapless player does: delay and padding dropped
        assert info.length == pytest.approx(seconds) and info.encoder_info.startswith("LAME 3.100")
    export_mp3(silence(0.5), tmp_path / "gap.mp3", {})
    assert (tmp_path / "gap.mp3").read_bytes()[:2] == b"\xff\xf3"  # untagged: the gap between sections


def test_a_long_section_encoded_in_pieces_is_heard_where_its_timeline_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pieces of 1 s here (5 min in a build): the joined file is one mp3 whose clicks land where the returned
    timeline puts the PCM's, and which plays exactly as long as it says."""
    import array
    import math
    import struct
    import subprocess

    from mutagen.mp3 import MP3

    from deliver.audio import mp3pieces
    from deliver.audio.mp3 import FRAME_RATE, ffmpeg
    from deliver.audio.mp3join import frames

    monkeypatch.setattr(mp3pieces, "PIECE_SECONDS", 1.0)
    rate = 22050
    burst = b"".join(struct.pack("<h", int(12000 * math.sin(k * 0.3))) for k in range(2205))
    take = b"\0\0" * 6000 + burst + b"\0\0" * 14000  # 1 s: a click 0.27 s in
    path = tmp_path / "long.mp3"
    out = mp3pieces.PiecewiseMp3(path, {"title": "长"}, rate, slots=2)
    clicks = []
    for n in range(7):
        if n:
            out.between()
            out.write(b"\0\0" * (rate // 2))  # the pause, where a piece may end
        clicks.append((out._heard + 6000) / rate)
        out.write(take * (1 + n % 2))
    total = out._heard / rate
    heard = out.close()
    assert not [p for p in tmp_path.iterdir() if p != path], "pieces left behind"
    read = frames(path)
    assert read.count * read.size == len(read.audio)
    raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    samples = array.array("h", raw)
    assert len(samples) == pytest.approx(heard(total) * FRAME_RATE, abs=2)
    assert MP3(path).info.length == pytest.approx(heard(total), abs=1e-3)
    assert heard(total) - total > 0.1  # the pieces' joins are heard (padding and delay within the pauses)
    for t in clicks:
        expected = round(heard(t) * FRAME_RATE)
        onset = next(x for x in range(expected - 3000, len(samples)) if abs(samples[x]) > 3000)
        assert abs(onset - expected) <= 3, t


def test_a_section_is_split_frame_by_frame_into_clips_that_tile_it_and_start_where_asked(tmp_path: Path) -> None:
    import array
    import math
    import struct
    import subprocess

    from deliver.audio.mp3 import FRAME_RATE, export_mp3, ffmpeg, silence, split_mp3
    from deliver.audio.mp3join import frames

    clicks = (1.0, 2.5, 4.2)
    burst = b"".join(struct.pack("<h", int(12000 * math.sin(k * 0.3))) for k in range(2400))
    pcm = bytearray(silence(5.0))
    for t in clicks:
        at = round(t * FRAME_RATE) * 2
        pcm[at : at + len(burst)] = burst
    source = tmp_path / "section.mp3"
    export_mp3(bytes(pcm), source, {"title": "节"})
    clips = split_mp3(source, [t - 0.2 for t in clicks], tmp_path, "clip")
    assert [c.name for c in clips] == [f"clip-{i:04d}.mp3" for i in range(4)]
    assert b"".join(c.read_bytes() for c in clips) == bytes(frames(source).audio)  # they tile it, frame by frame
    for clip in clips[1:]:
        raw = subprocess.run([ffmpeg(), "-v", "quiet", "-i", str(clip), "-f", "s16le", "-ac", "1", "-"],
                             capture_output=True, check=True).stdout  # fmt: skip
        samples = array.array("h", raw)
        onset = next(x for x in range(len(samples)) if abs(samples[x]) > 3000)
        assert abs(onset - 0.2 * FRAME_RATE) <= 900  # the nearest frame boundary (12 ms), the decoder's lead-in
    twice = split_mp3(source, [1.0, 1.001], tmp_path, "close")  # two cuts in one frame: cut another way
    assert len(twice) == 3 and all(p.exists() for p in twice)


def test_sections_are_heard_in_the_whole_track_exactly_where_the_cues_say(tmp_path: Path) -> None:
    """Each part gets a click at a known sample: found in the joined track where `join` says, to the sample."""
    import array
    import math
    import struct
    import subprocess

    from deliver.audio.mp3 import FRAME_RATE, export_mp3, ffmpeg, silence
    from deliver.audio.mp3join import join

    quiet = (10000, 7777, 12345)
    for i, q in enumerate(quiet):
        burst = b"".join(struct.pack("<h", int(12000 * math.sin(k * 0.3))) for k in range(4800))
        export_mp3(b"\0\0" * q + burst + silence(0.2), tmp_path / f"{i}.mp3", {"title": str(i)})
    export_mp3(silence(1.0), tmp_path / "gap.mp3", {})
    starts = join([tmp_path / f"{i}.mp3" for i in range(3)], tmp_path / "gap.mp3", tmp_path / "whole.mp3")
    raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(tmp_path / "whole.mp3"), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout  # fmt: skip
    samples = array.array("h", raw)
    for start, q in zip(starts, quiet, strict=True):
        expected = round(start * FRAME_RATE) + q
        onset = next(x for x in range(expected - 2000, len(samples)) if abs(samples[x]) > 3000)
        assert abs(onset - expected) <= 2
