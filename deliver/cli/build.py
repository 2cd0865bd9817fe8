"""`deliver build`: every build option in one place, turned into `BuildOptions` for `pipeline.build`."""

from __future__ import annotations

from pathlib import Path

import typer

from deliver import defaults
from deliver.cli.common import DECK_FONTS_HELP, PACE_HELP, SpeechArg, TitleOption, app, console, renamed, show_notices
from deliver.cli.progress import reporter
from deliver.cli.run import check_stopped
from deliver.errors import OptionError


@app.command()
def build(
    speech: str = SpeechArg,
    out: Path = typer.Option(
        defaults.OUT_DIR, "--out", "-o", help="Folder that receives <slug>/ (created if missing)."
    ),
    theme: str = typer.Option(
        defaults.THEME, "--theme", help="Theme name (see `deliver themes`), a .toml file or a .pptx template."
    ),
    no_audio: bool = typer.Option(False, "--no-audio", help="Build the deck and timing only."),
    engine: str = typer.Option(
        defaults.ENGINE, "--engine", help="Voice engine: auto, edge, kokoro, piper, espeak (auto falls back offline)."
    ),
    voice: str | None = typer.Option(None, "--voice", help="Voice name (see `deliver voices`) or a piper .onnx file."),
    voice_rate: str | None = typer.Option(None, "--voice-rate", help="The voice's speed change, e.g. +10% or -5%."),
    old_rate: str | None = typer.Option(None, "--rate", hidden=True, help="Old name of --voice-rate."),
    speed: float | None = typer.Option(
        None, "--speed", help="The voice's speed as a factor (1.1 = --voice-rate +10%)."
    ),
    pitch: str | None = typer.Option(None, "--pitch", help="Voice pitch change, e.g. -5Hz."),
    volume: str | None = typer.Option(None, "--volume", help="Voice volume change, e.g. +10%."),
    concurrency: int = typer.Option(defaults.CONCURRENCY, "--concurrency", help="Chunks synthesized at once."),
    lexicon: Path | None = typer.Option(
        None, "--lexicon", help='Pronunciation lexicon (TOML: [zh] 词 = "pin1 yin1", [en] word = "respelling").'
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Synthesis cache (default: the per-user cache folder)."
    ),
    pace: str | None = typer.Option(None, "--pace", help=PACE_HELP),
    target: float | None = typer.Option(None, "--target", help="Minutes you have (timing report)."),
    date: str | None = typer.Option(None, "--date", help="Date for the title slide."),
    occasion: str | None = typer.Option(None, "--occasion", help="Occasion for the title slide."),
    speaker: str | None = typer.Option(None, "--speaker", help="Speaker for the title slide."),
    title: str | None = TitleOption,
    no_zip: bool = typer.Option(False, "--no-zip", help="Skip <out>/<slug>.zip."),
    no_embed: bool = typer.Option(
        False, "--no-embed", help="No deck-narrated.pptx (the deck with audio and auto-advance)."
    ),
    video: bool = typer.Option(False, "--video", help="Also write video.mp4: slides, narration, chapters, subtitles."),
    video_size: str = typer.Option(
        "x".join(map(str, defaults.VIDEO_SIZE)), "--video-size", help="video.mp4's size in px, WxH."
    ),
    subtitles: str = typer.Option(
        defaults.SUBTITLES, "--subtitles", help="In video.mp4: soft (a track) or burn (drawn in too)."
    ),
    deck_fonts: str = typer.Option(defaults.DECK_FONTS, "--deck-fonts", help=DECK_FONTS_HELP),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder that deliver did not make."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no notes; warnings and errors only."),
) -> None:
    """Build the package for SPEECH: deck, narration, subtitles, timing report and manifest."""
    from deliver.pipeline import BuildOptions
    from deliver.pipeline import build as run
    from deliver.voices import parse_prosody

    meta = {k: v for k, v in (("date", date), ("occasion", occasion), ("speaker", speaker)) if v}
    prosody = parse_prosody(renamed("--rate", "--voice-rate", old_rate, voice_rate, "build"), pitch, volume, speed)
    options = BuildOptions(
        out_dir=out, theme=theme, audio=not no_audio, force=force, pace=pace, target_minutes=target, meta=meta,
        engine=engine, voice=voice, prosody=prosody, concurrency=concurrency, cache_dir=cache_dir,
        zip=not no_zip, embed=not no_embed, lexicon=lexicon, title=title, video=video, video_size=_size(video_size),
        subtitles=subtitles, deck_fonts=deck_fonts,
    )  # fmt: skip
    with reporter(quiet) as report:

        def progress(message: str, done: int, total: int) -> None:
            check_stopped()  # each step: a stop whose interrupt was dropped still stops the build here
            if report is not None:
                report(message, done, total)

        result = run(speech, options, progress=progress)
    show_notices(result.notices, quiet)
    if not quiet:
        console.print(f"{result.folder}", markup=False)


def _size(text: str) -> tuple[int, int]:
    """ "1920x1080" → (1920, 1080); OptionError for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        raise OptionError(f"--video-size {text!r}: write WIDTHxHEIGHT in px, e.g. 1920x1080")
    return int(width), int(height)
