"""A deck deliver made, perhaps edited in PowerPoint or WPS, read back into a `Speech`: slide titles as
headlines, body paragraphs as bullets, notes as the spoken text; the title slide gives the title, meta
and salutation, dividers the body sections, the footer the opening and closing; agenda and closing
slides are skipped. The deck says deliver made it by its core `identifier` and its shape names.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from deliver.errors import InputError
from deliver.model import Language, Point, Section, SectionKind, Speech
from deliver.speech.reading import Block, Source
from deliver.speech.text import detect_language

_CONT: Final = re.compile(r"\s*(?:（续）|\(cont\.\))\s*$")
_DATE: Final = re.compile(
    r"[（(]?\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?[）)]?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|(?:\d{1,2} )?[A-Z][a-z]+\.? (?:\d{1,2}, )?\d{4}"
)
_LABELS: Final = {"zh": {"opening": "开场", "closing": "结束语"}, "en": {"opening": "Opening", "closing": "Closing"}}


@dataclass
class _Shown:
    """One slide as read: its kind (from the role of its title box), texts by role, and notes."""

    number: int
    kind: str
    texts: dict[str, list[str]]
    notes: str
    section: int | None = None
    """The section the renderer put it in (the slide's name); None for a deck without names."""


@dataclass
class _Part:
    title: str
    kind: SectionKind
    points: list[Point] = field(default_factory=list)
    footer: str | None = None
    section: int | None = None


def is_pptx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "ppt/presentation.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def read_pptx(path: str | Path) -> tuple[Source, Speech] | None:
    """The speech of the deliver-made deck at `path`; None when `path` is not a .pptx at all.
    Raises InputError when it is a deck deliver did not make, or one it cannot read back."""
    p = Path(path)
    if p.suffix.lower() != ".pptx":
        return None
    try:
        data = p.read_bytes()
    except OSError:
        return None
    if not is_pptx(data):
        return None
    speech = speech_of_deck(data, p.name)
    lines = tuple(Block(line) for point in speech.points for line in point.text.split("\n"))
    return Source(p.name, lines, "pptx", hashlib.sha256(data).hexdigest(), {}, ()), speech


def speech_of_deck(data: bytes, name: str) -> Speech:
    """A deliver-made .pptx (bytes) → `Speech`. Raises InputError for any other deck."""
    import io

    from pptx import Presentation

    from deliver.slides.render import MARK, ROLE_PREFIX

    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises zip, XML and key errors alike for a broken file
        raise InputError(f"{name}: not a readable .pptx ({type(exc).__name__}); re-save it in PowerPoint") from None
    named = any(s.name.startswith(ROLE_PREFIX) for slide in prs.slides for s in slide.shapes)
    if prs.core_properties.identifier != MARK and not named:
        raise InputError(f"{name}: this deck was not made by deliver; only decks deliver built can be read back")
    shown = [_read_slide(n, slide, ROLE_PREFIX) for n, slide in enumerate(prs.slides, 1)]
    return _speech(shown, name, prs.core_properties.title or "")


def _read_slide(number: int, slide: Any, prefix: str) -> _Shown:
    texts: dict[str, list[str]] = {}
    for shape in slide.shapes:
        if shape.has_text_frame and shape.name.startswith(prefix):
            paragraphs = [p.text for p in shape.text_frame.paragraphs]
            texts[shape.name[len(prefix) :]] = [t for t in paragraphs if t.strip()]
    kind = next((k for k in ("point", "section", "title", "agenda", "closing") if f"{k}.title" in texts), "point")
    if kind == "point" and "point.title" not in texts and slide.shapes.title is not None:
        texts["point.title"] = [slide.shapes.title.text_frame.text]  # a slide the user added
    notes = ""
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = slide.notes_slide.notes_text_frame.text.strip()
    named = re.fullmatch(re.escape(prefix) + r"section (\d+)", slide._element.cSld.get("name") or "")
    return _Shown(number, kind, texts, notes, int(named.group(1)) if named else None)


def _joined(lines: list[str], language: Language) -> str:
    """A box's text with the planner's line breaks (vertical tabs to python-pptx) undone."""
    glue = " " if language == "en" else ""
    return glue.join(part.strip() for line in lines for part in line.split("\v") if part.strip())


def _recased(text: str, source: str) -> str:
    """`text` as `source` writes it, when a template's all-caps box showed it in capitals."""
    if text != text.upper() or text == text.lower():
        return text
    at = source.lower().find(text.lower())
    found = source[at : at + len(text)] if at >= 0 else ""
    return found if found.upper() == text else text


def _speech(shown: list[_Shown], name: str, stored_title: str) -> Speech:
    said = "\n".join([stored_title, *(s.notes for s in shown)])
    language = detect_language(said)
    title, meta, salutation = name.rsplit(".", 1)[0], {}, None
    parts: list[_Part] = []
    previous: _Shown | None = None
    for slide in shown:
        if slide.kind == "title":
            title = _recased(_joined(slide.texts["title.title"], language), said) or title
            meta = _meta([_joined([t], language) for t in slide.texts.get("title.subtitle", [])])
            salutation = slide.notes or None
        elif slide.kind == "section":
            title_shown = _recased(_joined(slide.texts["section.title"], language), said)
            parts.append(_Part(title_shown, "body", section=slide.section))
        elif slide.kind == "point":
            _add_point(parts, slide, previous, language, said)
            previous = slide
    sections = tuple(Section(p.title, p.kind, tuple(p.points)) for p in parts if p.points)
    if not sections:
        raise InputError(f"{name}: the deck has no slide with speaker notes to speak")
    from deliver.speech.deckmd import make_meta

    return Speech(title, language, salutation, sections, make_meta(meta))


def _meta(lines: list[str]) -> dict[str, str]:
    """The title slide's subtitle lines back under their keys: the planner writes occasion, date and
    speaker in that order, each when present; a line that is a date tells which two of them are there."""
    if len(lines) >= 3:
        return dict(zip(("occasion", "date", "speaker"), lines, strict=False))
    dated = next((i for i, line in enumerate(lines) if _DATE.fullmatch(line.strip())), None)
    if dated is None:
        return dict(zip(("occasion", "speaker"), lines, strict=False))
    keys = ("date", "speaker") if dated == 0 else ("occasion", "date")
    return dict(zip(keys, lines, strict=False))


def _add_point(parts: list[_Part], slide: _Shown, previous: _Shown | None, language: Language, said: str) -> None:
    """A point slide joins its section: a page of the point before (same notes), or a new point."""
    if not slide.notes:
        raise InputError(f"slide {slide.number}: has no speaker notes; the notes are what is said on it")
    footer = _recased(_joined(slide.texts.get("footer", []), language), said) or None
    part = _section_for(parts, footer, slide.section, language)
    shown = _recased(_joined(slide.texts.get("point.title", []), language), slide.notes + "\n" + said)
    cont = _CONT.search(shown)
    headline = shown[: cont.start()] if cont else shown
    bullets = tuple(_recased(_joined([b], language), slide.notes) for b in slide.texts.get("point.body", []))
    if part.points and previous is not None and previous.notes == slide.notes and cont:
        last = part.points[-1]
        part.points[-1] = Point(last.text, last.headline, last.bullets + bullets, last.continued)
        return
    text = slide.notes
    lines = text.split("\n")
    if headline.endswith("…") and len(lines) > 1 and lines[0].startswith(headline[:-1].rstrip()):
        headline, text = lines[0], "\n".join(lines[1:])  # a headline shortened on the slide: in full in the notes
    continued = cont is not None and bool(part.points) and part.points[-1].headline == headline
    part.points.append(Point(text, headline, bullets, continued))


def _section_for(parts: list[_Part], footer: str | None, section: int | None, language: Language) -> _Part:
    """The section a point slide belongs to: the open one, or a new opening or closing (which have no
    divider) when the slide's section number changes, or in a deck without numbers its footer."""
    part = parts[-1] if parts else None
    if part is not None and section is not None and part.section is not None:
        fresh = part.section != section
    elif part is not None:
        fresh = bool(part.points and footer is not None and part.footer is not None and footer != part.footer)
    else:
        fresh = True
    if fresh or part is None:
        kind: SectionKind = "closing" if any(p.kind == "body" for p in parts) else "opening"
        part = _Part(footer or _LABELS[language][kind], kind, footer=footer, section=section)
        parts.append(part)
    part.footer, part.section = part.footer or footer, part.section if part.section is not None else section
    return part
