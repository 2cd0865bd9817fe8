"""What a command reads as its speech: a deck Markdown file taken as written, a deck deliver made read
back, or any other file parsed as a speech; and the build settings a deck Markdown file carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from deliver.errors import OutputError
from deliver.model import Notice, Speech
from deliver.speech import Source, read_deck
from deliver.speech import load as load_speech

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    Options = TypeVar("Options", bound=DataclassInstance)
else:
    Options = TypeVar("Options")

_SETTINGS = {"theme": "theme", "target": "target_minutes", "engine": "engine", "voice": "voice", "pace": "pace"}
"""Front matter key → the build option it sets."""


def load(
    path: str | Path, stdin: BinaryIO | None = None, title: str | None = None
) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech: a deck Markdown file (`deliver outline --md`) is taken as written, a deck
    deliver made (perhaps edited in PowerPoint) is read back, anything else is parsed as a speech.
    `title` overrides the title found in the file."""
    deck = _deck(path)
    if deck is None:
        return load_speech(path, stdin, title)  # the header zone takes `title` in place of the one it finds
    source, speech = deck
    return source, speech if title is None else replace(speech, title=title), ()


def _deck(path: str | Path) -> tuple[Source, Speech] | None:
    """The speech of a deck Markdown file or of a deck deliver made; None for any other file."""
    edited = read_deck(path)
    if edited is not None:
        return edited[0], edited[1].speech
    if Path(str(path)).suffix.lower() == ".pptx":
        from deliver.slides import read_pptx  # python-pptx: only for a .pptx

        return read_pptx(path)
    return None


def with_file_settings(options: Options, settings: Mapping[str, str]) -> Options:
    """A deck Markdown file's own settings (theme, target, engine, voice, pace) stand wherever the
    command line left an option at its default: explicit options win."""
    unset = {f.name: f.default for f in fields(options)}
    given: dict[str, Any] = {
        _SETTINGS[k]: float(v) if k == "target" else v for k, v in settings.items() if k in _SETTINGS
    }
    return replace(options, **{k: v for k, v in given.items() if getattr(options, k) == unset[k]})


def not_over_its_source(path: str | Path, source: Source, target: Path) -> None:
    """Building from a deck inside the package it makes would replace that deck, and the edits in it.
    Raises OutputError saying how to build from it instead."""
    if source.encoding == "pptx" and Path(path).resolve().is_relative_to(target.resolve()):
        raise OutputError(f"{path}: building would replace the deck it is read from; "
                          f"run `deliver outline {path} --md -o deck.md` and build deck.md")  # fmt: skip
