"""The build's progress on a terminal: a bar with what is being done, the narration estimate above it;
nothing in pipes, CI or with --quiet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

_err = Console(stderr=True, highlight=False)
"""stderr, where the bar is drawn (stdout stays the command's result)."""


@contextmanager
def reporter(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
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
