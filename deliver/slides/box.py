"""`Box`: where a text box sits on a slide, in pt — the one geometry type the theme, the template
reader and the layout share (its own module so `theme` and `template` need not import each other)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A text box on the slide, in pt from the top-left corner."""

    x: float
    y: float
    w: float
    h: float
    layout: int | None = None
    """Template layout index the box comes from; None on drawn decks."""
    placeholder: int | None = None
    """Placeholder idx within that layout; None on drawn decks."""
    caps: bool = False
    """The template shows this placeholder's text in capitals."""
