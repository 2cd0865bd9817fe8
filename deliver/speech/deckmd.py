"""The editable deck Markdown, both ways: `Speech` → a text a person edits, and that text → `Speech`.

The file is the user's last word on the deck: sections (`##`), slides (`###` headline, `- ` bullets)
and the paragraphs spoken on each slide are taken exactly as written; only what the user left out
(a headline, bullets) is chosen as usual. A front matter marker (`deliver: deck 1`) tells it from an
ordinary Markdown speech, which is still read as a speech. Each line of spoken text is a paragraph,
so notes = narration = exactly those paragraphs. Parsed with markdown-it (CommonMark); errors name
the line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from deliver.errors import InputError
from deliver.model import Language, Point, Section, SectionKind, Speech
from deliver.speech.condense import bullets_of, headline_of
from deliver.speech.reading import MAX_BYTES, Block, Source
from deliver.speech.text import detect_language

MARKER_KEY: Final = "deliver"
MARKER: Final = "deck 1"
META_KEYS: Final = ("subtitle", "speaker", "date", "occasion")
"""Title-slide details, as `Speech.meta` holds them."""
SETTING_KEYS: Final = ("theme", "target", "engine", "voice", "pace")
"""Build options the file can carry, so a build from it needs none on the command line."""
KEYS: Final = (MARKER_KEY, "title", "language", *META_KEYS, *SETTING_KEYS)
KIND_TAGS: Final = {
    "zh": {"opening": "【开场】", "closing": "【结尾】"},
    "en": {"opening": "[opening]", "closing": "[closing]"},
}
CONTINUED: Final = {"zh": "（续）", "en": " (cont.)"}
_TAG: Final = re.compile(r"\s*(【开场】|【结尾】|\[opening\]|\[closing\])\s*$", re.IGNORECASE)
_CONT: Final = re.compile(r"\s*(?:（续）|\(续\)|\(cont\.?\))\s*$", re.IGNORECASE)
_ESCAPE: Final = re.compile(r"^(?:[#>\-*+=`~<|\\\[_]|\d+[.)]|\s)")
"""A spoken line starting so would be read as Markdown structure: it is written after a backslash."""
_FRONT: Final = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_MARKER_LINE: Final = re.compile(rb"^\s*deliver\s*:\s*deck\b", re.MULTILINE)
_HELP: Final = {
    "zh": """<!--
这是 deliver 生成的幻灯片大纲：用任何文本编辑器修改，保存为 UTF-8，再运行 deliver build 本文件.md
  # 标题        讲话标题（标题页）；# 之后、第一个 ## 之前的段落是称呼语，在标题页讲
  ## 部分       一个部分，各有一张分隔页；标【开场】【结尾】的不出分隔页、不进目录
  ### 标题      一张幻灯片；末尾写“（续）”表示接着上一张讲
  - 要点        幻灯片上显示的要点；一条不写则自动提炼
  段落          这张幻灯片要讲的话：备注和配音就是这些段落，一字不差
移动 ### 只改分页，不重新合成配音；改了哪句话，只重新合成那一句。
-->""",
    "en": """<!--
A deck outline made by deliver: edit it in any text editor, save it as UTF-8, then run: deliver build THIS.md
  # Title       the speech's title (title slide); paragraphs after it, before the first ##, are the salutation
  ## Section    a part of the speech with its divider slide; [opening] and [closing] get no divider nor agenda line
  ### Headline  one slide; ending it with (cont.) says it carries on from the slide before
  - bullet      what the slide shows; leave them all out and they are chosen for you
  paragraphs    what is said on that slide: the notes and the narration are exactly these paragraphs
Moving a ### line re-cuts the slides without new synthesis; an edited sentence is the only one voiced again.
-->""",
}


@dataclass(frozen=True)
class DeckFile:
    """A deck Markdown file as read: the speech it says and the front matter it carries."""

    speech: Speech
    front: dict[str, str] = field(default_factory=dict)
    """Every front matter key as written (the marker, title, meta and build settings)."""


# ---------------------------------------------------------------- Speech → Markdown


def to_markdown(speech: Speech, settings: Mapping[str, str] | None = None) -> str:
    """The deck Markdown for `speech`; `settings` (theme, target, …) go into the front matter."""
    language = speech.language
    out = [*_front_matter(speech, settings or {}), _HELP[language], "", f"# {speech.title}", ""]
    if speech.salutation:
        out += _paragraphs(speech.salutation)
    for section in speech.sections:
        tag = KIND_TAGS[language].get(section.kind)
        out += [f"## {section.title}{' ' + tag if tag else ''}", ""]
        for point in section.points:
            out += [f"### {point.headline}{CONTINUED[language] if point.continued else ''}", ""]
            if point.bullets:
                out += [f"- {_escape(b)}" for b in point.bullets] + [""]
            out += _paragraphs(point.text)
    return "\n".join(out).rstrip("\n") + "\n"


def _front_matter(speech: Speech, settings: Mapping[str, str]) -> list[str]:
    lines = ["---", f"{MARKER_KEY}: {MARKER}", f"language: {speech.language}"]
    for key in META_KEYS:
        value = meta_value(speech.meta, key)
        if value:
            lines.append(f"{key}: {_quoted(value)}")
    for key in SETTING_KEYS:
        value = settings.get(key)
        lines.append(f"{key}: {_quoted(str(value))}" if value else f"# {key}:")
    return [*lines, "---", ""]


def _quoted(value: str) -> str:
    plain = value == value.strip() and not value.startswith(('"', "'", "#")) and "\n" not in value
    return value if plain else json.dumps(value, ensure_ascii=False)


def _paragraphs(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out += [_escape(line), ""]
    return out


def _escape(line: str) -> str:
    return "\\" + line if _ESCAPE.match(line) else line


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") and _ESCAPE.match(line[1:]) else line


def meta_value(meta: object, key: str) -> str | None:
    """`key` of a speech's meta, whether it is a plain mapping or a typed record; None when absent."""
    value = meta.get(key) if isinstance(meta, Mapping) else getattr(meta, key, None)
    return value.strip() if isinstance(value, str) and value.strip() else None


# ---------------------------------------------------------------- Markdown → Speech


def is_deck_markdown(data: bytes) -> bool:
    """True when `data` opens with front matter carrying the `deliver: deck` marker."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"---"):
        return False
    end = head.find(b"\n---", 3)
    return bool(_MARKER_LINE.search(head[: end if end > 0 else len(head)]))


def read_deck(path: str | Path) -> tuple[Source, DeckFile] | None:
    """The deck Markdown file at `path`, or None when it is not one (or cannot be opened: the ordinary
    reader then says why). Raises InputError naming the line for a deck file that is malformed."""
    if str(path) == "-":
        return None
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(4096)
            if not is_deck_markdown(head):  # an ordinary speech: only its first few KB were read here
                return None
            data = head + f.read(MAX_BYTES)
    except OSError:
        return None
    if len(data) > MAX_BYTES:
        return None
    deck = from_markdown(_utf8(data, p.name), p.name, p.parent)
    lines = tuple(Block(line) for p_ in deck.speech.points for line in p_.text.split("\n"))
    source = Source(p.name, lines, "utf-8", hashlib.sha256(data).hexdigest(), dict(deck.front), ())
    return source, deck


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: line {line}: not UTF-8 text; save the deck outline as UTF-8") from None


def from_markdown(text: str, name: str = "deck.md", folder: Path | None = None) -> DeckFile:
    """Deck Markdown → `DeckFile`. `folder` resolves a theme file named relative to the file.
    Raises InputError "name: line N: …" for anything the format does not allow."""
    from markdown_it import MarkdownIt

    front, body, offset = _split_front(text, name)
    if folder is not None and front.get("theme", "").endswith((".toml", ".pptx")):
        front["theme"] = str((folder / front["theme"]).resolve())
    builder = _Builder(name, offset)
    tokens = MarkdownIt("commonmark").parse(body)
    i = 0
    while i < len(tokens):
        i = builder.take(tokens, i)
    return DeckFile(builder.speech(front), front)


def _split_front(text: str, name: str) -> tuple[dict[str, str], str, int]:
    """(front matter, the Markdown after it, how many lines came before that Markdown)."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise InputError(f"{name}: line {first + 1}: the front matter has no closing --- line")
    front: dict[str, str] = {}
    for n in range(first + 1, end):
        line = lines[n].strip()
        if not line or line.startswith("#"):
            continue
        match = _FRONT.match(line)
        key = match.group(1).lower() if match else ""
        if match is None or key not in KEYS:
            known = ", ".join(KEYS)
            raise InputError(f"{name}: line {n + 1}: unknown front matter line {line[:30]!r} (keys: {known})")
        front[key] = _value(match.group(2).strip(), name, n + 1)
    _check_front(front, name, lines[first + 1 : end], first + 1)
    return front, "\n".join(lines[end + 1 :]), end + 1


def _value(raw: str, name: str, line: int) -> str:
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise InputError(f"{name}: line {line}: a quoted value must end with its closing quote") from None
        return str(value)
    return raw[1:-1] if len(raw) > 1 and raw[0] == raw[-1] == "'" else raw


def _check_front(front: dict[str, str], name: str, lines: list[str], start: int) -> None:
    def where(key: str) -> int:
        return start + 1 + next((i for i, line in enumerate(lines) if line.strip().lower().startswith(key)), -1)

    if front.get(MARKER_KEY, "").split() != MARKER.split():
        found = front.get(MARKER_KEY)
        raise InputError(f"{name}: line {where(MARKER_KEY)}: {MARKER_KEY}: {found!r} — this deliver reads {MARKER!r}")
    if front.get("language", "zh") not in ("zh", "en"):
        raise InputError(f"{name}: line {where('language')}: language must be zh or en")
    if "target" in front and not re.fullmatch(r"(?=.*[1-9])\d+(?:\.\d+)?", front["target"]):
        raise InputError(f"{name}: line {where('target')}: target is minutes, a number above 0")


@dataclass
class _Slide:
    line: int
    headline: str | None
    continued: bool = False
    bullets: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)


@dataclass
class _Part:
    line: int
    title: str
    kind: SectionKind
    slides: list[_Slide] = field(default_factory=list)


_NOT_HERE: Final = {
    "hr": "a --- line does not break slides here: start a slide with a ### headline",
    "fence": "a code block has no place in a deck outline: write what is said as plain paragraphs",
    "blockquote_open": "a quotation (>) has no place in a deck outline: write what is said as plain paragraphs",
    "html_block": "only <!-- comments --> may stand between the paragraphs",
}


class _Builder:
    """Collects title, salutation, sections and slides from markdown-it's block tokens, in order."""

    def __init__(self, name: str, offset: int) -> None:
        self.name, self.offset = name, offset
        self.title: str | None = None
        self.salutation: list[str] = []
        self.parts: list[_Part] = []

    def fail(self, line: int, message: str) -> InputError:
        return InputError(f"{self.name}: line {line}: {message}")

    def take(self, tokens: list[Any], i: int) -> int:
        """Consume the block starting at tokens[i]; returns the index after it."""
        token = tokens[i]
        line = self.offset + (token.map[0] + 1 if token.map else 0)
        if token.type == "heading_open":
            self.heading(int(token.tag[1]), tokens[i + 1].content.strip(), line)
            return i + 3
        if token.type in ("paragraph_open", "code_block"):
            content = tokens[i + 1].content if token.type == "paragraph_open" else token.content
            self.paragraph([_unescape(x.strip()) for x in content.split("\n") if x.strip()], line)
            return i + (3 if token.type == "paragraph_open" else 1)
        if token.type in ("bullet_list_open", "ordered_list_open"):
            return self.bullet_list(tokens, i, line)
        if token.type == "html_block" and token.content.lstrip().startswith("<!--"):
            return i + 1
        raise self.fail(line, _NOT_HERE.get(token.type, f"{token.type} has no place in a deck outline"))

    def heading(self, level: int, text: str, line: int) -> None:
        if level == 1:
            if self.title is not None or self.parts:
                raise self.fail(line, "a second # title: the deck has one title, at the top")
            self.title = text
        elif level == 2:
            tag = _TAG.search(text)
            kind: SectionKind = "body"
            if tag:
                kind = "opening" if tag.group(1).lower() in ("【开场】", "[opening]") else "closing"
                text = text[: tag.start()].strip()
            if not text:
                raise self.fail(line, "a ## line needs the section's title")
            self.parts.append(_Part(line, text, kind))
        elif level == 3:
            if not self.parts:
                raise self.fail(line, "a ### slide before any ## section: put a ## section line above it")
            cont = _CONT.search(text)
            headline = text[: cont.start()].strip() if cont else text
            self.parts[-1].slides.append(_Slide(line, headline or None, cont is not None))
        else:
            raise self.fail(line, f"{'#' * level} is not part of a deck outline: ## starts a section, ### a slide")

    def slide(self, line: int) -> _Slide:
        """The slide text goes to: the open one, or a new one without a headline right under its ##."""
        part = self.parts[-1]
        if not part.slides:
            part.slides.append(_Slide(line, None))
        return part.slides[-1]

    def paragraph(self, lines: list[str], line: int) -> None:
        if not self.parts:
            if self.title is None:
                raise self.fail(line, "text before the # title: the deck opens with its # title")
            self.salutation += lines
            return
        self.slide(line).said += lines

    def bullet_list(self, tokens: list[Any], i: int, line: int) -> int:
        if not self.parts:
            raise self.fail(line, "bullets before any ## section: bullets belong to a ### slide")
        close = tokens[i].type.replace("_open", "_close")
        level, items, j = tokens[i].level, [], i + 1
        while not (tokens[j].type == close and tokens[j].level == level):
            if tokens[j].type.endswith("list_open"):
                item_line = self.offset + tokens[j].map[0] + 1
                raise self.fail(item_line, "a list inside a bullet: a slide's bullets are one flat list")
            if tokens[j].type == "inline":
                items.append(" ".join(_unescape(x.strip()) for x in tokens[j].content.split("\n") if x.strip()))
            j += 1
        self.slide(line).bullets += [x for x in items if x]
        return j + 1

    def speech(self, front: dict[str, str]) -> Speech:
        title = self.title or front.get("title")
        if not title:
            raise self.fail(1 + self.offset, "the deck has no title: add a # title line")
        if not self.parts:
            raise self.fail(1 + self.offset, "the deck has no sections: add a ## section with ### slides")
        said = [line for part in self.parts for s in part.slides for line in s.said]
        language: Language = front.get("language") or detect_language(title + "\n".join(said))  # type: ignore[assignment]
        sections = tuple(self.section(part, language) for part in self.parts)
        salutation = "\n".join(self.salutation) or None
        meta = make_meta({k: front[k] for k in META_KEYS if front.get(k)})
        return Speech(title=title, language=language, salutation=salutation, sections=sections, meta=meta)

    def section(self, part: _Part, language: Language) -> Section:
        if not part.slides:
            raise self.fail(part.line, f"section «{part.title}» has no slides: add a ### slide or delete the ## line")
        points: list[Point] = []
        for slide in part.slides:
            if not slide.said:
                what = f"slide «{slide.headline}»" if slide.headline else "this slide"
                raise self.fail(slide.line, f"{what} has nothing to say: write its text under it, or delete it")
            points.append(_point(slide, language, points[-1] if points else None))
        return Section(title=part.title, kind=part.kind, points=tuple(points))


def _point(slide: _Slide, language: Language, previous: Point | None) -> Point:
    """The slide as the user wrote it; a missing headline or bullets chosen the usual way."""
    text = "\n".join(slide.said)
    headline = slide.headline
    if headline is None:
        headline = previous.headline if slide.continued and previous else headline_of(text, language)
    bullets = tuple(slide.bullets)
    if not bullets:
        chosen = bullets_of(text, language, exclude=[headline])
        bullets = tuple(b[:1].upper() + b[1:] if language == "en" else b for b in chosen if b)
    return Point(text, headline, bullets, slide.continued)


def make_meta(values: dict[str, str]) -> Any:
    """`Speech.meta` holding `values`, in whatever form the model declares for it (a dict or a record)."""
    declared = {f.name: f for f in fields(Speech)}["meta"]
    empty = declared.default_factory()  # type: ignore[operator]
    if isinstance(empty, dict):
        return dict(values)
    known = {f.name for f in fields(empty)}
    return replace(empty, **{k: v for k, v in values.items() if k in known})


def settings_of(source: Source) -> dict[str, str]:
    """The build settings a deck Markdown file's front matter carries (none for any other source)."""
    front = source.meta if isinstance(source.meta, Mapping) else {}
    if MARKER_KEY not in front:
        return {}
    return {k: front[k] for k in SETTING_KEYS if front.get(k)}
