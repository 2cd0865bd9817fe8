"""What a deck deliver renders carries so it can be read back after a user edits it: the role name of
each text box, the section of each slide, a core-property mark, and the speech's title and meta."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from deliver.model import Meta

ROLE_PREFIX: Final = "deliver:"
"""Each text box is named for its role ("deliver:point.title"), so a deck edited in PowerPoint can be read back."""
MARK: Final = "deliver deck 1"
"""The deck's core `identifier` property: says deliver made it (see `slides/readback.py`)."""


CORE_PROPERTY_MAX: Final = 255
"""Characters python-pptx (and the OOXML core properties) allow in one property."""


def kept_text(meta: Meta, sections: Sequence[str]) -> str:
    """What the deck's core `comments` property keeps (JSON): the speech's meta, of which the title slide
    shows only some fields, and each section's title as written (a template's all-caps box shows it in
    capitals). A core property holds 255 characters: what does not fit is left out (the section titles
    first, then the meta), and readback then goes by what the slides show."""
    for kept in ({"meta": dict(meta), "sections": list(sections)}, {"meta": dict(meta)}):
        text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
        if len(text) <= CORE_PROPERTY_MAX:
            return text
    return ""


def kept_of(text: str | None) -> tuple[Meta, tuple[str, ...]]:
    """(meta, section titles) a deck's `comments` property keeps; empty for a deck that keeps none."""
    try:
        kept: Any = json.loads(text or "{}")
    except json.JSONDecodeError:
        kept = {}
    kept = kept if isinstance(kept, dict) else {}
    meta, sections = kept.get("meta"), kept.get("sections")
    meta = {k: v for k, v in meta.items() if isinstance(v, str)} if isinstance(meta, dict) else {}
    titles = tuple(t for t in sections if isinstance(t, str)) if isinstance(sections, list) else ()
    return Meta.of(meta), titles
