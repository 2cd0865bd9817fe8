"""The `deliver` Typer app and what every command shares: the consoles, --debug, notices, renamed options."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from deliver.errors import OptionError
from deliver.model import Notice

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn the text of a speech into a slide deck, timing and a rehearsal package.",
)
console = Console(highlight=False, soft_wrap=False)
"""stdout, for what a command shows (tables, the outline tree, the package folder)."""
debug = False
"""--debug: errors raise with their traceback instead of one line (read by `run.main` when one arrives)."""

SpeechArg = typer.Argument(..., help="Speech file (.txt, .md, .docx; UTF-8, UTF-16 or GB18030), or - for stdin.")
DECK_FONTS_HELP = (
    "Chinese faces the deck names: windows (the theme's first names: FangSong, SimHei, as PowerPoint and WPS on "
    "Windows need) or installed (the first of the theme's list this machine has: for a deck shown on Linux/Kylin/UOS)."
)
PACE_HELP = "Your speaking pace for the estimate: 字/min (zh) or words/min (en), or a preset: slow, formal, brisk."
TitleOption = typer.Option(None, "--title", help="The speech's title, when the one found in the text is not it.")


@app.callback()
def _options(tracebacks: bool = typer.Option(False, "--debug", help="Show tracebacks for errors.")) -> None:
    global debug
    debug = tracebacks


def renamed(old: str, new: str, old_value: str | None, value: str | None, command: str) -> str | None:
    """The value of an option given under its old name, with a one-line notice that it was renamed."""
    if old_value is None:
        return value
    if value is not None:
        raise OptionError(f"{old} and {new} say the same thing: give {new} only")
    say(f"warning: `deliver {command} {old}` is now {new}; {old} still works for now but will go away")
    return old_value


def say(line: str) -> None:
    """One unwrapped line on stderr (rich would wrap it at the console width)."""
    sys.stderr.write(" ".join(line.split("\n")) + "\n")
    sys.stderr.flush()


def show_notices(notices: tuple[Notice, ...], quiet: bool) -> None:
    """Each notice as one `warning: …` or `note: …` line on stderr; notes are left out when quiet."""
    for n in notices:
        if n.level == "warning" or not quiet:
            say(f"{'warning' if n.level == 'warning' else 'note'}: {n.message}")


def esc(text: str) -> str:
    """`text` shown as written in rich markup (a speech's [brackets] are not styles)."""
    from rich.markup import escape

    return escape(text)
