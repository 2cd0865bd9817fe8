"""One section's blocks → units (the passages `points.py` turns into slides).

Inside a section the same evidence as for the top level picks the next level (（一） under 一、,
1． under （一）, 一是 paragraphs …): each item with the paragraphs up to its next sibling is a
sub-point whose headline is its heading; a sub-point too long for one slide is cut again at the
level below. A heading line (or a speaker label, or a bare 一是) is always spoken with what follows
it. A run of short list items is one point with the items as bullets.
"""

from __future__ import annotations

from deliver.model import Language
from deliver.speech.condense import HEADLINE_MAX, headline_of, phrase_of
from deliver.speech.cues import vocative_line
from deliver.speech.families import Family, Tagged, top_family
from deliver.speech.points import MAX_UNITS, MIN_UNITS, SLIVER_UNITS, Unit
from deliver.speech.text import bare, clauses, sentences, spoken_units

_DEPTH = 4
"""Levels below the top that are cut into sub-points (一、 > （一） > 1． > （1） > ①)."""
_LISTED = ("arabic", "arabic_close", "arabic_paren", "circled")
_RUN_ON = ("zh_seq", "en_ordinal", "di", "qi", "arabic_paren", "circled")
"""Families that number sentences rather than head passages: a run of short ones is one list."""


def heading_parts(t: Tagged, language: Language) -> tuple[str | None, int]:
    """(the heading a block states, how many leading characters of it are heading)."""
    text = t.block.text
    if t.sign in ("speaker", "question", "vocative", "closing_label"):
        return None, len(text)
    if t.title is not None:
        return bare(t.title) or None, len(text)
    content = text[t.marker.end :] if t.marker else text
    if not bare(content):
        return None, len(text)
    first = sentences(content)[0]
    heading_len = len(text) - len(content) + len(first)
    title = bare(first)
    limit = HEADLINE_MAX[language] * 2
    if spoken_units(title, language) > limit:
        # A stated heading too long for a title: a whole phrase of it, never a cut one (headline_of's choice).
        opening = ""
        for clause in clauses(first):
            if spoken_units(opening + clause, language) > limit:
                break
            opening += clause
        opening = bare(opening)
        fits = spoken_units(opening, language) >= HEADLINE_MAX[language] // 2
        title = opening if fits else (phrase_of(first, language, limit, 2) or headline_of(first, language))
    return title or None, heading_len


def lead_len(t: Tagged, language: Language) -> int:
    """Leading characters of a paragraph that are not its topic: an opening vocative (各位代表！)."""
    text = t.block.text
    if t.marker is not None:
        return 0  # its numeral may open an inline enumeration (First, … Second, …): points.py needs it
    first = sentences(text)[0] if text else ""
    return len(first) if len(first) < len(text) and vocative_line(first.strip()) else 0


def groups_of(tagged: list[Tagged], starts: list[int]) -> list[list[Tagged]]:
    """The items that open at `starts`, each up to the next (the text before the first is not included)."""
    return [tagged[a:b] for a, b in zip(starts, [*starts[1:], len(tagged)], strict=True)]


def shape_cut(groups: list[list[Tagged]]) -> tuple[list[list[Tagged]], list[Tagged]]:
    """When every earlier sibling has the same number of blocks, the last one ends there too.

    (Fourteen one-paragraph points followed by four paragraphs of closing: the closing is not part
    of the fourteenth point.) Returns the groups and the blocks after the last one.
    """
    if len(groups) < 3:
        return groups, []
    sizes = {len(g) for g in groups[:-1]}
    if len(sizes) != 1:
        return groups, []
    size = sizes.pop()
    if size > 2 or len(groups[-1]) <= size:
        return groups, []
    return [*groups[:-1], groups[-1][:size]], groups[-1][size:]


def units_of(tagged: list[Tagged], language: Language, depth: int = 0) -> list[Unit]:
    """Units of a passage: its own next level as sub-points, or its paragraphs."""
    family = top_family(tagged) if depth < _DEPTH and len(tagged) > 1 else None
    if family is None or family.kind == "vocative":
        return _plain_units(tagged, language)
    starts = list(family.main)
    groups, tail = shape_cut(groups_of(tagged, starts))
    units = _plain_units(tagged[: starts[0]], language)
    if _short_list(groups, family, language):
        units.extend(_plain_units([t for g in groups for t in g], language, listed=True))
    elif (family.name in _RUN_ON or family.name.startswith("yi_")) and _slivers(groups, language):
        # Sub-points of a few seconds each share one slide: their markers make it a list there.
        units.append(Unit("\n".join(t.block.text for g in groups for t in g)))
    else:
        for group in groups:
            units.extend(_group_units(group, language, depth))
    units.extend(units_of(tail, language, depth + 1) if tail else [])
    return _attach_headings(units)


def _short_list(groups: list[list[Tagged]], family: Family, language: Language) -> bool:
    short = all(len(g) == 1 and spoken_units(g[0].block.text, language) < MIN_UNITS[language] * 1.5 for g in groups)
    return short and family.name in _LISTED


def _slivers(groups: list[list[Tagged]], language: Language) -> bool:
    sizes = [spoken_units("".join(t.block.text for t in g), language) for g in groups]
    return max(sizes) < SLIVER_UNITS[language] and sum(sizes) <= MAX_UNITS[language]


def _group_units(group: list[Tagged], language: Language, depth: int) -> list[Unit]:
    """One sub-point: a unit when it fits a slide, else its heading with the units of its own next level."""
    stated, heading_len = heading_parts(group[0], language)
    text = "\n".join(t.block.text for t in group)
    if spoken_units(text, language) <= MAX_UNITS[language] or len(group) == 1:
        return [Unit(text, stated, heading_len, _sub_items(group, language))]
    head = Unit(group[0].block.text, stated, heading_len)
    return _attach_headings([head, *units_of(group[1:], language, depth + 1)])


def _sub_items(group: list[Tagged], language: Language) -> tuple[str, ...]:
    """The numbered sub-points of a sub-point that fits one slide (1．目标体系。… 2．…): its bullets.

    Only when they are the whole of it after its heading line; otherwise the passage is bulleted as prose.
    """
    if len(group) < 3 or heading_parts(group[0], language)[1] < len(group[0].block.text):
        return ()
    family = top_family(group[1:])
    if family is None or family.kind != "numbered" or family.main[0] != 0 or len(family.main) < 2:
        return ()
    inner = group[1:]
    bodies = groups_of(inner, list(family.main))
    if sum(len(b) for b in bodies) != len(inner):
        return ()
    return tuple(
        "\n".join(
            [b[0].block.text[b[0].marker.end :] if b[0].marker else b[0].block.text, *(t.block.text for t in b[1:])]
        )
        for b in bodies
    )


def _plain_units(tagged: list[Tagged], language: Language, listed: bool = False) -> list[Unit]:
    """Paragraphs as units; a run of short list items is one unit, led by the line announcing it."""
    units: list[Unit] = []
    i = 0
    while i < len(tagged):
        run = _list_run(tagged, i, language, listed)
        if run > 1:
            lead = (
                units.pop() if units and units[-1].text.rstrip().endswith(("：", ":")) and not units[-1].items else None
            )
            units.append(_list_unit(tagged[i : i + run], lead))
            i += run
            continue
        t = tagged[i]
        stated, heading_len = heading_parts(t, language) if (t.sign or t.marker) else (None, 0)
        heading = t.sign is not None or (t.marker is not None and heading_len >= len(t.block.text))
        skip = heading_len if heading else lead_len(t, language)
        # A divider outside a chosen family is a stage direction (（大合照）): spoken on, never a headline.
        stated = stated if heading and t.sign != "divider" else None
        units.append(Unit(t.block.text, stated, skip))
        i += 1
    return _attach_headings(units)


def _list_run(tagged: list[Tagged], i: int, language: Language, listed: bool) -> int:
    """How many consecutive short list items start at i (Markdown bullets, Word numbering, short 1. 2.)."""
    n = 0
    for t in tagged[i:]:
        marked = t.block.list_item or listed or (t.marker is not None and t.marker.family in _LISTED)
        short = spoken_units(t.block.text, language) < MIN_UNITS[language] * 1.5
        if not (marked and short and t.block.heading is None and t.sign is None):
            break
        n += 1
    return n


def _list_unit(run: list[Tagged], lead: Unit | None) -> Unit:
    items = tuple(t.block.text[t.marker.end :] if t.marker else t.block.text for t in run)
    text = "\n".join(t.block.text for t in run)
    if lead is None:
        return Unit(text, items=items)
    return Unit(lead.text + "\n" + text, lead.stated, lead.heading_len, items)


def _attach_headings(units: list[Unit]) -> list[Unit]:
    """A unit that is only a heading (一、加强政治建设 / 唐鳳： / 一是) is spoken with the next one."""
    out: list[Unit] = []
    for unit in reversed(units):
        if out and unit.heading_len >= len(unit.text) and not unit.items:
            nxt = out.pop()
            stated = unit.stated or nxt.stated
            keep = unit.stated is not None and nxt.stated is not None  # its heading becomes a line of the body
            heading_len = len(unit.text) + 1 + (0 if keep else nxt.heading_len)
            merged = Unit(unit.text + "\n" + nxt.text, stated, heading_len, nxt.items, nxt.title)
            out.append(merged)
        else:
            out.append(unit)
    return out[::-1]
