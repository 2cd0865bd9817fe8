"""`build()`: read → parse → plan deck → render → package. Owns ordering and progress; no stage prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from deliver import package
from deliver.files import write_json, write_text
from deliver.model import Notice, Speech, speech_to_dict
from deliver.pacing import estimate, timing_markdown, timing_to_dict
from deliver.reading import Source, read_source
from deliver.structure import parse

Progress = Callable[[str], None]
"""Receives a short description of the step that starts now."""


@dataclass(frozen=True)
class BuildOptions:
    """Everything `build` needs besides the speech; validated where each value is used first."""

    out_dir: Path = Path("output")
    theme: str = "default"
    audio: bool = True
    force: bool = False
    rate: str | float | None = None
    target_minutes: float | None = None
    meta: dict[str, str] = field(default_factory=dict)
    """Title-slide details that override front matter: date, occasion, speaker."""


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    speech: Speech
    files: tuple[str, ...]
    notices: tuple[Notice, ...]


def load(path: str | Path, stdin: BinaryIO | None = None) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech; the notices say what was dropped as web noise."""
    source = read_source(path, stdin)
    notices = tuple(Notice("read", f"dropped web noise: {line}") for line in source.removed)
    return source, parse(source), notices


def build(path: str | Path, options: BuildOptions, progress: Progress | None = None, stdin: BinaryIO | None = None) -> BuildResult:
    """Build the package for one speech into `options.out_dir/<slug>/`, replacing a previous one whole."""
    from deliver.slides import plan_deck, render_deck
    from deliver.themes import load_theme

    step = progress or (lambda _: None)
    step("reading")
    source, speech, notices = load(path, stdin)
    if options.meta:
        speech = replace(speech, meta={**speech.meta, **options.meta})
    timing = estimate(speech, options.rate, options.target_minutes)
    theme = load_theme(options.theme)
    target = options.out_dir / package.slug(speech.title)
    package.check_target(target, options.force)
    stage = package.staging(options.out_dir, target.name)
    try:
        step("planning slides")
        deck, deck_notices = plan_deck(speech, theme)
        step("rendering deck.pptx")
        render_deck(deck, theme, stage / "deck.pptx")
        write_json(stage / "outline.json", speech_to_dict(speech))
        write_json(stage / "timing.json", timing_to_dict(timing))
        write_text(stage / "timing.md", timing_markdown(timing, speech.title))
        notices += deck_notices
        if options.audio:
            notices += (Notice("voice", "narration is not part of this version yet: built the deck, outline and timing", "warning"),)
        step("writing manifest")
        _manifest(stage, source, speech, options, notices)
        files = tuple(e["path"] for e in package.file_entries(stage)) + (package.MANIFEST,)
        package.swap_in(stage, target)
    except BaseException:
        package.discard(stage)
        raise
    return BuildResult(target, speech, files, notices)


def _manifest(stage: Path, source: Source, speech: Speech, options: BuildOptions, notices: tuple[Notice, ...]) -> None:
    write_json(
        stage / package.MANIFEST,
        {
            "generator": package.generator(),
            "source": {"name": source.name, "sha256": source.sha256, "encoding": source.encoding},
            "options": {
                "theme": options.theme,
                "audio": options.audio,
                "rate": options.rate,
                "target_minutes": options.target_minutes,
                "meta": options.meta,
            },
            "speech": {
                "title": speech.title,
                "language": speech.language,
                "sections": len(speech.sections),
                "points": len(speech.points),
            },
            "notices": [{"stage": n.stage, "level": n.level, "message": n.message} for n in notices],
            "files": package.file_entries(stage),
        },
    )
