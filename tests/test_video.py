"""video.mp4 as built: its length is the narration's, the frame on screen mid-window is the slide the
renderer draws, chapters are the sections, the subtitle track carries speech.srt, burned subtitles show,
and a 500-slide deck is drawn and encoded one picture at a time. The sample is narrated by espeak.

Slow (a narrated build, then ffmpeg): about a minute. The project has no `slow` marker yet.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import tracemalloc
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and encodes videos with ffmpeg

pytest.importorskip("pylopdf_fonts_zh_cn", reason="the video extra is not installed: pip install -e .[video]")
from PIL import Image, ImageChops, ImageStat

from deliver.audio import decoded_seconds
from deliver.audio.video import Chapter, Still, write_video
from deliver.model import Point, Section, Speech
from deliver.pipeline import BuildOptions, build
from deliver.slides import load_theme, plan_deck
from deliver.slides.draw import draw_slide, slide_pictures

FFMPEG = __import__("imageio_ffmpeg").get_ffmpeg_exe()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
SHORT = ROOT / "tests" / "speeches" / "zh-dun-paren.txt"


def ffmpeg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FFMPEG, "-hide_banner", *args], capture_output=True, text=True, check=False)


def duration_of(path: Path) -> float:
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", ffmpeg("-i", str(path)).stderr).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def frame_at(video: Path, seconds: float, out: Path) -> Image.Image:
    ffmpeg("-loglevel", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1", str(out))
    return Image.open(out).convert("RGB")


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0–255."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("video")
    options = BuildOptions(out_dir=out, engine="espeak", video=True, video_size=(960, 540), zip=False, embed=False)
    return build(SAMPLE, options)


def _deck(result):
    theme = load_theme("default")
    return plan_deck(result.speech, theme)[0], theme


def test_the_video_lasts_as_long_as_the_narration(built) -> None:
    video, audio = built.folder / "video.mp4", built.folder / "audio" / "speech.mp3"
    assert abs(duration_of(video) - decoded_seconds(audio)) < 0.1


def test_the_frame_mid_window_is_the_slide_the_renderer_draws(built, tmp_path: Path) -> None:
    import json

    windows = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))["slides"]["windows"]
    shown = [w for w in windows if w["end"] - w["start"] > 1.0]
    deck, theme = _deck(built)
    for w in shown[:: max(1, len(shown) // 5)]:
        frame = frame_at(built.folder / "video.mp4", (w["start"] + w["end"]) / 2, tmp_path / "f.png")
        expected, _ = draw_slide(deck, w["slide"] - 1, theme, 960, 540)
        other, _ = draw_slide(deck, (w["slide"] % len(deck.slides)), theme, 960, 540)
        assert difference(frame, expected) < 2.5, w
        assert difference(frame, other) > 2 * difference(frame, expected), w


def test_there_is_a_chapter_per_section(built) -> None:
    dumped = ffmpeg("-loglevel", "error", "-i", str(built.folder / "video.mp4"), "-f", "ffmetadata", "-").stdout
    titles = re.findall(r"^\[CHAPTER\]\n(?:.*\n)*?title=(.*)$", dumped, flags=re.M)
    bases = [int(n) / int(d) for n, d in re.findall(r"^TIMEBASE=(\d+)/(\d+)$", dumped, flags=re.M)]
    starts = [int(s) * b for s, b in zip(re.findall(r"^START=(\d+)$", dumped, flags=re.M), bases, strict=True)]
    assert titles == [s.title for s in built.speech.sections]
    assert starts == pytest.approx(list(built.soundtrack.starts), abs=0.1)


def test_the_subtitle_track_has_the_cues_of_speech_srt(built) -> None:
    track = ffmpeg("-loglevel", "error", "-i", str(built.folder / "video.mp4"), "-map", "0:s:0", "-f", "srt", "-")
    srt = (built.folder / "subtitles" / "speech.srt").read_text(encoding="utf-8")
    cue = re.compile(r"(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)\n(.+)")
    ours, theirs = cue.findall(srt), cue.findall(track.stdout)
    assert len(ours) > 20
    assert [c[2] for c in theirs] == [c[2] for c in ours]
    assert [c[0] for c in theirs] == [c[0] for c in ours]


def test_burned_subtitles_show_in_the_picture(tmp_path: Path) -> None:
    options = BuildOptions(out_dir=tmp_path, engine="espeak", video=True, subtitles="burn", video_size=(960, 540),
                           zip=False, embed=False)  # fmt: skip
    result = build(SHORT, options)
    cue = max(result.soundtrack.subtitles, key=lambda c: c.end - c.start)
    at = (cue.start + cue.end) / 2
    index = next(
        i for i, s in enumerate(plan_deck(result.speech, load_theme("default"))[0].slides)
        if s.point_index == cue.point and s.page == 1
    )  # fmt: skip
    deck, theme = _deck(result)
    frame = frame_at(result.folder / "video.mp4", at, tmp_path / "f.png")
    drawn, _ = draw_slide(deck, index, theme, 960, 540)
    band = (0, 380, 960, 500)  # where libass puts the bottom line of a 540-line picture
    assert difference(frame.crop(band), drawn.crop(band)) > 8
    assert difference(frame.crop((0, 0, 960, 300)), drawn.crop((0, 0, 960, 300))) < 2.5


def _long_speech(points: int) -> Speech:
    said = tuple(
        Point(text=f"第{n}点的内容。", headline=f"要点{n}", bullets=(f"要点{n}的一句话",)) for n in range(points)
    )
    section = Section("正文", "body", said)
    return Speech(title="五百张幻灯片", language="zh", salutation=None, sections=(section,))


def test_a_500_slide_deck_is_drawn_and_encoded_one_picture_at_a_time(tmp_path: Path) -> None:
    theme = load_theme("default")
    deck, _ = plan_deck(_long_speech(500), theme)
    assert len(deck.slides) > 500
    pictures = slide_pictures(deck, theme, 320, 180, tmp_path / "frames")
    assert inspect.isgenerator(pictures)
    tracemalloc.start()
    paths = list(pictures)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(paths) == len(deck.slides)
    assert peak < 20 * 320 * 180 * 3  # twenty frames' worth at most, not five hundred
    stills = [Still(p, n * 0.2, (n + 1) * 0.2) for n, p in enumerate(paths)]
    total = len(stills) * 0.2
    audio, srt = tmp_path / "silence.mp3", tmp_path / "s.srt"
    ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=24000:cl=mono", "-t", f"{total}", str(audio))
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\n五百\n", encoding="utf-8")
    write_video(tmp_path / "v.mp4", stills, audio, srt, [Chapter("正文", 0, total)], total, (320, 180))
    assert abs(duration_of(tmp_path / "v.mp4") - total) < 0.1
    ffmpeg("-loglevel", "error", "-i", str(tmp_path / "v.mp4"), "-fps_mode", "passthrough", "-update", "1",
           str(tmp_path / "last.png"))  # fmt: skip
    last = Image.open(tmp_path / "last.png").convert("RGB")
    assert difference(last, Image.open(paths[-1]).convert("RGB")) < 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--video", "--no-audio"], "--video needs the narration"),
        (["--video", "--video-size", "1921x1080"], "give even numbers"),
        (["--video", "--video-size", "big"], "write WIDTHxHEIGHT"),
        (["--video", "--subtitles", "karaoke"], "choose soft or burn"),
    ],
)
def test_bad_video_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from deliver.cli import main; main()", "build", str(SAMPLE), "-o", str(tmp_path),
         *args],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr and "Traceback" not in done.stderr
