"""Choosing font sizes and pages so text always fits its box — pure, sizes in pt.

A block is a list of paragraphs; each is wrapped into lines (see `measure`). The block's height
is lines × line height plus the space before every paragraph. The largest size in the theme's
range that fits wins; what does not fit at the smallest size continues on further pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from deliver.speech import line_height, shorten, text_em, wrap, wrap_balanced

SAFETY: Final = 0.96
"""Fraction of a box's inner width we plan lines for, so viewer font differences never re-wrap."""
BULLET_INDENT: Final = 1.2
"""Hanging indent of a bulleted paragraph, in em."""

WIDOW: Final = 0.3
"""A paragraph's last line shorter than this fraction of the line is rebalanced with the others."""

Lines = tuple[str, ...]


@dataclass(frozen=True)
class Frame:
    """The inside of a text box and how its paragraphs are spaced (pt; spacing as a multiple)."""

    width: float
    height: float
    spacing: float
    paragraph_space: float
    """Space before each paragraph, in em."""
    bold: bool = False
    bullets: bool = False
    balanced: bool = False


@dataclass(frozen=True)
class Fitted:
    """A block laid out at `size` pt: the lines of each paragraph, page by page."""

    size: float
    pages: tuple[tuple[Lines, ...], ...]
    shortened: bool = False


def sizes_between(low: float, high: float) -> list[float]:
    """Candidate sizes from `high` down to `low`, in 1 pt steps (both ends included)."""
    result = []
    size = high
    while size > low:
        result.append(size)
        size -= 1.0
    return [*result, low]


def lines_of(text: str, frame: Frame, size: float) -> Lines:
    """Wrap one paragraph for `frame` at `size` pt."""
    width = frame.width * SAFETY - (BULLET_INDENT * size if frame.bullets else 0.0)
    width_em = max(width / size, 1.0)
    if frame.balanced:
        return wrap_balanced(text, width_em, frame.bold)
    lines = wrap(text, width_em, frame.bold)
    if len(lines) > 1 and text_em(lines[-1], frame.bold) < WIDOW * width_em:
        return wrap_balanced(text, width_em, frame.bold)  # no one- or two-character last line
    return lines


def block_height(paragraphs: Sequence[Lines], frame: Frame, size: float) -> float:
    """Height in pt of `paragraphs` set at `size` pt."""
    lines = sum(len(p) for p in paragraphs)
    space = frame.paragraph_space * size * max(len(paragraphs) - 1, 0)
    return lines * line_height(size, frame.spacing) + space


def _paginate(paragraphs: Sequence[Lines], frame: Frame, size: float) -> list[list[Lines]]:
    """Fill pages in order. A paragraph that does not fit what is left of a page moves to the next
    page when it fits a page by itself; a paragraph taller than a page is cut between lines."""
    step = line_height(size, frame.spacing)
    gap = frame.paragraph_space * size
    pages: list[list[Lines]] = [[]]
    used = 0.0
    for lines in paragraphs:
        if pages[-1] and used + gap + len(lines) * step > frame.height and len(lines) * step <= frame.height:
            pages.append([])
            used = 0.0
        while lines:
            before = gap if pages[-1] else 0.0
            room = int((frame.height - used - before) // step)
            if room >= len(lines):
                pages[-1].append(lines)
                used += before + len(lines) * step
                break
            if room < 1 and pages[-1]:
                pages.append([])
                used = 0.0
                continue
            pages[-1].append(lines[: max(room, 1)])
            lines = lines[max(room, 1) :]
            pages.append([])
            used = 0.0
    return pages


def fit_pages(texts: Sequence[str], frame: Frame, low: float, high: float) -> Fitted:
    """Largest size in [low, high] at which `texts` fit one page; failing that, the fewest pages
    at `low` and the largest size that still needs no more pages than that."""
    laid: dict[float, list[list[Lines]]] = {}
    for size in sizes_between(low, high):
        laid[size] = _paginate([lines_of(t, frame, size) for t in texts], frame, size)
        if len(laid[size]) == 1:
            return Fitted(size, tuple(tuple(p) for p in laid[size]))
    fewest = len(laid[low])
    size = next(s for s in sizes_between(low, high) if len(laid[s]) <= fewest)
    return Fitted(size, tuple(tuple(p) for p in laid[size]))


def fit_text(text: str, frame: Frame, low: float, high: float) -> Fitted:
    """One paragraph (a title) on one page: the largest size that fits, else shortened with "…"
    at `low` so it never overflows (`shortened=True`)."""
    for size in sizes_between(low, high):
        lines = lines_of(text, frame, size)
        if block_height([lines], frame, size) <= frame.height:
            return Fitted(size, ((lines,),))
    keep = max(int(frame.height // line_height(low, frame.spacing)), 1)
    lines = lines_of(text, frame, low)
    rest = "".join(lines[keep - 1 :]) if lines else text
    width_em = frame.width * SAFETY / low
    kept = (*lines[: keep - 1], shorten(rest, width_em, frame.bold))
    return Fitted(low, ((kept,),), shortened=True)


def fit_line(text: str, frame: Frame, size: float) -> str:
    """`text` on one line at `size` pt, shortened with "…" when it is too wide."""
    return (
        shorten(text, frame.width * SAFETY / size, frame.bold)
        if text_em(text, frame.bold) * size > frame.width * SAFETY
        else text
    )
