"""`deliver fonts`: the Chinese face each theme's deck names, what this machine shows for it, and the
per-user fontconfig aliases that make a Linux machine show 仿宋/黑体 decks in the intended family."""

from __future__ import annotations

import sys

import typer

from deliver import defaults
from deliver.cli.common import DECK_FONTS_HELP, app


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
