"""video.mp4: one still per slide shown for its window, the narration, a chapter per section and the
subtitles (a soft mov_text track, optionally burned in) — encoded by imageio-ffmpeg's ffmpeg.

Fast by construction: the concat demuxer gets each picture with its duration (variable frame rate, a
frame at least every TICK), so a 9-minute speech is ≈ 600 frames, encoded in seconds. Burned subtitles
need a frame wherever a cue starts or ends: the windows are cut there too (`split_at`), still one frame
per piece — not a steady 25 frames a second.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from deliver.errors import MissingTool, OutputError

SubtitleMode = Literal["soft", "burn"]
TIMEBASE: Final = 1000
"""Chapter and frame times are written in ms."""
TICK: Final = 1.0
"""Longest a frame lasts, in seconds: a slide up for a minute is repeated each second (duplicate frames
cost x264 next to nothing), so a player or `ffmpeg -ss` seeking into the middle of it finds it there."""
KEYFRAMES: Final = 30
"""A keyframe every this many frames (≈ seconds): a seek decodes at most this many small frames."""


@dataclass(frozen=True)
class Still:
    """One picture on screen from `start` to `end` seconds (windows tile the timeline)."""

    picture: Path
    start: float
    end: float


@dataclass(frozen=True)
class Chapter:
    """A section's chapter, in seconds."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class SubtitleStyle:
    """How burned subtitles look: the font family libass finds in `fonts`, colours RRGGBB."""

    fonts: Path
    family: str
    text: str
    box: str


def split_at(stills: Sequence[Still], cuts: Sequence[float]) -> list[Still]:
    """`stills` cut into pieces at each of `cuts` (seconds) inside their windows: the same picture,
    one frame per piece, so a filter drawing by time (burned subtitles) changes exactly at the cuts."""
    ordered = sorted(set(cuts))
    pieces: list[Still] = []
    at = 0
    for still in stills:
        begin = still.start
        while at < len(ordered) and ordered[at] <= still.start:
            at += 1
        inner = at
        while inner < len(ordered) and ordered[inner] < still.end:
            if ordered[inner] - begin > 0.0005:
                pieces.append(Still(still.picture, begin, ordered[inner]))
                begin = ordered[inner]
            inner += 1
        pieces.append(Still(still.picture, begin, still.end))
    return pieces


def concat_list(stills: Sequence[Still], duration: float) -> str:
    """The concat demuxer's script: each picture with its duration (empty windows left out); the last
    picture is named twice, as the demuxer needs, and stretched to `duration` seconds."""
    shown = [s for s in stills if s.end - s.start > 0.0005]
    lines = ["ffconcat version 1.0"]
    for n, still in enumerate(shown):
        end = duration if n + 1 == len(shown) else shown[n + 1].start
        lines += [f"file {_quote(still.picture.name)}", f"duration {max(end - still.start, 0.001):.3f}"]
    if shown:
        lines.append(f"file {_quote(shown[-1].picture.name)}")
    return "\n".join(lines) + "\n"


def _quote(name: str) -> str:
    return "'" + name.replace("'", "'\\''") + "'"


def ffmetadata(chapters: Sequence[Chapter]) -> str:
    """An ffmetadata file with one [CHAPTER] per section (ms), titles escaped as ffmpeg wants."""
    out = [";FFMETADATA1"]
    for c in chapters:
        title = "".join("\\" + ch if ch in "=;#\\\n" else ch for ch in c.title)
        start, end = round(c.start * TIMEBASE), round(c.end * TIMEBASE)
        out += ["[CHAPTER]", f"TIMEBASE=1/{TIMEBASE}", f"START={start}", f"END={max(end, start + 1)}", f"title={title}"]
    return "\n".join(out) + "\n"


def _ass_colour(hex_colour: str, alpha: int = 0) -> str:
    return f"&H{alpha:02X}{hex_colour[4:6]}{hex_colour[2:4]}{hex_colour[0:2]}".upper()


def burn_filter(srt: str, style: SubtitleStyle, height: int) -> str:
    """The libass `subtitles` filter for `srt` (a plain file name in ffmpeg's working folder)."""
    size = round(height / 1080 * 22)  # libass scales from its 288-line script height: 22 ≈ 80 px at 1080p
    force = ",".join(
        [
            f"FontName={style.family}",
            f"FontSize={size}",
            f"PrimaryColour={_ass_colour(style.text)}",
            f"BackColour={_ass_colour(style.box)}",
            f"OutlineColour={_ass_colour(style.box)}",
            "BorderStyle=3,Outline=2,Shadow=0,MarginV=24",
        ]
    )
    return f"subtitles=filename={srt}:fontsdir=fonts:charenc=UTF-8:force_style='{force}'"


def ffmpeg_exe() -> str:
    """imageio-ffmpeg's ffmpeg (it has libx264, AAC, mov_text and libass)."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise MissingTool(f"ffmpeg is missing ({exc}): pip install imageio-ffmpeg") from None


def write_video(
    out: Path,
    stills: Sequence[Still],
    audio: Path,
    srt: Path,
    chapters: Sequence[Chapter],
    duration: float,
    size: tuple[int, int],
    burn: SubtitleStyle | None = None,
    title: str = "",
    language: str = "und",
    cuts: Sequence[float] = (),
) -> None:
    """Encode `out` (H.264 + AAC + mov_text, chapters) from `stills` (all in one folder), `audio` and
    `srt`. `burn` also draws the subtitles into the picture, with a frame at each of `cuts` (the cue
    times); `language` is an ISO 639-2 code ("chi", "eng"). Raises OutputError when ffmpeg fails."""
    work = stills[0].picture.parent
    ticks = [n * TICK for n in range(1, int(duration / TICK) + 1)]
    pieces = split_at(stills, [*ticks, *(cuts if burn is not None else ())])
    (work / "list.ffconcat").write_text(concat_list(pieces, duration), encoding="utf-8")
    (work / "chapters.txt").write_text(ffmetadata(chapters), encoding="utf-8")
    shutil.copyfile(srt, work / "speech.srt")
    video = ["-fps_mode", "vfr"]
    if burn is not None:
        fonts = work / "fonts"
        fonts.mkdir(exist_ok=True)
        for face in burn.fonts.glob("*.otf"):
            shutil.copyfile(face, fonts / face.name)
        video = [*video, "-vf", burn_filter("speech.srt", burn, size[1])]
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", "list.ffconcat", "-i", str(audio.resolve()),
        "-i", "speech.srt", "-f", "ffmetadata", "-i", "chapters.txt",
        "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map_chapters", "3", "-metadata", f"title={title}",
        "-metadata:s:s:0", f"language={language}", "-metadata:s:a:0", f"language={language}",
        *video, "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "20", "-g", str(KEYFRAMES),
        "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-threads", "2",
        "-c:a", "aac", "-b:a", "96k", "-c:s", "mov_text", "-t", f"{duration:.3f}",
        "-movflags", "+faststart", str(out.resolve()),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise OutputError(f"ffmpeg could not write {out.name}: {done.stderr.strip()[-300:]}")
