"""`deliver timing`: the speaking time per section as a table or JSON, at a pace or a measured one, with
what to cut for a target."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from deliver.cli.common import PACE_HELP, SpeechArg, TitleOption, app, console, esc, renamed
from deliver.errors import InputError, OptionError

if TYPE_CHECKING:
    from deliver.timing import Calibration, Timing


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
    from deliver.timing import check_pace, check_target, estimate, timing_to_dict

    pace = renamed("--rate", "--pace", old_rate, pace, "timing")
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
        console.print(
            f"your measured pace from {calibration.attempts} rehearsal(s): {calibration.rate:.0f} {result.unit}/min"
        )
    console.print(_table(parsed.title, result))
    if result.target_seconds is not None:
        _verdict(result, result.target_seconds)


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


def _table(title: str, result: Timing) -> Table:
    """One row per section: its size, estimate, start and share, and with a target what to cut."""
    from deliver.timing import clock

    table = Table(title=f"{esc(title)} — {clock(result.total_seconds)} at {result.rate:g} {result.unit}/min")
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
        row = [str(i), esc(s.title), str(s.units), clock(s.seconds), clock(s.start), f"{s.share:.0%}"]
        if result.target_seconds is not None:
            row.append(f"{clock(s.cut)}" if s.cut else "")
        table.add_row(*row)
    return table


def _verdict(result: Timing, target_seconds: float) -> None:
    """Whether the speech fits the target, and how much to cut from which section if not."""
    from deliver.timing import clock

    verdict = f"over by {clock(result.over_seconds)}: cut the sections marked" if result.over_seconds else "fits"
    console.print(f"target {clock(target_seconds)}: {verdict}")
    for s in (s for s in result.sections if s.cut):
        console.print(f"  cut ≈{round(s.cut * result.rate / 60)} {result.unit} ({clock(s.cut)}) from {esc(s.title)}")
