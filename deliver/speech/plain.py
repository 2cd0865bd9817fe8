"""Sections of a speech with no marked structure: cut at cue phrases and paragraph openers first,
length second.

The opening is the text up to the paragraph that announces the talk (今天我要讲… / I want to talk
to you today about…), else the first paragraph; the closing starts at a cued paragraph near the
end (对于这样的… 总之 / In closing / We face…). The body is cut where a paragraph opens with a turn
(然而 / 但是 / 如果 / 现在再讲 / In the field of …) nearest to an even share of the length.
"""

from __future__ import annotations

import itertools
import re

from deliver.model import Language, Section
from deliver.speech import cues
from deliver.speech.families import Tagged
from deliver.speech.points import MIN_UNITS, SLIVER_UNITS, points_of
from deliver.speech.text import spoken_units
from deliver.speech.units import units_of

_LABELS = {"zh": {"opening": "开场", "closing": "结束语"}, "en": {"opening": "Opening", "closing": "Closing"}}
_STRONG_TURN = re.compile(
    r"^(?:然而|如果|假如|倘若|现在再|現在再|现在我|現在我|下面|接下来|接下來|其次|再说|再說|至于|至於|另外|此外|而这里|而這裡)"
    r"|^(?:next|if|in the (?:field|matter|area) of|as for|on the (?:question|matter) of|our (?:greatest|first|next)"
    r"|turning to|another|beyond|let me turn|now let me)\b",
    re.IGNORECASE,
)
"""Paragraph openers that turn to a new matter: the first places to cut an unmarked speech."""
_TURN = re.compile(
    rf"{_STRONG_TURN.pattern}|^(?:但是|可是|不过|不過|其实|其實|因为|因為|所以说|所以說)|^(?:but|yet|now|so let)\b",
    re.IGNORECASE,
)
"""Any turn, weaker ones (但是 / 其实 / But) included: where a section that is still too long is cut."""
_TALK_ANNOUNCED = re.compile(
    r"(?:今天|今天我|我今天|这次|這次|下面)[^。！？]{0,12}"
    r"(?:要讲|要講|讲讲|講講|想讲|想講|谈谈|談談|想谈|想談|说说|說說|讲的是|講的是|谈的是|談的是"
    r"|(?:说|說|讲|講|谈|談|介绍|介紹)一下)"
    r"|\b(?:I want to talk|I (?:would like|wish) to (?:talk|speak|discuss)|let me talk)\b",
    re.IGNORECASE,
)
_TOPIC_JOIN = re.compile(r"、|以及|跟|和|與|与|及|,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)
_TOPIC_OWNER = re.compile(r"^\s*(?:我们的|我們的|我们|我們|咱们的|咱們的|our\s+|the\s+)", re.IGNORECASE)
_EARLY = 4
"""An announcement in the first four blocks (or the first quarter) comes early, however short the talk."""
_INTRO_RUN = 3
"""Paragraphs after an announcement in which the opening may still run on (the announcement's own and two more)."""
_CLOSING_RUN = 3
"""Last paragraphs in which a closing cue may open the closing."""
_SECTION_UNITS = {"zh": 900, "en": 450}
"""About three slides' worth of speech per body section (zh 字, en words)."""
LEAD_UNITS = dict(_SECTION_UNITS)
"""A lead before a lecture's first inline item longer than a section holds sections of its own."""


def plain_sections(tagged: list[Tagged], language: Language, closing_cue: bool = True) -> tuple[Section, ...]:
    """Opening, body sections cut at turns, closing. `closing_cue`: False for a talk that questions
    follow (its 以上是… hands over to them, it does not close the speech)."""
    labels = _LABELS[language]
    opening: list[Tagged] = []
    closing: list[Tagged] = []
    body = tagged
    if len(tagged) >= 3:
        said, cut = _opening_end(tagged)
        if said is not None and _announced(tagged[:said], tagged[said:], language):
            cut = said  # the announced topics come straight after it: nothing more introduces them
        opening, body = tagged[:cut], tagged[cut:]
        end = _closing_start(body) if len(body) > 2 and closing_cue else None
        if end is not None:
            body, closing = body[:end], body[end:]
    sections: list[Section] = []
    if opening:
        sections.append(Section(labels["opening"], "opening", points_of(units_of(opening, language), language)))
    sections.extend(body_sections(body, language, _announced(opening, body, language)))
    if closing:
        sections.append(Section(labels["closing"], "closing", points_of(units_of(closing, language), language)))
    return tuple(s for s in sections if s.points)


def body_sections(body: list[Tagged], language: Language, groups: list[list[Tagged]] | None = None) -> list[Section]:
    """Body sections of unmarked paragraphs: `groups` when given, else cut at turns and by length."""
    sections: list[Section] = []
    for group in groups or _cut(body, language):
        points = points_of(units_of(group, language), language)
        if points:
            sections.append(Section(title=points[0].headline, kind="body", points=points))
    return sections


def _opening_end(tagged: list[Tagged]) -> tuple[int | None, int]:
    """After the paragraph that announces the talk, when it comes early; else after the first paragraph.

    What follows an announcement often still introduces the subject (what the play is, who the
    speaker is): the opening runs on to the first paragraph that turns to a matter of its own, when
    one comes within the next two paragraphs. Returns (just after the announcement or None, the end).
    """
    limit = max(_EARLY, len(tagged) // 4)
    for i, t in enumerate(tagged[:limit]):
        if _TALK_ANNOUNCED.search(t.block.text) and i + 1 < len(tagged):
            ahead = range(i + 1, min(i + 1 + _INTRO_RUN, len(tagged) - 1))
            return i + 1, next((j for j in ahead if j > i + 1 and _opens_matter(tagged[j].block.text)), i + 1)
    return None, 1


def _opens_matter(text: str) -> bool:
    """A paragraph that turns to a matter of its own: a strong turn, or a question asked first (娜拉要怎样才不走呢？)."""
    text = text.strip()
    if _STRONG_TURN.match(text):
        return True
    first = re.match(r"[^。！？!?.]{1,40}[？?]", text)
    return first is not None


def _announced(opening: list[Tagged], body: list[Tagged], language: Language) -> list[list[Tagged]] | None:
    """The body cut where it takes up, in order, the topics the opening announced (今天跟大家說一下我們的
    任務目標、組織編制跟辦公處所 → 任務目標是… / 我們的組織編制… / 我們辦公處所…), when it takes up all of them."""
    said = next((m for t in reversed(opening) if (m := _TALK_ANNOUNCED.search(t.block.text))), None)
    if said is None or not body:
        return None
    clause = re.split(r"[，。；！？,;.!?:：]", said.string[said.end() :], maxsplit=1)[0]
    clause = re.sub(r"^\s*(?:to you\s+)?(?:today\s+)?(?:about|of|on)\b", "", clause, flags=re.IGNORECASE)
    topics = [_TOPIC_OWNER.sub("", t).strip() for t in _TOPIC_JOIN.split(clause)]
    topics = [t for t in topics if spoken_units(t, language) >= (2 if language == "zh" else 1)]
    if len(topics) < 2:
        return None
    found: list[int] = []
    for topic in topics:
        start = found[-1] + 1 if found else 0
        at = next((j for j in range(start, len(body)) if topic.casefold() in body[j].block.text[:24].casefold()), None)
        if at is None:
            return None
        found.append(at)
    bounds = [0, *found[1:], len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


def _closing_start(body: list[Tagged]) -> int | None:
    """The closing: from a cued paragraph among the last few to the end (We face… / 对于这样的…)."""
    for i in range(max(2, len(body) - _CLOSING_RUN), len(body)):
        if cues.closing_cue(body[i].block.text):
            return i
    return None


def _cut(tagged: list[Tagged], language: Language) -> list[list[Tagged]]:
    """Groups of paragraphs cut at turns, the cuts chosen so that the groups come out nearest to even.

    Where the turns cannot give groups within 1.6 shares, the length alone decides.
    """
    sizes = [spoken_units(t.block.text, language) for t in tagged]
    strong = _strong_cuts(tagged, sizes, language)
    if strong:
        # Length second: only a part far longer than a section is cut again (at weaker turns or by length).
        bounds = [0, *strong, len(tagged)]
        groups: list[list[Tagged]] = []
        for a, b in itertools.pairwise(bounds):
            part = tagged[a:b]
            groups.extend(_cut(part, language) if sum(sizes[a:b]) > 2 * _SECTION_UNITS[language] else [part])
        return groups
    total = sum(sizes)
    count = max(1, round(total / _SECTION_UNITS[language]))
    turns = [
        i for i, t in enumerate(tagged) if i and _TURN.match(t.block.text.strip()) and sizes[i] >= MIN_UNITS[language]
    ]
    cuts = _even_cuts(sizes, turns, count) if count > 1 else []
    if cuts is None:
        return _by_length(tagged, sizes, total / count)
    bounds = [0, *cuts, len(tagged)]
    return [tagged[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _strong_cuts(tagged: list[Tagged], sizes: list[int], language: Language) -> list[int]:
    """Cuts at strong turns that leave every part at least half a section long (cue phrases before length).

    A passage that a strong turn opens and the next strong turn closes is a section of its own once it
    fills a slide (In the field of world policy… between the programme and "If I read the temper…"):
    the speaker turned twice, whatever its length.
    """
    least = _SECTION_UNITS[language] // 2
    cuts: list[int] = []
    start = 0
    for i, t in enumerate(tagged):
        turn = i and _STRONG_TURN.match(t.block.text.strip()) and sizes[i] >= MIN_UNITS[language]
        before = sum(sizes[start:i])
        framed = bool(cuts) and before >= SLIVER_UNITS[language]
        if turn and (before >= least or framed) and sum(sizes[i:]) >= least:
            cuts.append(i)
            start = i
    return cuts


def _even_cuts(sizes: list[int], turns: list[int], count: int) -> list[int] | None:
    """count - 1 cut positions among `turns` minimising the squared deviation from an even share."""
    prefix = [0, *itertools.accumulate(sizes)]
    share = prefix[-1] / count
    points = [0, *turns, len(sizes)]
    # best[k][j]: least cost of k groups ending just before points[j]; a DP over the turn positions only.
    inf = float("inf")
    best = [[inf] * len(points) for _ in range(count + 1)]
    back = [[0] * len(points) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(1, len(points)):
            for i in range(j):
                if best[k - 1][i] == inf:
                    continue
                size = prefix[points[j]] - prefix[points[i]]
                cost = best[k - 1][i] + (size - share) ** 2 + (inf if size > 1.6 * share else 0)
                if cost < best[k][j]:
                    best[k][j], back[k][j] = cost, i
    last = len(points) - 1
    if best[count][last] == inf:
        return None
    cuts: list[int] = []
    j = last
    for k in range(count, 1, -1):
        j = back[k][j]
        cuts.append(points[j])
    return sorted(cuts)


def _by_length(tagged: list[Tagged], sizes: list[int], share: float) -> list[list[Tagged]]:
    groups: list[list[Tagged]] = [[]]
    size = 0
    for t, units in zip(tagged, sizes, strict=True):
        if groups[-1] and size + units > 1.6 * share:
            groups.append([])
            size = 0
        groups[-1].append(t)
        size += units
    return [g for g in groups if g]
