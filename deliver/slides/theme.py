"""Slide themes as data: `themes/*.toml`, a path to a .toml, or an organisation's template .pptx.

A `Theme` is validated once, when built (unknown TOML keys and bad values raise `ThemeError`);
the slide planner and renderer trust it. All lengths are in points (1 pt = 12700 EMU).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any, Final, Literal

from deliver.errors import ThemeError
from deliver.slides.box import Box

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_THEME: Final = "default"


def _builtin_themes_dir() -> Path:
    """The folder of the built-in themes: `deliver/themes/` inside an installed wheel (the build
    backend copies the checkout's top-level `themes/` there), else `themes/` beside the package in a
    checkout (an editable install or PYTHONPATH), so each theme file exists once in the repository."""
    shipped = files("deliver").joinpath("themes")
    if isinstance(shipped, Path) and shipped.is_dir():  # pip unpacks wheels: a real folder, never a zip
        return shipped
    return Path(__file__).resolve().parents[2] / "themes"


THEMES_DIR: Final = _builtin_themes_dir()
SLIDE_WIDTH: Final = 960.0
"""Width of a drawn (template-less) 16:9 slide, in pt (13.333 in)."""
SLIDE_HEIGHT: Final = 540.0
"""Height of a drawn 16:9 slide, in pt (7.5 in)."""
EA_DEFAULT: Final = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC")
"""East-Asian fallback chain used when a template names no `ea` font."""

Align = Literal["left", "center"]
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Palette:
    """Colours as RRGGBB hex strings; None means "inherit from the template"."""

    background: str | None = "FFFFFF"
    text: str | None = "222222"
    headline: str | None = "1F3864"
    muted: str | None = "7F7F7F"
    accent: str | None = "1F4E79"
    accent2: str | None = "C9A227"
    band_text: str | None = "FFFFFF"
    cover_background: str | None = "FFFFFF"
    cover_text: str | None = "1F3864"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not (isinstance(value, str) and _HEX.match(value)):
                raise ThemeError(f'colors.{f.name} = {value!r} is not a colour: write "RRGGBB" hex, e.g. "C00000"')
            if value is not None:
                object.__setattr__(self, f.name, value.lstrip("#").upper())


@dataclass(frozen=True)
class Fonts:
    """Typefaces per role. `*_ea` are fallback chains: the first is written to the deck, the rest
    name the same style on other systems (Windows, macOS, WPS, LibreOffice) for previews and docs."""

    title_latin: str = "Arial"
    title_ea: tuple[str, ...] = EA_DEFAULT
    body_latin: str = "Arial"
    body_ea: tuple[str, ...] = EA_DEFAULT
    title_bold: bool = True

    def __post_init__(self) -> None:
        for name in ("title_latin", "body_latin"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise ThemeError(f'fonts.{name} must be a non-empty font name, e.g. "Arial"')
        for name in ("title_ea", "body_ea"):
            chain = getattr(self, name)
            if isinstance(chain, str):
                chain = (chain,)
            if not chain or not all(isinstance(c, str) and c.strip() for c in chain):
                raise ThemeError(f'fonts.{name} must be a font name or a list of names, e.g. ["SimHei", "Heiti SC"]')
            object.__setattr__(self, name, tuple(chain))
        if not isinstance(self.title_bold, bool):
            raise ThemeError("fonts.title_bold must be true or false")


@dataclass(frozen=True)
class Sizes:
    """Font-size ranges (min, max) in pt; the planner picks the largest that fits."""

    title: tuple[float, float] = (28, 44)
    subtitle: tuple[float, float] = (16, 22)
    section: tuple[float, float] = (28, 40)
    headline: tuple[float, float] = (20, 32)
    body: tuple[float, float] = (18, 28)
    label: float = 20
    footer: float = 11

    def __post_init__(self) -> None:
        for name in ("title", "subtitle", "section", "headline", "body"):
            value = getattr(self, name)
            ok = isinstance(value, (list, tuple)) and len(value) == 2
            ok = ok and all(isinstance(v, (int, float)) and 8 <= v <= 120 for v in value) and value[0] <= value[1]
            if not ok:
                raise ThemeError(f"sizes.{name} = {value!r}: write [min, max] in pt, 8 ≤ min ≤ max ≤ 120")
            object.__setattr__(self, name, (float(value[0]), float(value[1])))
        for name in ("label", "footer"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 6 <= value <= 120:
                raise ThemeError(f"sizes.{name} = {value!r}: write a size in pt between 6 and 120")
            object.__setattr__(self, name, float(value))


@dataclass(frozen=True)
class Text:
    """Paragraph settings: line spacing (multiple of single), space before a bullet (em), bullet glyph."""

    line_spacing: float = 1.0
    paragraph_spacing: float = 0.45
    bullet: str = "•"
    cover_align: Align = "left"
    inset: float = 7.2
    """Left/right inner margin of every text box, in pt (top/bottom use half)."""

    def __post_init__(self) -> None:
        if not isinstance(self.line_spacing, (int, float)) or not 0.8 <= self.line_spacing <= 2.0:
            raise ThemeError("text.line_spacing must be a number between 0.8 and 2.0")
        if not isinstance(self.paragraph_spacing, (int, float)) or not 0 <= self.paragraph_spacing <= 2:
            raise ThemeError("text.paragraph_spacing must be an em value between 0 and 2")
        if not isinstance(self.bullet, str) or len(self.bullet) > 1:
            raise ThemeError('text.bullet must be one character, or "" for none')
        if self.cover_align not in ("left", "center"):
            raise ThemeError('text.cover_align must be "left" or "center"')
        if not isinstance(self.inset, (int, float)) or not 0 <= self.inset <= 36:
            raise ThemeError("text.inset must be between 0 and 36 pt")


@dataclass(frozen=True)
class Accents:
    """Accent shapes drawn on template-less decks (ignored with a template)."""

    title_band: bool = False
    band_height: float = 92
    rule: bool = True
    side_bar: bool = False

    def __post_init__(self) -> None:
        for name in ("title_band", "rule", "side_bar"):
            if not isinstance(getattr(self, name), bool):
                raise ThemeError(f"accents.{name} must be true or false")
        if not isinstance(self.band_height, (int, float)) or not 48 <= self.band_height <= 160:
            raise ThemeError("accents.band_height must be between 48 and 160 pt")


@dataclass(frozen=True)
class Margins:
    """Slide margins in pt."""

    left: float = 56
    right: float = 56
    top: float = 36
    bottom: float = 40

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 144:
                raise ThemeError(f"margins.{f.name} must be between 0 and 144 pt")


@dataclass(frozen=True)
class Theme:
    """A complete, validated theme. Lengths in pt; colours RRGGBB hex."""

    name: str
    description: str
    palette: Palette = field(default_factory=Palette)
    fonts: Fonts = field(default_factory=Fonts)
    sizes: Sizes = field(default_factory=Sizes)
    text: Text = field(default_factory=Text)
    accents: Accents = field(default_factory=Accents)
    margins: Margins = field(default_factory=Margins)
    agenda: bool = True
    closing: bool = True
    template: Path | None = None
    """Template .pptx whose layouts and placeholders are used; None draws our own shapes."""
    width: float = SLIDE_WIDTH
    height: float = SLIDE_HEIGHT
    template_boxes: Mapping[str, Box] | None = None
    """Role → placeholder box, read from the template; None on drawn decks."""

    def __post_init__(self) -> None:
        if not self.description.strip() or "\n" in self.description:
            raise ThemeError(f"theme {self.name!r}: description must be one non-empty line")
        if self.width <= 0 or self.height <= 0:
            raise ThemeError(f"theme {self.name!r}: slide size must be positive")
        if self.margins.left + self.margins.right > self.width / 2:
            raise ThemeError(f"theme {self.name!r}: left + right margins leave less than half the slide")
        if self.template is not None and self.template_boxes is None:
            raise ThemeError(f"theme {self.name!r}: template given without its layout boxes; use load_theme()")


_SECTIONS: Final[dict[str, type]] = {
    "colors": Palette,
    "fonts": Fonts,
    "sizes": Sizes,
    "text": Text,
    "accents": Accents,
    "margins": Margins,
}
_SECTION_FIELD: Final = {"colors": "palette"}
_TOP_KEYS: Final = {"description", "template", "agenda", "closing"}


def _section(name: str, cls: type, data: Any) -> Any:
    """Build one TOML table into its dataclass, rejecting unknown keys."""
    if not isinstance(data, dict):
        raise ThemeError(f"[{name}] must be a table")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThemeError(f"unknown key {name}.{unknown[0]}: valid keys are {', '.join(sorted(known))}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    try:
        return cls(**values)
    except TypeError as exc:  # wrong value types that slipped past the checks
        raise ThemeError(f"[{name}]: {exc}") from None


def theme_from_toml(path: Path) -> Theme:
    """Read and validate a theme file; a relative `template` is resolved against the file's folder."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # -sig: Notepad starts UTF-8 with a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"cannot read theme {path}: {exc}") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
        raise ThemeError(f"theme {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _TOP_KEYS - set(_SECTIONS))
    if unknown:
        raise ThemeError(
            f"unknown key {unknown[0]!r} in {path.name}: valid are {', '.join(sorted(_TOP_KEYS | set(_SECTIONS)))}"
        )
    if not isinstance(data.get("description"), str):
        raise ThemeError(f'theme {path.name} needs description = "one line saying what it is for"')
    kwargs: dict[str, Any] = {
        _SECTION_FIELD.get(k, k): _section(k, cls, data[k]) for k, cls in _SECTIONS.items() if k in data
    }
    for flag in ("agenda", "closing"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise ThemeError(f"{flag} must be true or false in {path.name}")
            kwargs[flag] = data[flag]
    theme = Theme(name=path.stem, description=data["description"], **kwargs)
    if "template" in data:
        if not isinstance(data["template"], str):
            raise ThemeError(f'template must be a path string in {path.name}, e.g. "org.pptx"')
        theme = with_template(theme, (path.parent / data["template"]).resolve())
    return theme


def with_template(theme: Theme, template: Path) -> Theme:
    """`theme` using `template`'s layouts, placeholders and slide size (from deliver.slides.template)."""
    from deliver.slides.template import read_template

    info = read_template(template)
    return replace(theme, template=template, width=info.width, height=info.height, template_boxes=info.boxes)


def theme_from_template(path: Path) -> Theme:
    """A theme that is an organisation's own .pptx: its colours and fonts, our text fitting."""
    from deliver.slides.template import read_template

    info = read_template(path)
    palette = Palette(**{f.name: None for f in fields(Palette)})
    fonts = Fonts(
        title_latin=info.major_latin or "Arial",
        title_ea=(*info.major_ea, *EA_DEFAULT),
        body_latin=info.minor_latin or "Arial",
        body_ea=(*info.minor_ea, *EA_DEFAULT),
        title_bold=False,
    )
    return Theme(
        name=path.stem,
        description=f"the template {path.name}",
        palette=palette,
        fonts=fonts,
        accents=Accents(rule=False),
        template=path,
        width=info.width,
        height=info.height,
        template_boxes=info.boxes,
    )


def load_theme(name_or_path: str) -> Theme:
    """A theme by name (a built-in one, THEMES_DIR/NAME.toml), by .toml path, or by .pptx template path.

    Raises ThemeError naming the available themes when nothing matches.
    """
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix.lower() in (".pptx", ".potx", ".pptm", ".potm"):  # templates and macro decks: read as .pptx
        if not candidate.is_file():
            raise ThemeError(f"template {name_or_path} not found: give the path to an existing .pptx")
        return theme_from_template(candidate.resolve())
    if candidate.suffix.lower() == ".toml":
        if not candidate.is_file():
            raise ThemeError(f"theme file {name_or_path} not found")
        return theme_from_toml(candidate)
    named = THEMES_DIR / f"{name_or_path}.toml"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and named.is_file():
        return theme_from_toml(named)
    names = ", ".join(n for n, _ in list_themes())
    raise ThemeError(f"unknown theme {name_or_path!r}: use one of {names}, a .toml file or a template .pptx")


def list_themes() -> list[tuple[str, str]]:
    """(name, one-line description) of every built-in theme (THEMES_DIR), sorted by name."""
    result = []
    for path in sorted(THEMES_DIR.glob("*.toml")):
        try:
            description = theme_from_toml(path).description
        except ThemeError as exc:
            description = f"(broken: {exc})"
        result.append((path.stem, description))
    return result
