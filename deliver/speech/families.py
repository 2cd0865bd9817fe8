"""Which convention is a passage's top level, chosen by evidence rather than by a fixed rank.

Every block is tagged (a numbering marker, a format heading, a divider, a bare heading line, a
vocative line, a speaker label). Each convention that occurs is a candidate family; its markers are
grouped into numbered runs (a restart at 1 is a run of its own, a stray 首先，我代表… is a run of
one). The top level is a candidate that forms a sequence (its first item may be missing) and is not
nested in another candidate: a family is nested in another when each of its runs sits inside one
of the other's sections. Between candidates that do not nest, explicit headings beat numbering,
numbering beats dividers, dividers beat bare heading lines, and those beat vocative lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from deliver.model import Language
from deliver.speech import cues
from deliver.speech.markers import CLOSING_ORDINAL, NESTING, Marker, block_marker, runs_of
from deliver.speech.reading import Block

_MOST = 0.9
"""Share of the text after its first item that one section of a top-level family may hold at most."""
_KIND_ORDER = {"heading": 0, "numbered": 1, "divider": 2, "bare": 3, "vocative": 4}


@dataclass(frozen=True)
class Tagged:
    """A block with the structure signs found on it."""

    block: Block
    marker: Marker | None
    """Numbering marker or format heading ("h2") that opens the block."""
    sign: str | None = None
    """"speaker", "question", "divider", "bare", "closing_label" or "vocative"; None for a plain paragraph."""
    title: str | None = None
    """The heading text a divider or bare heading line states."""


@dataclass(frozen=True)
class Family:
    """One convention as it occurs in a passage."""

    name: str
    kind: str
    """"heading", "numbered", "divider", "bare" or "vocative"."""
    runs: tuple[tuple[int, ...], ...]
    """Indices (into the tagged list) of its items, grouped into numbered runs in order."""
    first_ordinal: int
    """Ordinal of the main run's first item (2 when the first item is unmarked)."""

    @property
    def main(self) -> tuple[int, ...]:
        """The run that carries the family: the longest, the earliest among equals."""
        return max(self.runs, key=len)


def tag(blocks: list[Block], language: Language) -> list[Tagged]:
    """Each block with its sign. A plain line like 主持人： is a speaker label only when it recurs
    (a transcript names its speakers again and again; 主要有三个方面： is said once)."""
    labels = [cues.speaker_label(b.text.strip()) if b.heading is None else None for b in blocks]
    recurring = {name for name in labels if name is not None and labels.count(name) > 1}
    out: list[Tagged] = []
    for i, block in enumerate(blocks):
        text = block.text.strip()
        label = cues.speaker_label(text)
        if block.heading is None and cues.vocative_line(text):
            out.append(Tagged(block, None, "vocative"))
        elif label is not None and (block.heading is not None or (label in recurring or cues.question_label(text))):
            sign = "question" if cues.question_label(text) else "speaker"
            out.append(Tagged(block, None, sign))
        elif block.heading is not None:
            out.append(Tagged(block, Marker(f"h{block.heading}", 0, 0), None, block.text.strip()))
        elif (divider := cues.divider_title(block)) is not None:
            out.append(Tagged(block, None, "divider", divider))
        elif cues.heading_line(blocks, i, language):
            out.append(Tagged(block, None, "closing_label" if cues.closing_label(text) else "bare", text))
        else:
            out.append(Tagged(block, block_marker(block.text)))
    return out


def _items(tagged: list[Tagged]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, t in enumerate(tagged):
        if t.marker is not None and t.marker.family.startswith("h"):
            key = (t.marker.family, "heading")
        elif t.marker is not None:
            key = (t.marker.family, "numbered")
        elif t.sign in ("divider", "bare", "vocative"):
            key = (t.sign, t.sign)
        else:
            continue
        found.setdefault(key, []).append((i, t.marker.ordinal if t.marker else 0))
    return found


def families(tagged: list[Tagged]) -> list[Family]:
    """Every convention that occurs, with its runs."""
    out: list[Family] = []
    for (name, kind), items in _items(tagged).items():
        if kind != "numbered":
            out.append(Family(name, kind, (tuple(i for i, _ in items),), 1))
            continue
        ordinals = [o for _, o in items]
        runs = tuple(tuple(items[p][0] for p in run) for run in runs_of(ordinals))
        main = max(runs, key=len)
        first = next(o for i, o in items if i == main[0])
        out.append(Family(name, kind, runs, first))
    return out


def _sequence(family: Family) -> bool:
    if family.kind == "heading":
        return True
    if family.kind != "numbered":
        return len(family.main) >= 2
    return len(family.main) >= 2 and family.first_ordinal in (1, 2) and family.first_ordinal != CLOSING_ORDINAL


def _spans(family: Family, tagged: list[Tagged]) -> bool:
    """Unnumbered signs must share out the text after the first one: no section may hold nearly all of it.

    (Two stage directions at the top of a transcript would make one section of the whole speech.)
    Numbering and format headings are explicit enough to stand with a short section.
    """
    if family.kind in ("heading", "numbered"):
        return True
    sizes = [len(t.block.text) for t in tagged]
    starts = list(family.main)
    parts = [sum(sizes[a:b]) for a, b in zip(starts, [*starts[1:], len(sizes)], strict=True)]
    return max(parts) <= _MOST * sum(parts)


def _nested(inner: Family, outer: Family) -> bool:
    """Each run of `inner` (of two or more items) lies inside one section of `outer`."""
    starts = outer.main
    runs = [r for r in inner.runs if len(r) >= 2] or list(inner.runs)
    for run in runs:
        before = [s for s in starts if s < run[0]]
        if not before:
            return False
        after = [s for s in starts if s > before[-1]]
        if after and run[-1] > after[0]:
            return False
        if set(run) & set(starts):
            return False
    return True


def _preference(family: Family) -> tuple[int, int, int]:
    level = int(family.name[1:]) if family.kind == "heading" else 0
    depth = NESTING.get(family.name, NESTING.get(family.name.split("_")[0], len(NESTING)))
    return (_KIND_ORDER[family.kind], level, depth)


def top_family(tagged: list[Tagged]) -> Family | None:
    """The family that is the top level of `tagged`, or None when nothing forms a sequence."""
    candidates = [f for f in families(tagged) if _sequence(f) and _spans(f, tagged)]
    free = [f for f in candidates if not any(g is not f and _nested(f, g) for g in candidates)]
    pool = free or candidates
    return min(pool, key=_preference) if pool else None
