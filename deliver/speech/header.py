"""The header zone: the lines before the speech proper, classified instead of assumed.

A page heading, a column label, the title, a subtitle (——在…上的讲话), the speaker, the date, an
editor's lead-in and the salutation come in many orders before the first paragraph that is spoken.
Each line is recognised by its shape (`headerlines.py`); which title-like line is the title follows
from position: the one the byline or the salutation follows is the speech's own, one above it that it
does not repeat is the page's heading. The byline goes to `Meta`, page furniture is dropped with a notice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from deliver.model import Language, Meta, Notice
from deliver.speech import headerlines as lines
from deliver.speech.block import Block
from deliver.speech.markers import block_marker
from deliver.speech.reading import Source
from deliver.speech.salient import salient_title
from deliver.speech.text import detect_language, spoken_units
from deliver.speech.titlename import name_as_title

ZONE = 14
"""Blocks looked at before the speech must have begun."""
_TITLE_MAX = 60
"""A title is at most this many spoken units (字 or words)."""
_NOT_NAMES = ("语", "言", "论", "篇", "章", "序", "录", "结")
_GENERIC_LABELS = frozenset(["question", "answer", "q", "a", "问", "答", "提问", "提問", "問", "audience"])


@dataclass(frozen=True)
class Header:
    """What the header zone held, and the speech that follows it."""

    title: str
    salutation: str | None
    meta: Meta
    blocks: tuple[Block, ...]
    """The speech after the header zone (the salutation's own line removed)."""
    notices: tuple[Notice, ...]
    """What was dropped or moved out of the spoken text, one line each."""


@dataclass
class _Zone:
    """What the walk has taken so far (private, mutable while one header is read)."""

    meta: dict[str, str]
    heads: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    salutation: str | None = None
    byline: bool = False
    """A subtitle, date, speaker or lead-in has been taken: a title-like line after it is the body's."""
    last: str = ""

    def note(self, message: str, level: str = "info") -> None:
        self.notices.append(Notice("read", message, "warning" if level == "warning" else "info"))

    def add(self, key: str, value: str) -> None:
        value = value.strip()
        if value and value not in self.meta.get(key, ""):
            self.meta[key] = f"{self.meta[key]} {value}" if key in self.meta else value


def split_header(source: Source, title: str | None = None) -> Header:
    """Split `source` into its header (title, salutation, meta) and the speech. `title` overrides the title."""
    zone = _Zone(_front_meta(source.meta))
    anchor = _clean_title(source.meta["title"], zone) if source.meta.get("title") else None
    blocks = _walk(list(source.blocks), zone, anchor)
    language = detect_language(source.text)
    chosen = _choose_title(zone, anchor)
    if title and title.strip():
        if chosen:
            zone.note(f"title from --title; the document's own was: {chosen}")
        chosen = _clean_title(title.strip(), zone, keep=True)
    if not chosen:
        chosen = _fallback_title(source.name, blocks, language, zone)
    return Header(chosen, zone.salutation, Meta.of(zone.meta), tuple(blocks), tuple(zone.notices))


def _front_meta(front: dict[str, str]) -> dict[str, str]:
    """Front matter keys → meta fields (author names the speaker; description is a subtitle)."""
    aliases = {
        "speaker": ("speaker", "author", "讲话人", "主讲人"),
        "date": ("date", "日期"),
        "occasion": ("occasion", "event", "venue", "场合", "会议"),
        "subtitle": ("subtitle", "description", "副标题"),
    }
    meta: dict[str, str] = {}
    for key, names in aliases.items():
        value = next((front[n].strip() for n in names if front.get(n, "").strip()), None)
        if value:
            meta[key] = value
    return meta


def _walk(blocks: list[Block], zone: _Zone, anchor: str | None) -> list[Block]:
    """Take header lines from the top of `blocks`; returns the speech that follows."""
    level_ones = sum(1 for b in blocks if b.heading == 1)
    for i, block in enumerate(blocks[:ZONE]):
        text = block.text.strip()
        kind = _kind(block, zone, level_ones)
        if kind == "salutation":
            zone.salutation = text
            return blocks[i + 1 :]
        if kind == "label-speaker":
            name = text.rstrip("：:").strip()
            if name.casefold() not in _GENERIC_LABELS:
                zone.meta.setdefault("speaker", name)
            return blocks[i:]
        if kind == "heading" and _accept_heading(blocks, i, zone, anchor):
            zone.heads.append(text)
            zone.last = kind
            continue
        if kind in ("heading", "body"):
            return _inline_salutation(blocks[i:], zone)
        _record(kind, text, zone)
    return blocks[min(len(blocks), ZONE) :]


def _kind(block: Block, zone: _Zone, level_ones: int) -> str:
    """The kind of one line of the header zone (see the module docstring)."""
    text = block.text.strip()
    if block.heading is not None:
        if _speaker_label(text):
            return "label-speaker"
        title_level = block.heading == 0 or (block.heading == 1 and level_ones == 1)
        return "heading" if title_level and _letters(text) else "body"
    if lines.is_salutation(text):
        return "salutation"
    if block.hint == "quote":
        return "lead" if lines.is_lead(text, quoted=True) else "body"
    for kind, test in _RECOGNISERS:
        if test(text):
            return kind
    if (
        lines.bare_name(text)
        and zone.last in ("heading", "speaker", "subtitle", "date")
        and not text.endswith(_NOT_NAMES)
    ):
        return "speaker"
    if (zone.heads or zone.byline) and lines.is_description(text):
        return "subtitle"
    if _speaker_label(text):
        return "label-speaker"
    return "heading" if _titlelike(block) else "body"


_RECOGNISERS = (
    ("lead", lambda t: lines.is_lead(t, quoted=False)),
    ("notice", lines.is_page_notice),
    ("label", lines.is_label),
    ("date", lambda t: lines.date_line(t) is not None),
    ("subtitle", lambda t: lines.dash_subtitle(t) is not None),
    ("speaker", lambda t: lines.speaker_line(t) is not None),
)


def _speaker_label(text: str) -> bool:
    """ "唐鳳：", "Audrey Tang:" alone on a line (transcripts name who speaks next)."""
    if not text.endswith(("：", ":")) or len(text) > 30 or lines.is_salutation(text):
        return False
    name = text[:-1].strip()
    return bool(name) and len(name.split()) <= 4 and not any(ch in name for ch in "，,。.!！?？")


def _titlelike(block: Block) -> bool:
    """A short line with no sentence in it: a title does not end like a sentence (…。) or a lead (…：)."""
    text = block.text.strip()
    if not _letters(text) or block_marker(text) or spoken_units(text, detect_language(text)) > _TITLE_MAX:
        return False
    ends = ("。", "！", "？", "!", "?", ". ")
    return not any(mark in text for mark in ends) and not text.endswith(("：", ":", "，", ",", "；", ";", "。", "."))


def _accept_heading(blocks: list[Block], i: int, zone: _Zone, anchor: str | None) -> bool:
    """Whether a title-like line is still the header's: the first one, a repeat of it, or one the
    byline follows (then the line above was the page's heading). Never the last line of the text."""
    text = blocks[i].text.strip()
    if i >= len(blocks) - 1 or (zone.byline and (zone.heads or anchor)):
        return False
    previous = zone.heads or ([anchor] if anchor else [])
    if not previous or any(_related(text, p) for p in previous):
        return True
    return any(_bylinelike(b.text.strip()) for b in blocks[i + 1 : i + 3])


def _bylinelike(text: str) -> bool:
    return bool(
        lines.date_line(text)
        or lines.dash_subtitle(text)
        or lines.speaker_line(text)
        or lines.is_salutation(text)
        or lines.inline_salutation(text)
    )


def _record(kind: str, text: str, zone: _Zone) -> None:
    """Keep a header line in meta, or drop it with a notice."""
    short = text if len(text) <= 60 else text[:60] + "…"
    if kind == "notice":
        zone.note(f"dropped a page notice before the speech: {short}")
    elif kind == "label":
        zone.note(f"dropped a column label: {short}")
    elif kind == "lead":
        zone.add("note", text)
        zone.note(f"kept the editor's note out of the spoken text (meta.note): {short}")
    elif kind == "date":
        dated = lines.date_line(text)
        if dated:
            zone.meta.setdefault("date", dated.date)
            if dated.place:
                zone.add("occasion", dated.place)
    elif kind == "subtitle":
        written = lines.dash_subtitle(text) or text
        date, occasion, subtitle = lines.split_occasion(written)
        if date:
            zone.meta.setdefault("date", date)
        zone.add("occasion", occasion or "")
        # A line that held several fields is also kept whole: the title slide shows it as written.
        zone.add("subtitle", written if date and occasion else subtitle or "")
    elif kind == "speaker":
        zone.add("speaker", lines.speaker_line(text) or text)
    zone.byline = zone.byline or kind in ("lead", "date", "subtitle", "speaker")
    zone.last = kind


def _inline_salutation(blocks: list[Block], zone: _Zone) -> list[Block]:
    """A first paragraph that opens with the salutation ("同志们：今天…") gives it up."""
    first = blocks[0]
    found = lines.inline_salutation(first.text) if first.heading is None else None
    if not found:
        return blocks
    zone.salutation = found
    rest = first.text.strip()[len(found) :].strip()
    return [Block(rest, list_item=first.list_item, hint=first.hint), *blocks[1:]]


def _choose_title(zone: _Zone, anchor: str | None) -> str | None:
    """The title among the title-like lines taken. The front matter's wins; else, of two lines that do
    not repeat each other, a short one above a speech's title ("学习强国" / "在…会议上的讲话") is the page's
    heading and is dropped, while a full title above another line keeps it as its subtitle
    ("关于作风建设的几点思考" / "在全市作风建设大会上的讲话"). Of lines that repeat each other the longer stays."""
    if not zone.heads and not anchor:
        return None
    first = anchor or zone.heads[0]
    last = zone.heads[-1] if zone.heads else first
    if anchor is None and not _related(first, last) and lines.page_heading(first, last):
        first = last
    group = [h for h in zone.heads if h is first or _related(h, first)]
    chosen = anchor or max(group, key=len)
    for head in zone.heads:
        if head is chosen:
            continue
        if head in group:
            zone.note(f"dropped a repeat of the title: {head}")
        elif anchor is None and zone.heads.index(head) < zone.heads.index(first):
            zone.note(f"dropped the page heading above the title: {head}")
        else:
            _record("subtitle", head, zone)
    return chosen if anchor else _clean_title(chosen, zone)


def _clean_title(title: str, zone: _Zone, keep: bool = False) -> str:
    """A title without a column label, a site name or a date in front; the speaker and the document type
    it names go to meta. `keep`: a title the user gave, only read for its document type."""
    if not keep:
        title = _strip(title, lines.label_prefix(title), "column label", zone, front=True)
        title = _strip(title, lines.site_suffix(title), "site name", zone, front=False)
        written = title
        dated = lines.date_prefix(title)
        if dated:
            zone.meta.setdefault("date", dated[0])
            title = dated[1].strip()
        named = lines.speaker_in_title(title)
        if named:
            zone.meta.setdefault("speaker", named[0])
            title = named[1]
        if title != written:
            zone.meta.setdefault("heading", written.strip())
    kind = lines.doctype(title)
    if kind:
        zone.meta["doctype"] = kind.strip()
    return title.strip()


def _strip(title: str, part: str | None, what: str, zone: _Zone, front: bool) -> str:
    if not part:
        return title
    zone.note(f"dropped the {what} from the title: {part.strip()}")
    return title[len(part) :] if front else title[: len(title) - len(part)]


def _fallback_title(name: str, blocks: list[Block], language: str, zone: _Zone) -> str:
    """No title in the text: the file's name when it reads as one (在全市组织工作会议上的讲话.docx), else
    the line of the speech that best carries its most repeated words (`salient.py`); a slug such as
    en-plain-fdr-inaugural is never shown. Either way the user is told where it came from."""
    named = name_as_title(Path(name).stem) if name != "-" else None
    if named:
        shown = _clean_title(named, zone) or named
        zone.note(f"no title found in the text: using the file name ({shown}); give --title", "warning")
        return shown
    lang: Language = "zh" if language == "zh" else "en"
    said = salient_title([b.text for b in blocks], lang)
    if said:
        zone.note(f"no title found in the text: using a line of the speech ({said}); give --title", "warning")
        return said
    if name != "-":  # nothing is repeated: the file name's words are all there is
        shown = _clean_title(presentable_stem(Path(name).stem), zone) or Path(name).stem
        zone.note(f"no title found in the text: using the file name ({shown}); give --title", "warning")
        return shown
    from deliver.speech.condense import headline_of

    zone.note("no title found in the text: using its first words; give --title", "warning")
    return headline_of(blocks[0].text, lang) if blocks else "-"


def presentable_stem(stem: str) -> str:
    """A file name stem as words: runs of dashes, underscores and dots → one space."""
    return re.sub(r"\s+", " ", re.sub(r"[-_.]+", " ", stem)).strip() or stem


def _letters(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def _related(a: str, b: str) -> bool:
    """One line repeats the other: the letters of one are inside the other's."""
    x, y = _letters(a), _letters(b)
    return bool(x and y) and (x in y or y in x)
