"""What the audio stage is given: each section's voiced chunks as values (their text, timing and a way
to read their bytes) and the pauses to put between them. Audio never sees the narration layer, its
options or its cache; `pipeline` hands the narration over in these types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deliver.voices.base import Rendition


@dataclass(frozen=True)
class Said:
    """One thing said in a section, in order: a point's text, or the salutation."""

    point: int | None
    """Index into `Speech.points`; None for the salutation."""
    text: str


@dataclass(frozen=True)
class Take:
    """One voiced chunk (≈ a sentence or a few) of a section."""

    said: int
    """Index into `SectionVoice.said`: takes of one utterance are joined with the sentence pause."""
    text: str
    """The chunk's text; the rendition's boundaries are character offsets into it."""
    rendition: Rendition
    """Format, duration (s) and boundaries; its `audio` may be empty (then `read` gives the bytes)."""
    read: Callable[[], bytes] = field(compare=False, repr=False)
    """The chunk's audio bytes, read when its section is joined, so a long narration is never in
    memory whole. Raises a DeliverError when they can no longer be read."""


@dataclass(frozen=True)
class SectionVoice:
    """One section as voiced: what is said, the takes in order, and who said it."""

    index: int
    """Index into `Speech.sections`."""
    said: tuple[Said, ...]
    takes: tuple[Take, ...]
    engine: str
    voice: str
    fallback_from: tuple[str, ...] = ()
    """Engines that failed for this section before `engine` voiced it, with their reasons."""


@dataclass(frozen=True)
class Pauses:
    """Seconds of silence put between takes."""

    sentence: float
    """Between takes of one utterance (a point continues)."""
    point: float
    """Between utterances (the slide changes)."""
