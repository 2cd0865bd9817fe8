"""Clean text blocks → `Speech`: the header zone (`header.py`: title, meta, salutation) and then the
sections (`sections.py`, which chooses the top level by evidence in `families.py`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from deliver.model import Speech
from deliver.speech.header import Header, split_header
from deliver.speech.reading import Source
from deliver.speech.sections import sections_of
from deliver.speech.text import detect_language


def parse(source: Source, header: Header | None = None) -> Speech:
    """The speech's structure. Pure: same source, same `Speech`. `header`: the header zone as
    `header.split_header` read it (`speech.load` passes it, for its notices); read here when None."""
    language = detect_language(source.text)
    head = header or split_header(source)
    blocks = list(head.blocks)
    sections = sections_of(blocks, language, head.title) if blocks else ()
    if not sections:
        raise_empty(source.name)
    return Speech(title=head.title, language=language, salutation=head.salutation, sections=sections, meta=head.meta)


def raise_empty(name: str) -> None:
    from deliver.errors import InputError

    raise InputError(f"{name}: has a title but no speech text")


_MARKER: Final = re.compile(
    r"[(（]?第?[一二三四五六七八九十百千零〇两\d]+(?:部分)?[)）]?[、.．，,:：)）]|[\u2460-\u24ff\u2776-\u2793]"
)
"""Numbering (一、 第一， 1. （一） ①): the structure, not words to say."""


def speakable(speech: Speech) -> bool:
    """Whether any letter is left once numbering is set aside (punctuation, emoji and bullets are not speech)."""
    return any(unicodedata.category(ch).startswith("L") for p in speech.points for ch in _MARKER.sub("", p.text))
