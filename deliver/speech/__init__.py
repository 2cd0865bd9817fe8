"""Speech stage: a speech file's bytes → clean text → `Speech` (sections, points, headlines, bullets),
the editable deck Markdown both ways (`to_markdown`, `read_deck`), and the script-aware text rules
the later stages share (sentences, text widths, Chinese numerals).

What the rest of deliver may use is named here; the modules behind it are the stage's own. Importing
it stays light: jieba is loaded by `cut` on first use, never at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from deliver.errors import InputError
from deliver.model import Notice, Speech
from deliver.speech.block import Block
from deliver.speech.deckmd import DeckFile, from_markdown, read_deck, settings_of, to_markdown
from deliver.speech.measure import line_height, shorten, text_em, wrap, wrap_balanced
from deliver.speech.numerals import DIGITS, cardinal, digitwise
from deliver.speech.reading import Source, read_source
from deliver.speech.structure import parse, speakable
from deliver.speech.text import clauses, detect_language, is_han, pack, pieces_within, sentences, spoken_units
from deliver.speech.words import cut

__all__ = [
    "DIGITS",
    "Block",
    "DeckFile",
    "Source",
    "cardinal",
    "clauses",
    "cut",
    "detect_language",
    "digitwise",
    "from_markdown",
    "is_han",
    "line_height",
    "load",
    "pack",
    "parse",
    "pieces_within",
    "read_deck",
    "read_source",
    "sentences",
    "settings_of",
    "shorten",
    "spoken_units",
    "text_em",
    "to_markdown",
    "wrap",
    "wrap_balanced",
]


def load(
    path: str | Path, stdin: BinaryIO | None = None, title: str | None = None
) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech file (or stdin for "-"); the notices say what was dropped as web noise,
    markup or page furniture and what the header zone kept out of the spoken text. `title` overrides the
    title found in the text."""
    from deliver.speech.header import split_header

    source = read_source(path, stdin)
    header = split_header(source, title)
    notices = tuple(Notice("read", f"dropped web noise: {line}") for line in source.removed)
    notices += tuple(Notice("read", f"{source.name}: not read (not spoken, not on the slides): {what}", level="warning")
                     for what in source.skipped)  # fmt: skip
    speech = parse(source, header)
    if not speakable(speech):
        raise InputError(f"{source.name}: contains no text to speak (only punctuation, symbols or numbering)")
    return source, speech, notices + source.notices + header.notices
