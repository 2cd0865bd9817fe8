"""Ordinals that open sections in the middle of a paragraph: 第一，… 第二，… 第三，… spread over a talk.

A lecture transcribed in long paragraphs often starts its points at a sentence inside a paragraph
(…只限于文学方面。第一，是往往分不清文学和文章。) and only one of them at a paragraph's start. When
such ordinals run 第一, 第二, 第三… in order over the body, one of them opens a paragraph, and each
item runs on for more than a sentence or two, the paragraphs are split at them (losslessly: the
pieces are the paragraph's own text) so that `families.py` sees them as items. A pair inside one
sentence (第一，在家…；第二，在社会…) or a mention (但第一需要记性) is not a run.
"""

from __future__ import annotations

import itertools
import re

from deliver.speech.reading import Block

_INLINE = re.compile(r"(?<=[。！？!?])\s*(第([一二三四五六七八九十])[，,])")
_START = re.compile(r"^\s*第([一二三四五六七八九十])[，,]")
_DIGITS = "一二三四五六七八九十"
_LEAST_ITEMS = 3
_ITEM_CHARS = 100
"""An item runs on for at least this many characters before the next one (not a list inside a sentence)."""


def split_inline_ordinals(blocks: list[Block]) -> list[Block]:
    """`blocks` with paragraphs split where an inline 第X， of a run spread over the body opens."""
    found: list[tuple[int, int, int]] = []  # (block index, offset, ordinal)
    for i, block in enumerate(blocks):
        if block.heading is not None:
            continue
        start = _START.match(block.text)
        if start:
            found.append((i, 0, _DIGITS.index(start.group(1)) + 1))
        found.extend((i, m.start(1), _DIGITS.index(m.group(2)) + 1) for m in _INLINE.finditer(block.text))
    run = _run(found, blocks)
    if run is None:
        return blocks
    cuts: dict[int, list[int]] = {}
    for i, at, _ in run:
        if at > 0:
            cuts.setdefault(i, []).append(at)
    out: list[Block] = []
    for i, block in enumerate(blocks):
        bounds = [0, *cuts.get(i, []), len(block.text)]
        out.extend(Block(block.text[a:b], list_item=block.list_item) for a, b in itertools.pairwise(bounds) if b > a)
    return out


def _run(found: list[tuple[int, int, int]], blocks: list[Block]) -> list[tuple[int, int, int]] | None:
    """The ordinals as one run 1, 2, 3… in order, one of them at a paragraph start and some inline, far apart."""
    ordinals = [o for _, _, o in found]
    if len(found) < _LEAST_ITEMS or ordinals != list(range(1, len(found) + 1)):
        return None
    if not any(at == 0 for _, at, _ in found) or all(at == 0 for _, at, _ in found):
        return None
    offsets = [0]
    for block in blocks:
        offsets.append(offsets[-1] + len(block.text))
    places = [offsets[i] + at for i, at, _ in found]
    if any(b - a < _ITEM_CHARS for a, b in itertools.pairwise(places)):
        return None
    return found
