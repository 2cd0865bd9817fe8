"""Reading an organisation's template .pptx: slide size, the layouts we fill, their placeholder
boxes (pt) and the theme fonts. Raises ThemeError for files we cannot use.

A template comes from anywhere, so it is checked before python-pptx reads it: every member's declared
size (a small zip can inflate to GB), every XML part's prolog (no DOCTYPE: entities, and decks that
do not reopen), and it is opened whole or refused in one line. Macros (vbaProject.bin) are never
carried into a deck; the deck made from a template is reopened before it is published."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.errors import ThemeError
from deliver.slides.box import Box
from deliver.slides.ooxml import all_caps, layout_type, read_theme_fonts

if TYPE_CHECKING:
    from pptx.slide import SlideLayout

EMU_PER_PT: Final = 12700
_TITLE_TYPES: Final = ("TITLE", "CENTER_TITLE")
_BODY_TYPES: Final = ("BODY", "OBJECT", "SUBTITLE")
_PLAIN_EA: Final = ("", "宋体", "SimSun")
"""Template East-Asian fonts we treat as "unset" (Office's default, poor on screen)."""


@dataclass(frozen=True)
class TemplateInfo:
    """What deliver needs from a template: size (pt), role boxes, theme fonts."""

    width: float
    height: float
    boxes: dict[str, Box]
    major_latin: str
    major_ea: tuple[str, ...]
    minor_latin: str
    minor_ea: tuple[str, ...]


def _ph_type(placeholder: Any) -> str:
    return str(placeholder.placeholder_format.type).split(" ")[0].split(".")[-1]


def _find(layout: SlideLayout, types: tuple[str, ...]) -> Any | None:
    placeholders: Any = layout.placeholders  # python-pptx annotates its __iter__ wrongly (mypy [misc])
    found = [ph for ph in placeholders if _ph_type(ph) in types]
    return min(found, key=lambda ph: ph.placeholder_format.idx) if found else None


def _box(placeholder: Any, index: int, name: str, slide: tuple[float, float]) -> Box:
    """The placeholder's box in pt, clipped to the slide so text planned for it stays visible."""
    values = (placeholder.left, placeholder.top, placeholder.width, placeholder.height)
    if any(v is None or v <= 0 for v in values[2:]) or any(v is None for v in values[:2]):
        raise ThemeError(f"template layout {name!r} has a placeholder without a position: set it in PowerPoint")
    x, y, w, h = (v / EMU_PER_PT for v in values)
    x0, y0 = max(x, 0.0), max(y, 0.0)
    w, h = min(x + w, slide[0]) - x0, min(y + h, slide[1]) - y0
    if w <= 0 or h <= 0:
        raise ThemeError(f"template layout {name!r} has a placeholder outside the slide: move it in PowerPoint")
    master = placeholder.part.slide_master._element
    caps = all_caps(placeholder._element, master, _ph_type(placeholder) in _TITLE_TYPES)
    return Box(x0, y0, w, h, layout=index, placeholder=placeholder.placeholder_format.idx, caps=caps)


def _pick(layouts: list[SlideLayout], kinds: tuple[str, ...], need_body: bool) -> int | None:
    """Index of the first layout of a `kinds` type (else any with title and body placeholders)."""
    for kind in kinds:
        for i, layout in enumerate(layouts):
            titled = layout_type(layout._element) == kind and _find(layout, _TITLE_TYPES) is not None
            if titled and (not need_body or _find(layout, _BODY_TYPES) is not None):
                return i
    for i, layout in enumerate(layouts):
        if _find(layout, _TITLE_TYPES) is not None and _find(layout, ("BODY", "OBJECT")) is not None:
            return i
    return None


def _role_boxes(layouts: list[SlideLayout], path: Path, size: tuple[float, float]) -> dict[str, Box]:
    """Role → placeholder box: title slide, section header and title-and-content layouts."""
    content = _pick(layouts, ("obj", "tx"), need_body=True)
    if content is None:
        raise ThemeError(
            f"template {path.name} has no layout with a title and a body placeholder: add a 'Title and Content' layout"
        )
    result: dict[str, Box] = {}
    for prefix, kinds, fallback in (("title", ("title",), content), ("section", ("secHead",), content)):
        index = _pick(layouts, kinds, need_body=False) if prefix == "title" else _pick(layouts, kinds, need_body=True)
        index = fallback if index is None else index
        layout = layouts[index]
        title, body = _find(layout, _TITLE_TYPES), _find(layout, _BODY_TYPES)
        result[f"{prefix}.title"] = _box(title, index, layout.name, size)
        if body is not None:
            result[f"{prefix}.{'subtitle' if prefix == 'title' else 'label'}"] = _box(body, index, layout.name, size)
    for role in ("title", "subtitle"):
        if f"title.{role}" in result:
            result[f"closing.{role}"] = result[f"title.{role}"]
    layout = layouts[content]
    for prefix in ("point", "agenda"):
        result[f"{prefix}.title"] = _box(_find(layout, _TITLE_TYPES), content, layout.name, size)
        result[f"{prefix}.body"] = _box(_find(layout, ("BODY", "OBJECT")), content, layout.name, size)
    return result


def _ea_chain(ea: str, hans: str) -> tuple[str, ...]:
    return tuple(f for f in (ea, hans) if f not in _PLAIN_EA)[:1]


def read_template(path: Path) -> TemplateInfo:
    """Open `path` and extract what the deck needs. Raises ThemeError when it is not a usable .pptx."""
    from pptx.exc import PackageNotFoundError
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    check_archive(path)
    try:
        prs = open_template(path)
        if prs.slide_width is None or prs.slide_height is None:
            raise ThemeError(f"template {path.name} has no slide size")
        layouts = list(prs.slide_layouts)
        size = (prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT)
        fonts = read_theme_fonts(prs.slide_master.part.part_related_by(RT.THEME).blob)
        boxes = _role_boxes(layouts, path, size)
    except ThemeError:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, SyntaxError, AttributeError,
            TypeError, IndexError) as exc:  # fmt: skip
        # python-pptx raises what its parts raise (lxml syntax errors, a missing relationship's KeyError …)
        raise ThemeError(
            f"cannot use template {path.name}: {_reason(exc)}; re-save it in PowerPoint, WPS or LibreOffice"
        ) from None
    return TemplateInfo(
        width=size[0],
        height=size[1],
        boxes=boxes,
        major_latin=fonts.major_latin,
        major_ea=_ea_chain(fonts.major_ea, fonts.major_hans),
        minor_latin=fonts.minor_latin,
        minor_ea=_ea_chain(fonts.minor_ea, fonts.minor_hans),
    )


MEMBER_MAX: Final = 128 * 2**20
TOTAL_MAX: Final = 512 * 2**20
"""Declared inflated sizes of a template's members, each and together (fonts and images included)."""
_PROLOG_MAX: Final = 1 * 2**20
_MACRO_TYPES: Final = ("macroEnabled", "template.main", "slideshow.main")
"""Main-part content types a .pptx may not carry (PowerPoint refuses a .pptx labelled .pptm/.potx/.ppsx)."""


def check_archive(path: Path) -> None:
    """Refuse (ThemeError) a template that inflates past the limits or whose XML declares a DOCTYPE,
    before any parser reads it."""
    from deliver.files import ZipTooLarge, check_zip

    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, MEMBER_MAX, TOTAL_MAX)
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")) and _has_doctype(archive, info.filename):
                    raise ThemeError(
                        f"template {path.name}: {info.filename} declares a DOCTYPE; re-save it in PowerPoint"
                    )
    except ZipTooLarge as exc:
        raise ThemeError(f"template {path.name}: {exc}; that is not a template (a decompression bomb?)") from None
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError) as exc:
        raise ThemeError(f"cannot open template {path.name}: {_reason(exc)}; give a .pptx saved by PowerPoint, "
                         "WPS or LibreOffice") from None  # fmt: skip


def _has_doctype(archive: zipfile.ZipFile, member: str) -> bool:
    """Parse `member` only up to its root element (streamed, capped) and say whether a DOCTYPE came first."""
    from lxml import etree

    from deliver.files import open_member

    with open_member(archive, member, max(archive.getinfo(member).file_size, 1)) as stream:
        head = etree.iterparse(stream, events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
        try:
            _, root = next(iter(head))
        except (StopIteration, SyntaxError):
            return False  # an empty or malformed part: python-pptx's own read reports it, in one line
        return bool(root.getroottree().docinfo.doctype)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def has_macros(path: Path) -> bool:
    """Whether the template carries a VBA project (a .pptm saved as a template)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def strip_macros(prs: Any) -> None:
    """Drop a template's VBA project from the presentation and label its main part a plain .pptx."""
    from pptx.opc.constants import CONTENT_TYPE as CT

    part = prs.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/vbaProject"):
            part.rels.pop(rid)
    if any(kind in part.content_type for kind in _MACRO_TYPES):
        part._content_type = CT.PML_PRESENTATION_MAIN
        part.__dict__.pop("content_type", None)  # python-pptx caches it (a lazyproperty) on first read


def check_reopens(deck: Path, template: Path) -> None:
    """Open the deck made from `template` again before it is published; a deck that does not reopen
    is never shipped (ThemeError: the template is the input that made it so)."""
    from pptx import Presentation

    try:
        prs = Presentation(str(deck))
        for slide in prs.slides:
            _ = [shape.shape_type for shape in slide.shapes]
    except Exception as exc:  # whatever python-pptx raises, the deck is not one to ship
        raise ThemeError(
            f"the deck made from template {template.name} does not reopen ({_reason(exc)}); re-save the template "
            "in PowerPoint"
        ) from None


_MAIN_KINDS: Final = re.compile(rb'ContentType="[^"]*\.(?:template|slideshow)(?:\.macroEnabled)?\.main\+xml"')
_PRESENTATION_MAIN: Final = (
    b'ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"'
)


def open_template(path: Path) -> Any:
    """`path` as a python-pptx Presentation whatever kind of deck it is (.pptx, .potx, .ppsx, .pptm, .potm):
    a template's or slide show's main part is read as a presentation's, and macros are left out."""
    from pptx import Presentation

    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    if _MAIN_KINDS.search(types):
        data = _with_member(data, "[Content_Types].xml", _MAIN_KINDS.sub(_PRESENTATION_MAIN, types))
    prs = Presentation(io.BytesIO(data))
    strip_macros(prs)
    return prs


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The zip `data` with member `name` replaced by `content` (in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()
