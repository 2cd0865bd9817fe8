"""Which East-Asian face a deck names per role, and what this machine shows for it: fontconfig's
answers (`fc-list`, `fc-match`), the `--deck-fonts` choice, and the one-line notice when a Linux
machine would show a 仿宋/宋体 body in a sans (or a 黑体 title in a serif).

Why it matters: LibreOffice, and WPS on Kylin/UOS, ask fontconfig for the one name a run carries
(LibreOffice 7.4 never tries a second name of a `;` list, nor the theme's `script="Hans"` entry).
fontconfig has no rule for FangSong, so without help the default sans is shown.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from deliver.errors import OptionError
from deliver.model import Notice
from deliver.slides.fonts import is_serif

if TYPE_CHECKING:
    from deliver.slides.theme import Theme

DeckFonts = Literal["windows", "installed"]
DECK_FONTS: Final = ("windows", "installed")
"""`windows`: each role's first name (what PowerPoint and WPS on Windows resolve, e.g. FangSong);
`installed`: the first name of each role's chain that this machine has (fontconfig), else the first."""
Role = Literal["title", "body"]
ROLES: Final[tuple[Role, ...]] = ("title", "body")
CJK_SERIF: Final = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "思源宋体", "AR PL UMing CN",
                    "AR PL UMing")  # fmt: skip
"""Common Chinese serif faces on Linux, best first: where a 仿宋/宋体 chain has none installed."""
CJK_SANS: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "思源黑体", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "Droid Sans Fallback")  # fmt: skip
"""Common Chinese sans faces on Linux, best first."""
_TIMEOUT: Final = 20.0
"""Seconds a fontconfig query may take (a first run may build its cache)."""

Shown = Callable[[str], "str | None"]
"""A name → the family this machine shows for it (None: cannot tell)."""


def check_deck_fonts(value: str) -> None:
    """OptionError unless `value` is one of DECK_FONTS."""
    if value not in DECK_FONTS:
        raise OptionError(f"--deck-fonts {value!r}: choose {' or '.join(DECK_FONTS)}")


def key(name: str) -> str:
    """A family name as fontconfig compares them: case and spaces do not count."""
    return "".join(name.split()).casefold()


def has_fontconfig() -> bool:
    """Whether this is a machine whose office apps ask fontconfig for fonts (Linux, Kylin, UOS, BSD):
    not Windows or macOS, where PowerPoint and WPS resolve names themselves, and fc-match exists."""
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        return False
    return shutil.which("fc-match") is not None and shutil.which("fc-list") is not None


def _run(args: list[str]) -> str | None:
    """stdout of a fontconfig tool; None when it cannot run or fails (we then cannot tell)."""
    try:
        done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=_TIMEOUT, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def installed_families() -> frozenset[str] | None:
    """The keys (see `key`) of every family name fontconfig knows here, localised names included
    (`文泉驿正黑` as well as `WenQuanYi Zen Hei`); None without fontconfig."""
    if not has_fontconfig():
        return None
    listed = _run(["fc-list", ":", "family"])
    if listed is None:
        return None
    return frozenset(key(name) for line in listed.splitlines() for name in line.split(",") if name.strip())


def _pattern(name: str) -> str:
    """`name` as a fontconfig pattern's family: `-`, `:`, `,` and `\\` are syntax there."""
    return "".join("\\" + c if c in "\\-:,=" else c for c in name)


def shown_face(name: str, lang: str = "zh-cn") -> str | None:
    """The family fontconfig gives for `name` in text of `lang` (what LibreOffice and WPS on Linux show);
    None without fontconfig."""
    if not has_fontconfig():
        return None
    found = _run(["fc-match", "-f", "%{family[0]}", f"{_pattern(name)}:lang={lang}"])
    return found.strip() or None if found is not None else None


def chain(theme: Theme, role: Role) -> tuple[str, ...]:
    """The theme's East-Asian fallback chain for `role`."""
    return theme.fonts.title_ea if role == "title" else theme.fonts.body_ea


def first_installed(names: tuple[str, ...], families: frozenset[str] | None) -> str:
    """The first of `names` installed here in the style of the first name (a template's FangSong body,
    whose chain ends in the default sans faces, never lands on a sans), else a common face of that style
    installed here; the first name when none is, or when we cannot tell."""
    if families is not None:
        serif = is_serif(names)
        same: tuple[str, ...] = (*(n for n in names if is_serif((n,)) == serif), *(CJK_SERIF if serif else CJK_SANS))
        for name in same:
            if key(name) in families:
                return name
    return names[0]


def with_deck_fonts(theme: Theme, mode: DeckFonts, families: frozenset[str] | None) -> Theme:
    """`theme` with each chain starting with the face the deck names (`render` writes the first):
    unchanged for `windows`, the first installed face moved to the front for `installed`."""
    if mode == "windows":
        return theme
    title, body = (_first(chain(theme, role), first_installed(chain(theme, role), families)) for role in ROLES)
    return replace(theme, fonts=replace(theme.fonts, title_ea=title, body_ea=body))


def _first(names: tuple[str, ...], chosen: str) -> tuple[str, ...]:
    return (chosen, *(n for n in names if n != chosen))


@dataclass(frozen=True)
class RoleFont:
    """One role's face: the name the deck carries and what this machine shows for it."""

    role: Role
    written: str
    """The `a:ea` typeface the deck's runs and theme name for this role."""
    serif: bool
    """Whether the role asks for a serif face (仿宋, 宋体, 楷体 …) rather than a sans (黑体, 雅黑 …)."""
    shown: str | None
    """The family fontconfig gives for `written`; None where we cannot tell (no fontconfig)."""

    @property
    def mismatched(self) -> bool:
        """Shown in the other family: a serif asked and a sans given, or the other way round."""
        return self.shown is not None and is_serif((self.shown,)) != self.serif


def role_fonts(theme: Theme, shown: Shown) -> tuple[RoleFont, ...]:
    """Title and body as the deck names them (the chains' first names) and as `shown` resolves them."""
    return tuple(
        RoleFont(role, chain(theme, role)[0], is_serif(chain(theme, role)), shown(chain(theme, role)[0]))
        for role in ROLES
    )


def _style(serif: bool) -> str:
    return "a serif" if serif else "a sans"


def mismatch_notice(fonts: tuple[RoleFont, ...], mode: DeckFonts) -> Notice | None:
    """One notice when this machine would show a role in the other family, naming the remedies."""
    wrong = [f for f in fonts if f.mismatched]
    if not wrong:
        return None
    said = "; ".join(
        f"the {f.role} {f.written} ({_style(f.serif)}) as {f.shown} ({_style(not f.serif)})" for f in wrong
    )
    if mode == "installed":
        fix = "no face of the theme's list for it is installed: install one (Debian/Kylin/UOS: fonts-noto-cjk)"
    else:
        fix = (
            "to show the deck on this machine, build it with --deck-fonts installed, or run "
            "`deliver fonts --install-aliases` once (every deck, also those made elsewhere)"
        )
    return Notice("slides", f"LibreOffice/WPS here would show {said}: {fix}")


def deck_faces(theme: Theme, mode: str) -> tuple[Theme, tuple[Notice, ...]]:
    """The theme with the faces the deck will name (see `with_deck_fonts`), and the notice when this
    machine's fontconfig would show one in the wrong family (only where fontconfig is asked: Linux).

    Raises OptionError for a `mode` not in DECK_FONTS."""
    check_deck_fonts(mode)
    if not has_fontconfig():
        return theme, ()
    chosen = with_deck_fonts(theme, cast(DeckFonts, mode), installed_families() if mode == "installed" else None)
    notice = mismatch_notice(role_fonts(chosen, shown_face), cast(DeckFonts, mode))
    return chosen, (notice,) if notice else ()


def font_record(theme: Theme) -> dict[str, Any]:
    """The manifest's `fonts`: per role, the Latin and East-Asian names the deck is written with
    (`options.deck_fonts` says how they were chosen)."""
    f = theme.fonts
    return {
        "title": {"latin": f.title_latin, "ea": f.title_ea[0]},
        "body": {"latin": f.body_latin, "ea": f.body_ea[0]},
    }
