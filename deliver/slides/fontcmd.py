"""`deliver fonts` as lines of text: per theme and role, the East-Asian name the deck carries and the
face this machine shows for it (fontconfig), and what `--install-aliases` / `--remove-aliases` did."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, cast

from deliver.slides.fontalias import install_aliases, remove_aliases
from deliver.slides.fontmatch import (
    DeckFonts,
    RoleFont,
    check_deck_fonts,
    has_fontconfig,
    installed_families,
    role_fonts,
    shown_face,
    with_deck_fonts,
)

if TYPE_CHECKING:
    from deliver.slides.fontalias import AliasFile
    from deliver.slides.theme import Theme


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _verdict(font: RoleFont) -> str:
    if font.shown is None:
        return "(no fontconfig here: PowerPoint and WPS find the name themselves)"
    style = "serif" if font.serif else "sans"
    return f"wrong: a {style} is meant" if font.mismatched else "ok"


def font_rows(themes: list[Theme], mode: str) -> list[tuple[str, RoleFont]]:
    """(theme name, its role's font) for every theme, with faces chosen as a build with `mode` would."""
    check_deck_fonts(mode)
    families = installed_families() if mode == "installed" else None
    shown = shown_face if has_fontconfig() else (lambda _: None)
    rows = []
    for theme in themes:
        chosen = with_deck_fonts(theme, cast(DeckFonts, mode), families)
        rows += [(theme.name, font) for font in role_fonts(chosen, shown)]
    return rows


def _alias_lines(done: AliasFile) -> list[str]:
    said = "wrote" if done.changed else "unchanged (it already says this):"
    lines = [f"{said} {done.path}"]
    for style in dict.fromkeys(a.style for a in done.aliases):
        names = [a.name for a in done.aliases if a.style == style]
        faces = next(a.faces for a in done.aliases if a.style == style)
        lines.append(f"  {style}: {', '.join(names)} → {', '.join(faces)}")
    return [*lines, "restart LibreOffice or WPS to see it"]


def fonts_lines(themes: list[Theme], mode: str, install: bool = False, remove: bool = False) -> list[str]:
    """What `deliver fonts` says: the alias file's change first (when asked), then the table as this
    machine now shows each role. Raises MissingTool (install without fontconfig), OutputError."""
    lines = []
    if install:
        lines += _alias_lines(install_aliases())
    if remove:
        removed = remove_aliases()
        lines.append(f"removed {removed}" if removed else "no alias file to remove")
    rows = font_rows(themes, mode)
    table: list[tuple[str, ...]] = [("theme", "role", f"deck names ({mode})", "this machine shows", "")]
    table += [(name, f.role, f.written, f.shown or "?", _verdict(f)) for name, f in rows]
    lines += _table(table)
    if any(f.mismatched for _, f in rows):
        lines.append(
            "fix: `deliver fonts --install-aliases` (this machine, every deck) or "
            "`deliver build --deck-fonts installed` (a deck for this machine)"
        )
    return lines
