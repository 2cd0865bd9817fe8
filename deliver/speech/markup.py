"""Markup → paragraphs: Markdown through markdown-it-py, HTML fragments through lxml's HTML parser.

What a listener never hears is dropped here: link targets (the link text stays), images, embeds
(iframe, video, object), scripts, styles, emphasis marks. What markup says about structure is kept
as `Block` fields: heading levels, list items, whole-line bold and one-line blockquotes as hints.
Both parsers are imported only when a text needs them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from deliver.speech.block import Block, Hint
from deliver.speech.cleaning import join_lines

# A Markdown or HTML text shows itself by one of these; plain text never needs a parser.
_SIGNS = re.compile(
    r"^\s{0,3}#{1,6}\s+\S|^\s{0,3}>|\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\n]*\)|!\[[^\]\n]*\]\("
    r"|(?:^|\s)_[^_\s][^_\n]*_(?=$|[\s,.;:!?，。])"
    r"|</?(?:a|b|br|p|div|span|i|em|strong|img|iframe|script|style|noscript|section|article|ul|ol|li|h[1-6]"
    r"|blockquote|table|video|audio|embed|object|figure|center|font)\b[^>]*>",
    re.IGNORECASE | re.MULTILINE,
)
_SOFT, _HARD, _HEADING = "\ue000", "\ue001", "\ue002"
"""Private-use stand-ins for a soft line break, a hard one, and the start of an HTML heading line."""
_DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "img",
        "noscript",
        "object",
        "embed",
        "video",
        "audio",
        "source",
        "track",
        "svg",
        "canvas",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "picture",
        "map",
        "input",
        "button",
        "select",
        "textarea",
        "nav",
    ]
)
_QUIET_TAGS = frozenset(["head", "title", "meta", "link", "template", "nav", "input", "button", "select", "textarea"])
"""Dropped without a notice: page machinery, never anything a speaker wrote."""
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "table",
        "thead",
        "tbody",
        "header",
        "footer",
        "figure",
        "figcaption",
        "hr",
        "pre",
        "address",
        "aside",
        "main",
        "center",
    ]
)
# Emphasis CommonMark leaves as literal marks: "** 分叉與合併**" (spaces inside) and "，_扎实推进_各项" (its
# flanking rules are written for spaced scripts). Never between ASCII letters or digits (snake_case, 2*3*4).
_LEFTOVER_STRONG = re.compile(r"(\*\*|__)\s*(\S(?:.*?\S)?)\s*\1")
_LEFTOVER_EM = re.compile(r"(?<![A-Za-z0-9_*])([*_])(?![\s*_])([^\n]+?)(?<![\s*_])\1(?![A-Za-z0-9_*])")


@dataclass(frozen=True)
class Marked:
    """Paragraphs read from markup, and what was left out (for a notice each)."""

    blocks: tuple[Block, ...]
    dropped: tuple[str, ...]
    """One line per element left out: "an embedded iframe (https://…)", "an image (alt text)"."""


def looks_marked_up(text: str) -> bool:
    """True when the text uses Markdown or HTML syntax (headings, emphasis, links, quotes, tags)."""
    return _SIGNS.search(text) is not None


def markdown_blocks(text: str, paragraphed: bool) -> Marked:
    """Markdown (with raw HTML) → blocks. `paragraphed`: the text separates paragraphs by blank lines,
    so a single line break inside a paragraph joins (unless it ends a sentence); otherwise every line
    break starts a new paragraph, as in plain text."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    reader = _Reader(paragraphed)
    reader.read(tokens)
    return Marked(tuple(reader.blocks), tuple(reader.dropped))


def html_blocks(fragment: str) -> tuple[list[Block], list[str]]:
    """An HTML block → (its paragraphs, `<h1>`–`<h6>` as headings; what was dropped)."""
    lines, dropped = _html(fragment)
    blocks = [Block(line[2:].strip(), heading=int(line[1])) if line[0] == _HEADING else Block(line) for line in lines]
    return [b for b in blocks if b.text], dropped


def html_lines(fragment: str) -> tuple[list[str], list[str]]:
    """An HTML fragment → (its lines of text, what was dropped). `<br>` and block elements end a line."""
    lines, dropped = _html(fragment)
    return [line[2:].strip() if line[0] == _HEADING else line for line in lines], dropped


def _html(fragment: str) -> tuple[list[str], list[str]]:
    from lxml import etree

    root = etree.fromstring(f"<html><body>{fragment}</body></html>", etree.HTMLParser())
    if root is None:
        return [], []
    parts: list[str] = []
    dropped: list[str] = []
    body = root.find("body")
    top = body if body is not None else root
    parts.append(top.text or "")
    _walk(top, parts, dropped)
    lines = [line.strip() for line in "".join(parts).split(_HARD)]
    return [line for line in lines if line], dropped


def _walk(element: Any, parts: list[str], dropped: list[str]) -> None:
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in _DROPPED_TAGS:
            if tag not in _QUIET_TAGS:
                dropped.append(_describe(tag, child))
        elif tag == "br":
            parts.append(_HARD)
        elif tag:
            breaks = tag in _BLOCK_TAGS
            parts.append(_HARD if breaks else "")
            if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                parts.append(_HEADING + tag[1])
            parts.append(child.text or "")
            _walk(child, parts, dropped)
            parts.append(_HARD if breaks else "")
        parts.append(child.tail or "")


def _describe(tag: str, element: Any) -> str:
    what = {"iframe": "an embedded frame", "img": "an image", "script": "a script", "style": "a style sheet"}
    inner = element if element.get("src") or element.get("alt") else element.find(".//*[@src]")
    source = inner if inner is not None else element
    where = source.get("src") or source.get("data") or source.get("alt") or ""
    name = what.get(tag, f"a <{tag}> element")
    return f"{name} ({where[:80]})" if where else name


class _Reader:
    """Walks markdown-it's block tokens and collects blocks; one instance per document."""

    def __init__(self, paragraphed: bool) -> None:
        self.paragraphed = paragraphed
        self.blocks: list[Block] = []
        self.dropped: list[str] = []
        self.quote_depth = 0
        self.lists: list[str] = []
        """Open lists, innermost last: "bullet" or "ordered"."""
        self.item_prefix = ""
        """The ordered-list number ("3. ") waiting for the item's first paragraph."""

    def read(self, tokens: list[Any]) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind in ("heading_open", "paragraph_open") and i + 1 < len(tokens):
                level = int(token.tag[1]) if kind == "heading_open" else None
                spanned = token.map[1] - token.map[0] if token.map else 1
                self._inline(tokens[i + 1].children or [], level, spanned)
                i += 2
                continue
            self._structure(token)
            i += 1

    def _structure(self, token: Any) -> None:
        kind = token.type
        if kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append("ordered" if kind.startswith("ordered") else "bullet")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open" and self.lists and self.lists[-1] == "ordered":
            self.item_prefix = f"{token.info}{token.markup} "
        elif kind == "html_block":
            blocks, dropped = html_blocks(token.content)
            self.dropped.extend(dropped)
            self.blocks.extend(blocks)
        elif kind in ("code_block", "fence"):
            self.blocks.extend(Block(line.strip()) for line in token.content.split("\n") if line.strip())

    def _inline(self, children: list[Any], level: int | None, spanned: int) -> None:
        """One paragraph or heading; `spanned`: how many source lines it took (a quote hint needs one)."""
        text, bold = self._render(children)
        lines = [self.item_prefix + line if n == 0 else line for n, line in enumerate(self._lines(text))]
        self.item_prefix = ""
        if not lines:
            return
        if level is not None:
            self.blocks.append(Block(" ".join(lines), heading=level))
            return
        hint: Hint | None = "bold" if bold and len(lines) == 1 else None
        if self.quote_depth and len(lines) == 1 and spanned == 1:
            hint = "quote"
        listed = bool(self.lists) and self.lists[-1] == "bullet"
        self.blocks.extend(Block(line, list_item=listed, hint=hint) for line in lines)

    def _render(self, children: list[Any]) -> tuple[str, bool]:
        """Inline tokens → (text with _SOFT/_HARD breaks, whether every visible character is bold)."""
        pieces: list[str] = []
        raw_html = any(c.type == "html_inline" for c in children)
        strong, plain_seen, bold_seen, in_autolink = 0, False, False, False
        for child in children:
            kind = child.type
            if kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "link_open" and child.markup == "autolink":
                in_autolink = True
            elif kind == "link_close":
                in_autolink = False
            elif kind == "image":
                self.dropped.append(f"an image ({child.content[:80]})" if child.content else "an image")
            elif kind in ("text", "code_inline") and not in_autolink:
                pieces.append(html.escape(child.content, quote=False) if raw_html else child.content)
                if child.content.strip():
                    bold_seen, plain_seen = bold_seen or strong > 0, plain_seen or strong == 0
            elif kind == "softbreak":
                pieces.append(_SOFT)
            elif kind == "hardbreak":
                pieces.append(_HARD)
            elif kind == "html_inline":
                pieces.append(child.content)
        text = "".join(pieces)
        if raw_html:
            lines, dropped = html_lines(text)
            self.dropped.extend(dropped)
            text = _HARD.join(lines)
        return text, bold_seen and not plain_seen

    def _lines(self, text: str) -> list[str]:
        """Split at hard breaks, and at soft breaks as the document's paragraphing says."""
        lines: list[str] = []
        for hard in text.split(_HARD):
            soft = [_unmarked(s) for s in hard.split(_SOFT)]
            lines.extend(join_lines(soft) if self.paragraphed else soft)
        return [line for line in lines if line]


def _unmarked(text: str) -> str:
    return _LEFTOVER_EM.sub(r"\2", _LEFTOVER_STRONG.sub(r"\2", text)).strip()
