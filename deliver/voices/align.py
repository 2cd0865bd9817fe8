"""Reported speech marks → boundaries on our text, for engines that report what they *said*.

edge reports what it *said* (Microsoft's normalised text: "100" → "one hundred", per word
for Chinese), so cues are placed by order and length, not looked up by string equality: the
letters/digits/Han of all boundary texts, joined, are matched against ours; runs that agree
pin positions exactly, and what lies between two such anchors is spread over the gap in
proportion to its length. After the last anchor a run keeps its own length (capped at the end
of our text), so a stream that stops early cannot look complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Final

from deliver.speech import is_han
from deliver.voices.base import Boundary

_OPENING: Final = "“‘(（《〈「『【[{"


@dataclass(frozen=True)
class Mark:
    """One boundary as edge reported it."""

    start: float
    """Seconds from the start of the audio."""
    end: float
    """Seconds (start + reported duration)."""
    text: str
    """What edge says it spoke (normalised by Microsoft)."""


def significant(text: str) -> tuple[str, list[int]]:
    """The letters, digits and Han of `text`, lower-cased, and each one's index in `text`."""
    chars: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if char.isalnum():
            chars.append(char.lower()[:1])
            where.append(index)
    return "".join(chars), where


def _anchors(spoken: str, ours: str) -> list[tuple[int, int, int]]:
    """Runs (spoken index, our index, length) where both texts agree, in order; single chars only if nothing longer."""
    blocks = [(a, b, n) for a, b, n in SequenceMatcher(None, spoken, ours, autojunk=False).get_matching_blocks() if n]
    return [block for block in blocks if block[2] >= 2] or blocks


def _position(p: int, anchors: Sequence[tuple[int, int, int]], spoken: int, ours: int) -> float:
    """Where index `p` of the spoken text (length `spoken`) falls in ours (length `ours`)."""
    before = (0, 0)
    for a, b, n in anchors:
        if p < a:  # in the gap before this anchor: spread proportionally
            span = a - before[0]
            return before[1] + (p - before[0]) * (b - before[1]) / span if span else float(b)
        if p <= a + n:
            return float(b + p - a)
        before = (a + n, b + n)
    if not anchors:
        return p * ours / spoken if spoken else 0.0
    return float(min(ours, before[1] + p - before[0]))


def _offsets(text: str, where: list[int], positions: list[int]) -> list[tuple[int, int]]:
    """(text_start, text_end) in `text` for consecutive significant-char positions; ends take closing punctuation."""
    starts = [where[p] if p < len(where) else len(text) for p in positions]
    spans = [
        (starts[i], where[high - 1] + 1 if high > low else starts[i])
        for i, (low, high) in enumerate(pairwise(positions))
    ]
    return [
        (start, _extend(text, end, limit))
        for (start, end), limit in zip(spans, [*starts[1:-1], len(text)], strict=False)
    ]


def _extend(text: str, end: int, limit: int) -> int:
    """`end` moved over closing punctuation (not spaces, not opening quotes) up to `limit`."""
    while end < limit and not text[end].isalnum() and not text[end].isspace() and text[end] not in _OPENING:
        end += 1
    return end


def align(text: str, marks: Sequence[Mark], duration: float) -> tuple[list[Boundary], int, int]:
    """Boundaries on `text` for edge's marks, plus (significant chars covered, significant chars in all).

    Times are clamped to [0, duration] s and each end to the next start; offsets never go back.
    """
    ours, where = significant(text)
    pieces = [significant(mark.text)[0] for mark in marks]
    spoken = "".join(pieces)
    anchors = _anchors(spoken, ours)
    cuts = [0]
    for piece in pieces:
        cuts.append(cuts[-1] + len(piece))
    positions: list[int] = []
    for cut in cuts:
        position = _snap(round(_position(cut, anchors, len(spoken), len(ours))), text, where)
        positions.append(max(position, positions[-1] if positions else 0))
    boundaries: list[Boundary] = []
    last = 0.0
    for index, (mark, (start, end)) in enumerate(zip(marks, _offsets(text, where, positions), strict=False)):
        begin = min(max(mark.start, last), duration)
        stop = min(mark.end, marks[index + 1].start) if index + 1 < len(marks) else mark.end
        boundaries.append(Boundary(begin, min(max(stop, begin), duration), start, end))
        last = begin
    return _merge_empty(boundaries), (positions[-1] if marks else 0), len(ours)


def _snap(position: int, text: str, where: list[int]) -> int:
    """`position` moved to the end of the Latin/digit run it falls inside ("one" "hundred" share "100")."""

    def inside(p: int) -> bool:
        left, right = text[where[p - 1]], text[where[p]]
        return where[p] == where[p - 1] + 1 and not is_han(left) and not is_han(right)

    while 0 < position < len(where) and inside(position):
        position += 1
    return position


def _merge_empty(boundaries: list[Boundary]) -> list[Boundary]:
    """Boundaries that cover no text folded into the one before (or, first, the one after), so every cue shows text."""
    merged: list[Boundary] = []
    pending: Boundary | None = None  # empty cues before any text: their start moves to the first real cue
    for boundary in boundaries:
        if boundary.text_end > boundary.text_start:
            if pending is not None:
                boundary = replace(boundary, start=pending.start)
                pending = None
            merged.append(boundary)
        elif merged:
            merged[-1] = replace(merged[-1], end=max(merged[-1].end, boundary.end))
        elif pending is None:
            pending = boundary
    return merged
