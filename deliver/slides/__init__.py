"""Slides stage: the theme model, `Speech` + `Theme` → `Deck` plan (pure, no python-pptx), the plan
rendered to .pptx, the plan drawn to PNG (Pillow and the PyPI fonts, loaded on first draw), and the
narrated deck (the plan's slides with their audio and auto-advance).

What the rest of deliver may use is named here. The plan, theme and geometry are imported with the
package; what needs python-pptx (`render_deck`, `write_narrated_deck`, `read_template`, and `read_pptx`
which reads a deck deliver made back) is imported on first use, so planning a deck or reading a theme
never loads it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from deliver.slides.box import Box
from deliver.slides.draw import DrawnLine, colours, draw_slide, slide_pictures, undrawn_notice
from deliver.slides.fit import BULLET_INDENT
from deliver.slides.fontalias import AliasFile, install_aliases, remove_aliases
from deliver.slides.fontcmd import fonts_lines
from deliver.slides.fontmatch import DECK_FONTS, RoleFont, check_deck_fonts, deck_faces, font_record
from deliver.slides.fonts import SUBTITLE_FONT, check_fonts, font_folder
from deliver.slides.layout import Accent, RoleStyle, accents, boxes, role_style
from deliver.slides.plan import BoxText, Deck, Slide, SlideKind, deck_to_dict, page_share, plan_deck
from deliver.slides.showtime import SILENT_ADVANCE, SlideWindow, narrated_windows, show_windows, to_show
from deliver.slides.theme import DEFAULT_THEME, Palette, Theme, list_themes, load_theme

if TYPE_CHECKING:
    from deliver.slides.narrated import write_narrated_deck
    from deliver.slides.readback import read_pptx
    from deliver.slides.render import render_deck
    from deliver.slides.template import check_reopens, has_macros, read_template

_HEAVY: Final = {
    "render_deck": "deliver.slides.render",
    "write_narrated_deck": "deliver.slides.narrated",
    "read_template": "deliver.slides.template",
    "check_reopens": "deliver.slides.template",
    "has_macros": "deliver.slides.template",
    "read_pptx": "deliver.slides.readback",
}
"""Names whose modules import python-pptx: name → module, imported when first asked for."""

__all__ = [
    "BULLET_INDENT",
    "DECK_FONTS",
    "DEFAULT_THEME",
    "SILENT_ADVANCE",
    "SUBTITLE_FONT",
    "Accent",
    "AliasFile",
    "Box",
    "BoxText",
    "Deck",
    "DrawnLine",
    "Palette",
    "RoleFont",
    "RoleStyle",
    "Slide",
    "SlideKind",
    "SlideWindow",
    "Theme",
    "accents",
    "boxes",
    "check_deck_fonts",
    "check_fonts",
    "check_reopens",
    "colours",
    "deck_faces",
    "deck_to_dict",
    "draw_slide",
    "font_folder",
    "font_record",
    "fonts_lines",
    "has_macros",
    "install_aliases",
    "list_themes",
    "load_theme",
    "narrated_windows",
    "page_share",
    "plan_deck",
    "read_pptx",
    "read_template",
    "remove_aliases",
    "render_deck",
    "role_style",
    "show_windows",
    "slide_pictures",
    "to_show",
    "undrawn_notice",
    "write_narrated_deck",
]


def __getattr__(name: str) -> Any:
    if name in _HEAVY:
        return getattr(importlib.import_module(_HEAVY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
