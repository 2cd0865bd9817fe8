"""video.mp4 as built, on the show's timeline (the narrated deck's and the rehearsal page's): it lasts
until the last window ends, the frame on screen mid-window is the slide the renderer draws (agenda and
dividers too, silent for their hold), the narration and subtitles after a hold are shifted by it,
chapters start where each section's first slide comes up, burned subtitles show, and a 500-slide deck
is drawn and encoded one picture at a time. The sample is narrated by espeak.

Slow (a narrated build, then ffmpeg): about a minute. The project has no `slow` marker yet.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import tracemalloc
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and encodes videos with ffmpeg

pytest.importorskip("pylopdf_fonts_zh_cn", reason="the video extra is not installed: pip install -e .[video]")
import numpy as np
from PIL import Image, ImageChops, ImageStat

from deliver.audio import Stretch, write_show_audio
from deliver.audio.video import Chapter, Still, write_video
from deliver.model import Point, Section, Speech
from deliver.pipeline import BuildOptions, build
from deliver.slides import SlideWindow, load_theme, narrated_windows, plan_deck, to_show
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
    """The picture on screen at `seconds`: the last frame that starts before it. (A frame lasts until the
    next one, at most a second; `-ss` alone would give the first frame starting after `seconds`.)"""
    start = max(0.0, seconds - 2.0)
    ffmpeg("-loglevel", "error", "-y", "-ss", f"{start:.3f}", "-i", str(video), "-t", f"{seconds - start:.3f}",
           "-fps_mode", "passthrough", "-update", "1", str(out))  # fmt: skip
    return Image.open(out).convert("RGB")


def pcm(path: Path, start: float, seconds: float) -> np.ndarray:
    """`seconds` of `path`'s audio from `start`, decoded as mono 24 kHz floats (from 0: the whole start, as
    the show's audio decodes it: a seek, even to 0, decodes the first samples differently)."""
    seek = ["-ss", f"{start:.3f}"] if start else []
    raw = subprocess.run(
        [FFMPEG, "-loglevel", "error", *seek, "-t", f"{seconds:.3f}", "-i", str(path), "-map", "0:a",
         "-f", "s16le", "-ac", "1", "-ar", "24000", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768


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


def _windows(result) -> tuple[SlideWindow, ...]:
    """The show's timeline, as the narrated deck computes it; the manifest lists the same windows."""
    windows = narrated_windows(_deck(result)[0], result.soundtrack)
    listed = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))["slides"]["windows"]
    assert [w.to_dict() for w in windows] == listed
    return windows


def test_the_video_lasts_until_the_show_timeline_ends(built) -> None:
    """One timeline for deck, page and video: the video is speech.mp3 with the silent holds of the
    agenda, dividers, closing and the held title inserted, so it ends where the last window ends — not
    where speech.mp3 does (that is shorter by the holds)."""
    end = _windows(built)[-1].end
    assert end > built.soundtrack.duration + 10  # the sample's holds: title, agenda, dividers, closing
    assert abs(duration_of(built.folder / "video.mp4") - end) < 0.1


def _assert_shows(video: Path, deck, theme, w: SlideWindow, at: float, scratch: Path) -> None:
    frame = frame_at(video, at, scratch)
    expected, _ = draw_slide(deck, w.slide - 1, theme, 960, 540)
    other, _ = draw_slide(deck, (w.slide % len(deck.slides)), theme, 960, 540)
    assert difference(frame, expected) < 2.5, (w, at)
    assert difference(frame, other) > 2 * difference(frame, expected), (w, at)


def test_the_frame_mid_window_is_the_slide_the_renderer_draws(built, tmp_path: Path) -> None:
    windows = _windows(built)
    shown = [w for w in windows if w.end - w.start > 1.0]
    sampled = shown[:: max(1, len(shown) // 5)]
    silent = [w for w in windows if w.kind in ("agenda", "section")]
    assert {w.kind for w in silent} == {"agenda", "section"}
    deck, theme = _deck(built)
    for w in [*sampled, *silent[:3]]:
        _assert_shows(built.folder / "video.mp4", deck, theme, w, (w.start + w.end) / 2, tmp_path / "f.png")


def test_silent_slides_are_on_screen_and_silent_for_their_hold(built, tmp_path: Path) -> None:
    windows = _windows(built)
    deck, theme = _deck(built)
    video = built.folder / "video.mp4"
    for w in [w for w in windows if w.source_start is None][:3]:
        assert w.end - w.start >= 2.5
        for at in (w.start + 0.3, w.end - 0.3):
            _assert_shows(video, deck, theme, w, at, tmp_path / "f.png")
        hold = pcm(video, w.start + 0.1, w.end - w.start - 0.2)
        assert len(hold) > 24000 * 2 and np.abs(hold).max() < 0.01, w  # silence (AAC leaves a whisper at most)


def test_the_narration_after_a_hold_is_heard_at_its_shifted_time(built) -> None:
    windows = _windows(built)
    shift = to_show(windows)
    later = [w for w in windows if w.source_start is not None and w.start - w.source_start > 8]
    assert later  # after the title's and the agenda's holds, at least
    speech = built.folder / "audio" / "speech.mp3"
    for w in later[:: max(1, len(later) // 3)]:
        t = w.source_start + 2.0
        heard, said = pcm(built.folder / "video.mp4", shift(t), 2.0), pcm(speech, t, 2.0)
        n = min(len(heard), len(said))
        assert np.abs(said[:n]).max() > 0.05  # there is speech there to compare
        assert np.corrcoef(heard[:n], said[:n])[0, 1] > 0.9, w  # the same sound, within a few samples


def test_a_subtitle_cue_after_a_hold_appears_at_its_shifted_time(built) -> None:
    track = ffmpeg("-loglevel", "error", "-i", str(built.folder / "video.mp4"), "-map", "0:s:0", "-f", "srt", "-")
    cue = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)\n(.+)")
    shown = [(_seconds(c[0:4]), _seconds(c[4:8]), c[8]) for c in cue.findall(track.stdout)]
    said = built.soundtrack.subtitles
    assert len(said) > 20
    assert [c[2] for c in shown] == [c.text for c in said]
    shift = to_show(_windows(built))
    assert [c[0] for c in shown] == pytest.approx([shift(c.start) for c in said], abs=0.002)
    assert [c[1] for c in shown] == pytest.approx([shift(c.end) for c in said], abs=0.002)
    assert shown[-1][0] - said[-1].start > 10  # the last cue comes after every hold


def _seconds(hms: tuple[str, ...]) -> float:
    h, m, s, ms = (int(x) for x in hms)
    return h * 3600 + m * 60 + s + ms / 1000


def test_there_is_a_chapter_per_section(built) -> None:
    dumped = ffmpeg("-loglevel", "error", "-i", str(built.folder / "video.mp4"), "-f", "ffmetadata", "-").stdout
    titles = re.findall(r"^\[CHAPTER\]\n(?:.*\n)*?title=(.*)$", dumped, flags=re.M)
    bases = [int(n) / int(d) for n, d in re.findall(r"^TIMEBASE=(\d+)/(\d+)$", dumped, flags=re.M)]
    starts = [int(s) * b for s, b in zip(re.findall(r"^START=(\d+)$", dumped, flags=re.M), bases, strict=True)]
    assert titles == [s.title for s in built.speech.sections]
    first: dict[int, float] = {}
    for w in _windows(built):
        first.setdefault(w.section, w.start)
    assert starts == pytest.approx([first[s.index] for s in built.soundtrack.sections], abs=0.002)
    assert starts[1] > built.soundtrack.starts[1] + 4  # the agenda's hold (and the title's) come before it


def test_burned_subtitles_show_in_the_picture(tmp_path: Path) -> None:
    options = BuildOptions(out_dir=tmp_path, engine="espeak", video=True, subtitles="burn", video_size=(960, 540),
                           zip=False, embed=False)  # fmt: skip
    result = build(SHORT, options)
    cue = max(result.soundtrack.subtitles, key=lambda c: c.end - c.start)
    shift = to_show(_windows(result))
    at = (shift(cue.start) + shift(cue.end)) / 2
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


def test_the_show_audio_inserts_each_hold_as_silence_sample_exactly(tmp_path: Path) -> None:
    source = tmp_path / "tone.mp3"
    ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=24000:duration=8", "-ac", "1",
           str(source))  # fmt: skip
    plan = [Stretch((0.0, 2.0), 2.0), Stretch(None, 3.0), Stretch((2.0, 3.5), 5.0), Stretch((3.5, 8.0), 9.5)]
    seconds = write_show_audio(source, plan, tmp_path / "show.wav", FFMPEG)
    show = pcm(tmp_path / "show.wav", 0, 20)
    tone = pcm(source, 0, 20)
    assert seconds == 9.5 and len(show) == 9.5 * 24000
    for begin, end in [(2.0, 3.0), (4.5, 5.0)]:  # the silent slide's hold; the held rest of a short clip
        assert np.abs(show[int(begin * 24000) : int(end * 24000)]).max() == 0
    for show_at, source_at, length in [(0.0, 0.0, 2.0), (3.0, 2.0, 1.5), (5.0, 3.5, 4.5)]:
        a, n = int(show_at * 24000), int(length * 24000)
        b = int(source_at * 24000)
        assert np.array_equal(show[a : a + n], tone[b : b + n]), show_at


def test_the_show_audio_of_500_slides_streams_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "tone.mp3"
    ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=24000:duration=300", "-ac", "1",
           str(source))  # fmt: skip
    plan = [Stretch((n * 0.6, (n + 1) * 0.6), n + 1.0) if n % 5 else Stretch(None, n + 1.0) for n in range(500)]
    tracemalloc.start()
    seconds = write_show_audio(source, plan, tmp_path / "show.wav", FFMPEG)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds == 500.0
    assert peak < 2_000_000  # a few blocks, not the 24 MB of the whole show


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
