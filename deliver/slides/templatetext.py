"""Static text in a template's own shapes (an organisation's name, a "confidential" line) for the slide
pictures: read only when it is simple — one size, weight and colour per shape, horizontal, no fields
(a slide number in a plain text box would show the wrong number) — and set line by line, wrapped at
the box's width, in the PyPI Noto faces; anything else is left out (and counted by the caller)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from deliver.slides.draw import GLYPH_CENTRE, LINE_EM
from deliver.slides.fonts import Face, font, is_serif
from deliver.slides.templatefill import RGBA, A, P, Scheme, colour, scheme_colour

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw

_INSETS: Final = (91440, 45720, 91440, 45720)
"""DrawingML's default text insets l, t, r, b, in EMU."""
_TOKEN: Final = re.compile(r"[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+|.")
"""Wrapping units: a Latin word with its trailing space, or one CJK character (may break after any)."""


@dataclass(frozen=True)
class ShapeText:
    """The text of one shape as it is set: paragraphs (text, "l"/"ctr"/"r"), one run style, the box's
    anchor ("t"/"ctr"/"b"), insets (EMU) and whether it wraps."""

    paragraphs: tuple[tuple[str, str], ...]
    size: float
    """pt."""
    colour: RGBA
    face: Face
    anchor: str
    insets: tuple[int, int, int, int]
    wrap: bool


def simple_text(shape: Any, scheme: Scheme, master: Any) -> ShapeText | Literal["unread"] | None:
    """A shape's text as `ShapeText`; None when it has none, "unread" when it is not simple."""
    body = shape.find(f"{P}txBody")
    if body is None or not "".join(t.text or "" for t in body.iter(f"{A}t")).strip():
        return None
    pr = body.find(f"{A}bodyPr")
    if body.find(f".//{A}fld") is not None or (pr is not None and pr.get("vert", "horz") != "horz"):
        return "unread"
    runs = [r.find(f"{A}rPr") for r in body.iter(f"{A}r")]
    looks = {(_attr(r, "sz"), _attr(r, "b"), _fill_xml(r)) for r in runs}
    if len(looks) > 1:
        return "unread"
    level = [body.find(f"{A}lstStyle/{A}lvl1pPr"), master.find(f"{P}txStyles/{P}otherStyle/{A}lvl1pPr")]
    defaults = [lvl.find(f"{A}defRPr") if lvl is not None else None for lvl in level]
    first = runs[0] if runs else None
    size = float(_first_attr([first, *defaults], "sz") or "1800") / 100
    scale = pr.find(f"{A}normAutofit") if pr is not None else None
    size *= int(scale.get("fontScale", "100000")) / 100000 if scale is not None else 1.0
    ink = _run_colour([first, *defaults], shape, scheme)
    bold = _first_attr([first, *defaults], "b") in ("1", "true")
    names = tuple(_typefaces(first))
    face: Face = "sans-bold" if bold else ("serif" if is_serif(names) else "sans")
    paragraphs = tuple((_paragraph_text(p), _align(p, level)) for p in body.iter(f"{A}p"))
    insets = tuple(
        int(pr.get(k, d)) if pr is not None else d
        for k, d in zip(("lIns", "tIns", "rIns", "bIns"), _INSETS, strict=True)
    )
    anchor = pr.get("anchor", "t") if pr is not None else "t"
    wrap = pr is None or pr.get("wrap", "square") != "none"
    return ShapeText(paragraphs, size, ink, face, anchor, insets, wrap)  # type: ignore[arg-type]


def _attr(el: Any, name: str) -> str:
    return str(el.get(name, "")) if el is not None else ""


def _first_attr(chain: list[Any], name: str) -> str:
    return next((str(el.get(name)) for el in chain if el is not None and el.get(name) is not None), "")


def _fill_xml(rpr: Any) -> str:
    from lxml import etree

    fill = rpr.find(f"{A}solidFill") if rpr is not None else None
    return etree.tostring(fill).decode() if fill is not None else ""


def _run_colour(chain: list[Any], shape: Any, scheme: Scheme) -> RGBA:
    """The run's own colour, else its list style's, the shape style's font colour, the master's other text."""
    for el in chain[:2]:
        found = colour(el.find(f"{A}solidFill"), scheme) if el is not None else None
        if found is not None:
            return found
    font_ref = shape.find(f"{P}style/{A}fontRef")
    for candidate in (font_ref, chain[2].find(f"{A}solidFill") if chain[2] is not None else None):
        found = colour(candidate, scheme)
        if found is not None:
            return found
    return scheme_colour("tx1", scheme) or (0, 0, 0, 255)


def _typefaces(rpr: Any) -> list[str]:
    if rpr is None:
        return []
    return [str(el.get("typeface", "")) for el in (rpr.find(f"{A}ea"), rpr.find(f"{A}latin")) if el is not None]


def _paragraph_text(paragraph: Any) -> str:
    parts = []
    for el in paragraph:
        if el.tag == f"{A}r":
            parts.append("".join(t.text or "" for t in el.iter(f"{A}t")))
        elif el.tag == f"{A}br":
            parts.append("\n")
    return "".join(parts)


def _align(paragraph: Any, level: list[Any]) -> str:
    return _first_attr([paragraph.find(f"{A}pPr"), *level], "algn") or "l"


def paint_text(pen: ImageDraw, text: ShapeText, box: tuple[float, float, float, float], px_per_emu: float) -> None:
    """Set `text` in the px `box`: lines wrapped at its inner width, 1.2 em apart, anchored as the box says."""
    size = text.size * 12700 * px_per_emu
    face = font(text.face, max(1, round(size)))
    left, top = box[0] + text.insets[0] * px_per_emu, box[1] + text.insets[1] * px_per_emu
    right, bottom = box[2] - text.insets[2] * px_per_emu, box[3] - text.insets[3] * px_per_emu
    lines: list[tuple[str, str]] = []
    for paragraph, align in text.paragraphs:
        for piece in paragraph.split("\n"):
            wrapped = _wrap(pen, piece, face, right - left) if text.wrap else [piece]
            lines += [(line, align) for line in wrapped]
    step = size * LINE_EM
    total = step * len(lines)
    y = top if text.anchor == "t" else (bottom - total if text.anchor == "b" else (top + bottom - total) / 2)
    for line, align in lines:
        width = pen.textlength(line, font=face)
        x = (left + right - width) / 2 if align == "ctr" else (right - width if align == "r" else left)
        pen.text((x, y + step / 2 + GLYPH_CENTRE * size), line, font=face, fill=text.colour, anchor="ls")
        y += step


def _wrap(pen: ImageDraw, text: str, face: Any, width: float) -> list[str]:
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if line and pen.textlength((line + token).rstrip(), font=face) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()]
