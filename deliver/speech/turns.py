"""Speaker turns in a transcript: the main speaker's talk, then one exchange per questioner, then a
moderator's last word.

A transcript labelled by name (### 唐鳳： / ### 楊憲宏：) has no question labels to find its Q&A by.
The main speaker is the one whose turns carry the most text. A turn by someone else that the main
speaker answers next (a moderator's interjection in between skipped) asks a question: it opens an
exchange, and the answers and any comment after them stay in it until the next question. A last
turn that nobody answers (the moderator thanking everyone) is the closing. The talk before the first
question is cut like any unmarked speech (`plain.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deliver.model import Language
from deliver.speech import cues
from deliver.speech.families import Tagged
from deliver.speech.text import spoken_units

_MODERATOR = re.compile(r"司儀|司仪|主持|moderator|host|\bmc\b|emcee|chair", re.IGNORECASE)
"""A role in a speaker label that marks the moderator: their interjections ask nothing of the speaker."""


@dataclass(frozen=True)
class Turns:
    """Where a named-speaker transcript divides (indices into the tagged list)."""

    talk_end: int
    """The first question's label: the main speaker's talk is everything before it."""
    questions: tuple[int, ...]
    """Each exchange's first line (the asker's label), the first one included."""
    closing: int | None
    """A last unanswered turn's label, else None."""


def _speaker(t: Tagged) -> str | None:
    if t.sign not in ("speaker", "question"):
        return None
    return cues.speaker_label(t.block.text.strip().lstrip("#").strip())


def turns_of(tagged: list[Tagged], language: Language) -> Turns | None:
    """The exchanges of a transcript whose main speaker answers at least two others, else None."""
    labels = [(i, name) for i, t in enumerate(tagged) if (name := _speaker(t)) is not None]
    if len(labels) < 4:
        return None
    main = _main_speaker(tagged, labels, language)
    asked: list[int] = []
    for k, (i, name) in enumerate(labels):
        if name == main or _MODERATOR.search(name):
            continue
        answer = next((n for _, n in labels[k + 1 :] if not _MODERATOR.search(n)), None)
        if answer == main and any(n == main for _, n in labels[:k]):
            asked.append(i)
    askers = {name for i, name in labels if i in asked}
    if len(askers) < 2:
        return None
    last_i, last_name = labels[-1]
    closing = last_i if last_name != main and last_i > asked[-1] else None
    return Turns(asked[0], tuple(asked), closing)


def _main_speaker(tagged: list[Tagged], labels: list[tuple[int, str]], language: Language) -> str:
    """The speaker whose turns hold the most speech."""
    said: dict[str, int] = {}
    bounds = [*(i for i, _ in labels), len(tagged)]
    for (start, name), end in zip(labels, bounds[1:], strict=True):
        size = sum(spoken_units(t.block.text, language) for t in tagged[start + 1 : end])
        said[name] = said.get(name, 0) + size
    return max(said, key=lambda name: said[name])
