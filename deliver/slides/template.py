"""Reading an organisation's template .pptx: slide size, the layouts we fill, their placeholder
boxes (pt) and the theme fonts. Raises ThemeError for files we cannot use."""

from __future__ import annotations

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
    found = [ph for ph in layout.placeholders if _ph_type(ph) in types]
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
            if layout_type(layout._element) == kind and _find(layout, _TITLE_TYPES) is not None:
                if not need_body or _find(layout, _BODY_TYPES) is not None:
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
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        prs = Presentation(str(path))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise ThemeError(
            f"cannot open template {path}: {exc}; give a .pptx saved by PowerPoint, WPS or LibreOffice"
        ) from None
    if prs.slide_width is None or prs.slide_height is None:
        raise ThemeError(f"template {path.name} has no slide size")
    layouts = list(prs.slide_layouts)
    size = (prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT)
    fonts = read_theme_fonts(prs.slide_master.part.part_related_by(RT.THEME).blob)
    return TemplateInfo(
        width=size[0],
        height=size[1],
        boxes=_role_boxes(layouts, path, size),
        major_latin=fonts.major_latin,
        major_ea=_ea_chain(fonts.major_ea, fonts.major_hans),
        minor_latin=fonts.minor_latin,
        minor_ea=_ea_chain(fonts.minor_ea, fonts.minor_hans),
    )
