"""deliver: turn the text of a speech into a deck, narration, subtitles, timing and a rehearsal package."""

from __future__ import annotations

__version__ = "0.1.0"
