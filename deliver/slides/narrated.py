"""The narrated deck: each slide carries its span of the narration and advances when it ends, so
"play from start" in PowerPoint or LibreOffice runs the whole speech hands-free.

Point slides get the audio between the pauses around their point (the clips tile each section,
so the slide times add up to the narration); a point continued over several slides is split by
the share of text on each. The title slide carries the salutation; agenda and dividers advance
after a short silence. The windows are the show's timeline (`showtime`), shared with the page and video.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.parts.image import ImagePart
from pptx.parts.media import MediaPart

from deliver.audio import Soundtrack, cut_mp3, split_mp3
from deliver.slides import ooxml
from deliver.slides.plan import Deck
from deliver.slides.showtime import SlideWindow, narrated_windows

if TYPE_CHECKING:
    from pptx.parts.image import Image
    from pptx.presentation import Presentation as PresentationType

_ICON: Final = (-914400, 0, 457200, 457200)
"""The audio icon's box (EMU): left of the slide, so it never shows during the show."""


@dataclass(frozen=True)
class Span:
    """A stretch of a section's audio file that one slide plays."""

    source: Path
    start: float
    end: float


def slide_spans(deck: Deck, soundtrack: Soundtrack, windows: tuple[SlideWindow, ...]) -> dict[int, Span]:
    """Slide index → the audio it plays: its window's stretch of speech.mp3, within its section's file."""
    out: dict[int, Span] = {}
    by_index = {a.index: (a, start) for a, start in zip(soundtrack.sections, soundtrack.starts, strict=True)}
    for index, window in enumerate(windows):
        if window.source_start is None or window.source_end is None or window.section not in by_index:
            continue
        audio, offset = by_index[window.section]
        start = max(0.0, window.source_start - offset)
        end = min(audio.duration, window.source_end - offset)
        if end > start:
            out[index] = Span(audio.path, round(start, 3), round(end, 3))
    return out


def write_narrated_deck(plain: Path, out: Path, deck: Deck, soundtrack: Soundtrack, workdir: Path) -> None:
    """Copy of the deck at `plain` with narration and auto-advance on every slide, written to `out`."""
    prs = Presentation(str(plain))
    windows = narrated_windows(deck, soundtrack)
    spans = slide_spans(deck, soundtrack, windows)
    clips = _clips(spans, workdir)
    media: dict[str, Path] = {}
    icon = None
    for index, slide in enumerate(prs.slides):
        span, window = spans.get(index), windows[index]
        # The slide advances when its window on the show's timeline ends (a held title and the pause
        # between sections play as silence after the clip), so the deck runs as the page and video do.
        ms = round((window.end - window.start) * 1000)
        if span is None:
            ooxml.set_advance(slide._element, ms)
            continue
        # Every clip is different audio: python-pptx's get_or_add_media_part would hash every media part
        # already in the package on each call (quadratic in the slides); name the part ourselves instead.
        # Its bytes go in when the deck is written (`_save_storing`): the part is a placeholder till then.
        name = f"ppt/media/media{index + 1}.mp3"
        media[name] = clips[index]
        part = MediaPart(PackURI(f"/{name}"), "audio/mpeg", prs.part.package, b"")
        audio_rid = slide.part.relate_to(part, RT.AUDIO)
        media_rid = slide.part.relate_to(part, RT.MEDIA)
        if icon is None:
            icon = ImagePart.new(prs.part.package, _icon_image())
        image_rid = slide.part.relate_to(icon, RT.IMAGE)
        shape_id = max([int(e.get("id")) for e in slide._element.iter() if e.tag.endswith("}cNvPr")] + [1]) + 1
        pic = ooxml.audio_pic_xml(shape_id, audio_rid, media_rid, image_rid, _ICON)
        played = round((span.end - span.start) * 1000)
        ooxml.set_advance(slide._element, ms, ooxml.audio_timing_xml(shape_id, played), pic)
    _save_storing(prs, out, media)


def _save_storing(prs: PresentationType, out: Path, media: dict[str, Path]) -> None:
    """`prs` written to `out` with each of `media`'s parts (member name → file) read from its file and stored
    as it is: mp3 is compressed already, and deflating it again took most of a long deck's time for a file
    1 % smaller. The rest of the package is deflated as python-pptx writes it; the clips never sit in memory
    together."""
    shell = io.BytesIO()
    prs.save(shell)  # the media parts are empty placeholders: a small package
    with zipfile.ZipFile(shell) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as deck:
        for entry in source.infolist():
            if entry.filename in media:
                deck.write(media[entry.filename], entry.filename, compress_type=zipfile.ZIP_STORED)
            else:
                deck.writestr(entry.filename, source.read(entry), compress_type=entry.compress_type)


def _clips(spans: dict[int, Span], workdir: Path) -> dict[int, Path]:
    """Slide index → its clip: each section's file split once at its slides' boundaries (the spans of a
    section tile it; sections are split on every core); spans that do not tile their file are cut one by one."""
    by_source: dict[Path, list[tuple[int, Span]]] = {}
    for index, span in sorted(spans.items()):
        by_source.setdefault(span.source, []).append((index, span))

    def clip_section(n: int, source: Path, group: list[tuple[int, Span]]) -> dict[int, Path]:
        tiled = group[0][1].start == 0 and all(a.end == b.start for (_, a), (_, b) in pairwise(group))
        if tiled:
            paths = split_mp3(source, [span.end for _, span in group[:-1]], workdir, f"section-{n:03d}")
            return {index: path for (index, _), path in zip(group, paths, strict=True)}
        cut = {index: workdir / f"slide-{index + 1:04d}.mp3" for index, _ in group}
        for index, span in group:
            cut_mp3(span.source, span.start, span.end, cut[index])
        return cut

    clips: dict[int, Path] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for part in pool.map(lambda job: clip_section(*job), [(n, s, g) for n, (s, g) in enumerate(by_source.items())]):
            clips.update(part)
    return clips


def _icon_image() -> Image:
    """A small speaker-grey PNG as the audio object's picture (PowerPoint requires one)."""
    from pptx.parts.image import Image

    return Image.from_blob(_png(16, 16, (128, 128, 128)), "narration.png")


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
