"""`deliver said`: what the voice will say, line by line, and the spots to confirm, before any synthesis."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from deliver.cli.common import SpeechArg, app, say

if TYPE_CHECKING:
    from deliver.voices.said import SaidLine


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
        say("note: the text every engine is given; pinyin as Kokoro reads it (eSpeak has its own rules)")
    shown = -1
    for line in lines:
        if not only_risky and line.section != shown:
            sys.stdout.write(f"== {line.section + 1} {parsed.sections[line.section].title} ==\n")
            shown = line.section
        sys.stdout.write(_said_text(line, only_risky))


def _said_text(line: SaidLine, only_risky: bool) -> str:
    """One line of `deliver said`: the spoken form, then each risky spot with its lexicon fix."""
    where = "salutation" if line.point is None else f"slide {line.point + 1}"
    risks = [f"  ! {where}: {r.written} → {r.said}" + (f" ({r.reading})" if r.reading else "")
             + f" — {r.note}; lexicon: {r.fix}\n" for r in line.risks]  # fmt: skip
    return "".join(risks) if only_risky else f"[{where}] {line.said}\n" + "".join(risks)
