"""video.mp4 of a package on the show's timeline (the narrated deck's and the page's): the slides drawn,
the narration with the holds as silence, chapters and subtitles, handed to the audio stage's encoder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from deliver.files import write_text

if TYPE_CHECKING:
    from deliver.audio import Chapter, Soundtrack, Still
    from deliver.model import Cue, Speech
    from deliver.package import SlideWindow
    from deliver.slides import Deck, Theme


def write_show_video(
    stage: Path, speech: Speech, deck: Deck, theme: Theme, windows: list[SlideWindow], soundtrack: Soundtrack,
    size: tuple[int, int], subtitles: str, step: Callable[[str, int, int], None],
) -> None:  # fmt: skip
    """video.mp4 on the show's timeline (the deck's and the page's): each slide with a window drawn once
    into a scratch folder with the show's audio and subtitles, encoded, the folder removed."""
    from deliver.audio import SubtitleStyle, write_video
    from deliver.slides import SUBTITLE_FONT, colours, font_folder, slide_pictures

    scratch = stage / ".video"
    width, height = size
    shown = {w.slide - 1 for w in windows if w.end > w.start}
    pictures = {}
    for n, path in enumerate(slide_pictures(deck, theme, width, height, scratch, shown), start=1):
        step("drawing slides for video.mp4", n, len(shown))
        pictures[int(path.stem.split("-")[1]) - 1] = path
    step("writing the show's audio for video.mp4", 0, 0)
    stills, chapters, cues = show_media(speech, windows, soundtrack, pictures, scratch)
    palette = colours(theme)
    burn = None
    if subtitles == "burn":
        burn = SubtitleStyle(font_folder(), SUBTITLE_FONT, readable_on(palette["accent"]), palette["accent"])
    step("encoding video.mp4", 0, 0)
    write_video(stage / "video.mp4", stills, scratch / "show.wav", scratch / "show.srt", chapters,
                windows[-1].end if windows else 0.0, size, burn, speech.title,
                "chi" if speech.language == "zh" else "eng", [t for cue in cues for t in (cue.start, cue.end)])  # fmt: skip
    shutil.rmtree(scratch)


def show_media(
    speech: Speech, windows: list[SlideWindow], soundtrack: Soundtrack, pictures: dict[int, Path], scratch: Path
) -> tuple[list[Still], list[Chapter], list[Cue]]:
    """The video's stills, chapters and subtitles on the show's timeline, and its audio: speech.mp3 with
    the holds inserted as silence where the narrated deck holds (scratch/show.wav, scratch/show.srt)."""
    from deliver.audio import Chapter, Still, Stretch, ffmpeg_exe, srt, write_show_audio
    from deliver.slides import to_show

    stretches = [
        Stretch(None if w.source_start is None or w.source_end is None else (w.source_start, w.source_end), w.end)
        for w in windows
    ]
    write_show_audio(scratch.parent / "audio" / "speech.mp3", stretches, scratch / "show.wav", ffmpeg_exe())
    shift = to_show(windows)
    cues = [replace(c, start=shift(c.start), end=shift(c.end), words=()) for c in soundtrack.subtitles]
    write_text(scratch / "show.srt", srt(cues))
    # A chapter starts where its section's first slide (its divider) comes up, as the page's sections do:
    # to_show of the section's first word would land after the divider's hold.
    first = {w.section: w.start for w in reversed(windows)}
    starts = [first.get(s.index, shift(t)) for s, t in zip(soundtrack.sections, soundtrack.starts, strict=True)]
    ends = [*starts[1:], windows[-1].end if windows else 0.0]
    chapters = [Chapter(speech.sections[s.index].title, start, end)
                for s, start, end in zip(soundtrack.sections, starts, ends, strict=True)]  # fmt: skip
    stills = [Still(pictures[w.slide - 1], w.start, w.end) for w in windows if w.slide - 1 in pictures]
    return stills, chapters, cues


def readable_on(background: str) -> str:
    """White or near-black text, whichever reads better on `background` (RRGGBB)."""
    r, g, b = (int(background[i : i + 2], 16) for i in (0, 2, 4))
    return "111111" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "FFFFFF"
