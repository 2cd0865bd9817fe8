"""Speech stage: a speech file's bytes → clean text → `Speech` (sections, points, headlines, bullets),
and the script-aware text rules the later stages share (sentences, text widths, Chinese numerals).

What the rest of deliver may use is named here; the modules behind it are the stage's own. Importing
it stays light: jieba is loaded by `cut` on first use, never at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from deliver.model import Notice, Speech
from deliver.speech.deckmd import DeckFile, from_markdown, to_markdown
from deliver.speech.measure import line_height, shorten, text_em, wrap, wrap_balanced
from deliver.speech.numerals import DIGITS, cardinal, digitwise
from deliver.speech.reading import Source, read_source
from deliver.speech.structure import parse
from deliver.speech.text import clauses, is_han, pack, pieces_within, sentences, spoken_units
from deliver.speech.words import cut

__all__ = [
    "DIGITS",
    "DeckFile",
    "Source",
    "cardinal",
    "clauses",
    "cut",
    "digitwise",
    "from_markdown",
    "is_han",
    "line_height",
    "load",
    "pack",
    "parse",
    "pieces_within",
    "read_source",
    "sentences",
    "shorten",
    "spoken_units",
    "text_em",
    "to_markdown",
    "wrap",
    "wrap_balanced",
]


def load(path: str | Path, stdin: BinaryIO | None = None) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech file (or stdin for "-"); the notices say what was dropped as web noise."""
    source = read_source(path, stdin)
    notices = tuple(Notice("read", f"dropped web noise: {line}") for line in source.removed)
    return source, parse(source), notices
