"""What the web page shows and changes: an upload read as the CLI reads a file, a deck Markdown as
outline + timing, and the page's edits applied to the deck Markdown (parse → edit `Speech` → write)."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from deliver.errors import InputError, OptionError
from deliver.model import Meta, Point, Section, Speech, speech_to_dict
from deliver.pipeline import load
from deliver.speech import from_markdown, to_markdown
from deliver.timing import estimate, timing_to_dict

_SAFE = re.compile(r"[^\w.\- ]+")


def safe_name(name: str) -> str:
    """An uploaded file's name reduced to a bare file name: no folders, no leading dots (a name from the
    request only ever names a file inside a fresh folder of ours)."""
    base = _SAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return base[:120] or "speech.txt"


def read_upload(data: bytes, name: str, scratch: Path) -> str:
    """The deck Markdown of an uploaded speech, read exactly as `deliver outline` reads a file (encodings,
    .docx, a deck Markdown taken as written). Raises the reader's InputError, its words unchanged."""
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=scratch))
    try:
        path = folder / safe_name(name)
        path.write_bytes(data)
        _source, speech, _notices = load(path)
        return to_markdown(speech)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(scratch: Path) -> None:
    """Read a two-line speech once, so the word segmenter (jieba) is loaded before the first paste."""
    with contextlib.suppress(Exception):  # a warm-up only saves time; the first real read reports any error
        view(read_upload("讲话\n\n同志们，我们要认真学习。\n".encode(), "warm-up.txt", scratch), None, None)


def parse_deck(markdown: str) -> tuple[Speech, dict[str, str]]:
    """The speech a deck Markdown says, and its build settings (theme, target, …) as written."""
    if not markdown.strip():
        raise InputError("deck.md: is empty")
    deck = from_markdown(markdown, "deck.md")
    settings = {k: v for k, v in deck.front.items() if k in ("theme", "target", "engine", "voice", "pace") and v}
    return deck.speech, settings


def view(markdown: str, target: float | None, pace: str | None) -> dict[str, Any]:
    """Outline (sections, slides-to-be) and timing (with the target's cuts) of a deck Markdown."""
    speech, _settings = parse_deck(markdown)
    timing = estimate(speech, pace or None, target)
    outline = speech_to_dict(speech)
    return {
        "markdown": markdown,
        "outline": outline,
        "meta": _meta_dict(speech),
        "timing": timing_to_dict(timing, None),
    }


def edit(markdown: str, op: dict[str, Any]) -> str:
    """The deck Markdown after one edit from the page; the edit is made on the `Speech` it says."""
    speech, settings = parse_deck(markdown)
    kind = op.get("kind")
    if kind == "title":
        speech = replace(speech, title=_text(op, "text"))
    elif kind == "meta":
        key = str(op.get("key", ""))
        if key not in ("speaker", "date", "occasion"):
            raise OptionError(f"meta {key!r}: choose speaker, date or occasion")
        # Every other field (subtitle, heading, …) stays; an emptied one is gone.
        speech = replace(speech, meta=Meta.of({**speech.meta, key: str(op.get("text", ""))}))
    elif kind in _POINT_EDITS:
        speech = _POINT_EDITS[kind](speech, _index(op, len(speech.points)), op)
    else:
        raise OptionError(f"edit {kind!r}: not an edit the page knows")
    return to_markdown(speech, settings)


def _meta_dict(speech: Speech) -> dict[str, str]:
    """The fields the page edits, those the deck sets."""
    return {k: v for k, v in speech.meta.items() if k in ("speaker", "date", "occasion")}


def _text(op: dict[str, Any], key: str) -> str:
    text = " ".join(str(op.get(key, "")).split())
    if not text:
        raise InputError("an empty headline or title: write something, or undo the edit")
    return text


def _index(op: dict[str, Any], count: int) -> int:
    index = op.get("point")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise OptionError(f"slide {index!r}: no such slide (there are {count})")
    return index


def _where(speech: Speech, index: int) -> tuple[int, int]:
    """(section, point within it) of the speech's point `index`."""
    for s, section in enumerate(speech.sections):
        if index < len(section.points):
            return s, index
        index -= len(section.points)
    raise OptionError("no such slide")  # pragma: no cover - _index checked it


def _with_point(speech: Speech, index: int, point: Point) -> Speech:
    s, p = _where(speech, index)
    section = speech.sections[s]
    points = (*section.points[:p], point, *section.points[p + 1 :])
    return _with_section(speech, s, replace(section, points=points))


def _with_section(speech: Speech, s: int, section: Section | None) -> Speech:
    sections = (*speech.sections[:s], *([section] if section else []), *speech.sections[s + 1 :])
    return replace(speech, sections=sections)


def _headline(speech: Speech, index: int, op: dict[str, Any]) -> Speech:
    return _with_point(speech, index, replace(speech.points[index], headline=_text(op, "text")))


def _bullet(speech: Speech, index: int, op: dict[str, Any]) -> Speech:
    point = speech.points[index]
    at = op.get("bullet")
    if not isinstance(at, int) or not 0 <= at < len(point.bullets):
        raise OptionError(f"bullet {at!r}: no such bullet on this slide")
    text = " ".join(str(op.get("text", "")).split())
    bullets = tuple(b for i, b in enumerate((*point.bullets[:at], text, *point.bullets[at + 1 :])) if b or i != at)
    return _with_point(speech, index, replace(point, bullets=bullets))


def _merge(speech: Speech, index: int, op: dict[str, Any]) -> Speech:
    """This slide and the next one in its section become one: their words joined, the first's headline."""
    s, p = _where(speech, index)
    section = speech.sections[s]
    if p + 1 >= len(section.points):
        raise OptionError("the last slide of a part has no next slide in it to merge with")
    first, second = section.points[p], section.points[p + 1]
    merged = replace(first, text=first.text + "\n\n" + second.text, bullets=(*first.bullets, *second.bullets))
    points = (*section.points[:p], merged, *section.points[p + 2 :])
    return _with_section(speech, s, replace(section, points=points))


def _split(speech: Speech, index: int, op: dict[str, Any]) -> Speech:
    """The slide is cut in two at a paragraph (or else at its middle sentence); the second half continues it."""
    from deliver.speech import sentences

    s, p = _where(speech, index)
    section, point = speech.sections[s], speech.points[index]
    parts, glue = [x for x in point.text.split("\n\n") if x.strip()], "\n\n"
    if len(parts) < 2:
        parts, glue = [x for x in sentences(point.text) if x.strip()], ""  # lossless: joined with nothing
    if len(parts) < 2:
        raise OptionError("this slide says one sentence: there is nothing to split")
    half = len(parts) // 2
    paragraphs = parts
    one = replace(point, text=glue.join(paragraphs[:half]), bullets=())
    two = replace(point, text=glue.join(paragraphs[half:]), bullets=(), continued=True)
    points = (*section.points[:p], one, two, *section.points[p + 1 :])
    return _with_section(speech, s, replace(section, points=points))


def _break(speech: Speech, index: int, op: dict[str, Any]) -> Speech:
    """A part starts at this slide (a new part named for its headline), or, when one already starts
    here, that break is removed and its slides join the part before."""
    s, p = _where(speech, index)
    section = speech.sections[s]
    if p == 0:
        if s == 0:
            raise OptionError("the first slide always starts the first part")
        before = speech.sections[s - 1]
        joined = replace(before, points=(*before.points, *section.points))
        return _with_section(_with_section(speech, s - 1, joined), s, None)
    head = replace(section, points=section.points[:p])
    tail = Section(title=speech.points[index].headline, kind="body", points=section.points[p:])
    sections = (*speech.sections[:s], head, tail, *speech.sections[s + 1 :])
    return replace(speech, sections=sections)


_POINT_EDITS = {"headline": _headline, "bullet": _bullet, "merge": _merge, "split": _split, "break": _break}


SAMPLE_UNITS = {"zh": 24, "en": 14}
"""About five seconds of speech: 字 for Chinese, words for English."""


def sample_text(speech: Speech) -> str:
    """The first sentences of the speech, about five seconds of them."""
    from deliver.speech import sentences, spoken_units

    text, limit = "", SAMPLE_UNITS[speech.language]
    for point in speech.points:
        for sentence in sentences(point.text):
            text += sentence
            if spoken_units(text, speech.language) >= limit:
                return text.strip()
    return text.strip() or speech.title


async def sample(speech: Speech, engine_name: str, voice_name: str | None, rate: int) -> tuple[bytes, str]:
    """(audio, MIME type) of a few seconds of this speech in this voice, as the build would pick it."""
    from deliver.pipeline import engine_folders
    from deliver.voices import Prosody, candidates, resolve_voice

    engine = candidates(speech.language, engine_folders(), engine_name, voice_name)[0]
    voice = resolve_voice(engine, speech.language, voice_name)
    rendition = await engine.synthesize(sample_text(speech), voice, Prosody(rate=rate))
    return rendition.audio, "audio/mpeg" if rendition.format == "mp3" else f"audio/{rendition.format}"
