"""`Block`: one paragraph of a speech as read, with the structure hints its format gives.

Every reader (plain text, Markdown/HTML, Word) produces blocks; the header zone and the structure
parser read them. Hints are evidence, not decisions: what a format says about a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Hint = Literal["bold", "quote"]
"""What a paragraph's markup says beyond heading/list: "bold" = the whole paragraph is bold
(`**关于外交工作**`, a bold Word paragraph); "quote" = a one-line blockquote (`> (The Way Begins At Home)`),
the divider shape of transcript files."""


@dataclass(frozen=True)
class Block:
    """One paragraph of the source with the structure hints its format gives."""

    text: str
    heading: int | None = None
    """Heading level from the format (0 = document title, 1 = top heading); None for body text."""
    list_item: bool = False
    """True for a list paragraph whose marker the format holds (docx numbering, Markdown bullet)."""
    hint: Hint | None = None
    """A heading hint from markup that is not a heading: whole-line bold or a one-line blockquote."""
