"""`deliver outline`: the speech's structure as a tree, as JSON (a public shape) or as deck Markdown."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.tree import Tree

from deliver.cli.common import SpeechArg, TitleOption, app, console, esc, say, show_notices
from deliver.errors import OptionError
from deliver.model import Speech, speech_to_dict


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
    show_notices(notices, quiet=False)
    console.print(_outline_tree(parsed))


def _outline_tree(speech: Speech) -> Tree:
    tree = Tree(f"[bold]{esc(speech.title)}[/]  [dim]({speech.language}, {len(speech.points)} points)[/]")
    if speech.meta.cover_lines():
        tree.add(f"[dim]{esc(' · '.join(speech.meta.cover_lines()))}[/]")
    if speech.salutation:
        tree.add(f"[italic]{esc(speech.salutation)}[/]")
    for section in speech.sections:
        branch = tree.add(f"[bold cyan]{esc(section.title)}[/] [dim]{section.kind}[/]")
        for point in section.points:
            leaf = branch.add(esc(point.headline) + (" [dim](cont.)[/]" if point.continued else ""))
            for bullet in point.bullets:
                leaf.add(f"[dim]{esc(bullet)}[/]")
    return tree


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
    say(f"wrote {out}")
