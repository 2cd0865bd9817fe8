"""Where each text role sits on a slide and how it is styled — pure geometry in pt.

Drawn decks get boxes computed from the theme's margins and accents; template decks use the
placeholder boxes read from the template (`Theme.template_boxes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from deliver.slides.box import Box
from deliver.slides.theme import Theme

FontRole = Literal["title", "body"]
Anchor = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class RoleStyle:
    """How a text role is set: which font pair, colour (a `Palette` field), weight, alignment."""

    font: FontRole
    colour: str
    bold: bool
    align: Literal["left", "center", "right"] | None
    """None: keep the template placeholder's alignment."""
    anchor: Anchor | None
    """None: keep the template placeholder's vertical anchor."""
    spacing: float = 1.0
    """Line spacing, a multiple of single (the theme's for body text; 1.0 for titles)."""


@dataclass(frozen=True)
class Accent:
    """A decorative rectangle of a drawn slide (title band, rule under a title, side bar), in pt."""

    x: float
    y: float
    w: float
    h: float
    colour: str | None
    """RRGGBB hex from the theme's palette; None when the palette leaves that colour unset."""

    def to_json(self, fallback: str) -> list[float | str]:
        """The accent as rehearsal.html draws it: [x, y, w, h, colour], `fallback` where the palette is silent."""
        return [self.x, self.y, self.w, self.h, self.colour or fallback]


COVER_KINDS: Final = ("title", "closing", "section")
"""Slide kinds drawn on the cover background, with the short rule as their only accent."""
FOOTER_H: Final = 24.0
"""Height of the footer line, in pt."""
PAGENO_W: Final = 72.0
"""Width of the slide-number box, in pt."""


def role_style(theme: Theme, role: str) -> RoleStyle:
    """Style of `role` ("title.title", "point.body", …) under `theme`."""
    bold = theme.fonts.title_bold
    cover = theme.text.cover_align
    band = theme.accents.title_band and theme.template is None
    headline_colour = "band_text" if band else "headline"
    styles = {
        "title.title": RoleStyle("title", "cover_text", bold, cover, "bottom"),
        "title.subtitle": RoleStyle("body", "cover_text", False, cover, "top"),
        "closing.title": RoleStyle("title", "cover_text", bold, cover, "bottom"),
        "closing.subtitle": RoleStyle("body", "cover_text", False, cover, "top"),
        "section.label": RoleStyle("title", "accent2", bold, cover, "bottom"),
        "section.title": RoleStyle("title", "cover_text", bold, cover, "top"),
        "agenda.title": RoleStyle("title", headline_colour, bold, "left", "middle"),
        "agenda.body": RoleStyle("body", "text", False, "left", "top", theme.text.line_spacing),
        "point.title": RoleStyle("title", headline_colour, bold, "left", "middle"),
        "point.body": RoleStyle("body", "text", False, "left", "top", theme.text.line_spacing),
        "footer": RoleStyle("body", "muted", False, "left", "middle"),
        "pageno": RoleStyle("body", "muted", False, "right", "middle"),
    }
    style = styles[role]
    if theme.template is not None:
        return RoleStyle(style.font, style.colour, style.bold, None, None, style.spacing)
    return style


def boxes(theme: Theme) -> dict[str, Box]:
    """Role → text box for `theme` (template placeholders, or computed from margins)."""
    if theme.template_boxes is not None:
        return dict(theme.template_boxes)
    return drawn_boxes(theme)


def content_top(theme: Theme) -> float:
    """Top of the body area under the headline, in pt."""
    if theme.accents.title_band:
        return theme.accents.band_height + 24
    return theme.margins.top + 84 + 20


def drawn_boxes(theme: Theme) -> dict[str, Box]:
    """Boxes of a template-less deck, from the theme's margins and accents (pt)."""
    w, h, m = theme.width, theme.height, theme.margins
    inner_w = w - m.left - m.right
    headline = (
        Box(m.left, 0, inner_w, theme.accents.band_height)
        if theme.accents.title_band
        else Box(m.left, m.top, inner_w, 84)
    )
    top = content_top(theme)
    body = Box(m.left, top, inner_w, h - m.bottom - top)
    footer_y = h - m.bottom + (m.bottom - FOOTER_H) / 2
    return {
        "title.title": Box(m.left, h * 0.14, inner_w, h * 0.40),
        "title.subtitle": Box(m.left, h * 0.58, inner_w, h * 0.30),
        "closing.title": Box(m.left, h * 0.14, inner_w, h * 0.40),
        "closing.subtitle": Box(m.left, h * 0.58, inner_w, h * 0.30),
        "section.label": Box(m.left, h * 0.18, inner_w, h * 0.14),
        "section.title": Box(m.left, h * 0.36, inner_w, h * 0.44),
        "agenda.title": headline,
        "agenda.body": body,
        "point.title": headline,
        "point.body": body,
        "footer": Box(m.left, footer_y, inner_w - PAGENO_W, FOOTER_H),
        "pageno": Box(w - m.right - PAGENO_W, footer_y, PAGENO_W, FOOTER_H),
    }


def inner_size(box: Box, theme: Theme) -> tuple[float, float]:
    """Usable (width, height) inside `box` after the text insets, in pt."""
    inset = theme.text.inset
    return max(box.w - 2 * inset, 1.0), max(box.h - inset, 1.0)


def accents(kind: str, theme: Theme, where: dict[str, Box]) -> tuple[Accent, ...]:
    """The accent rectangles of a drawn slide of `kind` under `theme`, whose text boxes are `where`."""
    p, a, inset = theme.palette, theme.accents, theme.text.inset
    if kind in COVER_KINDS:
        if not a.rule:
            return ()
        anchor = where["section.title"] if kind == "section" else where["title.subtitle"]
        x = (theme.width - 120) / 2 if theme.text.cover_align == "center" else anchor.x + inset
        return (Accent(x, anchor.y - 14, 120, 4, p.accent2),)
    head = where["point.title"]
    rects: list[Accent] = []
    if a.title_band:
        rects.append(Accent(0, 0, theme.width, a.band_height, p.accent))
        if a.rule:
            rects.append(Accent(0, a.band_height, theme.width, 5, p.accent2))
    elif a.rule and not a.side_bar:
        rects.append(Accent(head.x + inset, head.y + head.h + 4, 64, 4, p.accent))
    if a.side_bar:
        rects.append(Accent(0, head.y + 14, 12, head.h - 28, p.accent))
    return tuple(rects)
