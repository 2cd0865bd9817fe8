"""Slides stage: `plan_deck` (Speech + Theme → Deck plan, pure) then `render_deck` (Deck → .pptx)."""

from __future__ import annotations

from deliver.slides.plan import BoxText, Deck, Slide, deck_to_dict, plan_deck
from deliver.slides.render import render_deck

__all__ = ["BoxText", "Deck", "Slide", "deck_to_dict", "plan_deck", "render_deck"]
