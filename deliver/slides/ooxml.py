"""The one thin layer that touches raw OOXML (lxml): facts python-pptx has no API for.

Each helper sets one XML fact: `a:latin`/`a:ea`/`a:cs` on a run in schema order, line breaks,
bullets, the theme part's major/minor fonts, slide removal, a notes body placeholder.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.oxml.ns import qn

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import NotesSlide

GB2312_CHARSET = "-122"
"""`charset` hint on `a:ea`: lets PowerPoint/WPS substitute a missing font with a Chinese one."""
_NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
       "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
_PPR_AFTER_BULLET = ("a:tabLst", "a:defRPr", "a:extLst")
_BULLET_TAGS = ("a:buClrTx", "a:buClr", "a:buSzTx", "a:buSzPct", "a:buSzPts", "a:buFontTx", "a:buFont",
                "a:buNone", "a:buAutoNum", "a:buChar", "a:buBlip")


def set_run_fonts(rpr: Any, latin: str, ea: str, lang: str) -> None:
    """Write `a:latin`, `a:ea` (with a GB2312 charset hint) and `a:cs` on `a:rPr`, in schema order."""
    rpr.set("lang", lang)
    rpr.set("altLang", "en-US" if lang != "en-US" else "zh-CN")
    for tag in ("a:ea", "a:cs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    latin_el = rpr.get_or_add_latin()
    latin_el.set("typeface", latin)
    ea_el = etree.SubElement(rpr, qn("a:ea"), typeface=ea, charset=GB2312_CHARSET)
    cs_el = etree.SubElement(rpr, qn("a:cs"), typeface=latin)
    latin_el.addnext(ea_el)
    ea_el.addnext(cs_el)


def add_line_break(paragraph: Any, rpr: Any) -> None:
    """Append `<a:br>` carrying a copy of `rpr` (so the broken line keeps its size and fonts)."""
    br = etree.SubElement(paragraph, qn("a:br"))
    rpr_copy = copy.deepcopy(rpr)
    rpr_copy.tag = qn("a:rPr")
    br.append(rpr_copy)
    end = paragraph.find(qn("a:endParaRPr"))
    if end is not None:
        end.addprevious(br)


def set_end_paragraph_fonts(paragraph: Any, rpr: Any) -> None:
    """Give the paragraph's `a:endParaRPr` the same size and fonts as its runs."""
    old = paragraph.find(qn("a:endParaRPr"))
    if old is not None:
        paragraph.remove(old)
    end = copy.deepcopy(rpr)
    end.tag = qn("a:endParaRPr")
    paragraph.append(end)


def set_bullet(ppr: Any, char: str | None, font: str, color: str | None, indent_emu: int) -> None:
    """A hanging bullet `char` (None: `a:buNone`, no indent) in `font`/`color` on `a:pPr`."""
    for tag in _BULLET_TAGS:
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    ppr.set("marL", str(indent_emu if char else 0))
    ppr.set("indent", str(-indent_emu if char else 0))
    elements = []
    if char:
        if color:
            clr = etree.Element(qn("a:buClr"))
            etree.SubElement(clr, qn("a:srgbClr"), val=color)
            elements.append(clr)
        elements.append(etree.Element(qn("a:buFont"), typeface=font))
        elements.append(etree.Element(qn("a:buChar"), char=char))
    else:
        elements.append(etree.Element(qn("a:buNone")))
    anchor = next((ppr.find(qn(t)) for t in _PPR_AFTER_BULLET if ppr.find(qn(t)) is not None), None)
    for element in elements:
        if anchor is not None:
            anchor.addprevious(element)
        else:
            ppr.append(element)


@dataclass(frozen=True)
class ThemeFonts:
    """Typefaces named in a theme part (theme1.xml); empty string when unset."""

    major_latin: str
    major_ea: str
    major_hans: str
    minor_latin: str
    minor_ea: str
    minor_hans: str


def _font_of(root: Any, which: str, tag: str) -> str:
    el = root.find(f".//{qn('a:' + which)}/{qn(tag)}")
    return "" if el is None else el.get("typeface", "")


def _hans_of(root: Any, which: str) -> str:
    for el in root.iterfind(f".//{qn('a:' + which)}/{qn('a:font')}"):
        if el.get("script") == "Hans":
            return str(el.get("typeface", ""))
    return ""


def read_theme_fonts(blob: bytes) -> ThemeFonts:
    """The major (headings) and minor (body) fonts of a theme part."""
    root = etree.fromstring(blob)
    return ThemeFonts(
        _font_of(root, "majorFont", "a:latin"), _font_of(root, "majorFont", "a:ea"), _hans_of(root, "majorFont"),
        _font_of(root, "minorFont", "a:latin"), _font_of(root, "minorFont", "a:ea"), _hans_of(root, "minorFont"),
    )


def set_theme_fonts(blob: bytes, major: tuple[str, str], minor: tuple[str, str], *, keep_latin: bool) -> bytes:
    """Theme part with `a:ea` (and `a:latin` unless `keep_latin`) of major/minor fonts set; also `Hans`.

    `major`/`minor` are (latin, ea) typefaces.
    """
    root = etree.fromstring(blob)
    for which, (latin, ea) in (("majorFont", major), ("minorFont", minor)):
        scheme = root.find(f".//{qn('a:' + which)}")
        if scheme is None:
            continue
        if not keep_latin and scheme.find(qn("a:latin")) is not None:
            scheme.find(qn("a:latin")).set("typeface", latin)
        ea_el = scheme.find(qn("a:ea"))
        if ea_el is None:
            ea_el = etree.Element(qn("a:ea"))
            scheme.find(qn("a:latin")).addnext(ea_el)
        ea_el.set("typeface", ea)
        for font in scheme.iterfind(qn("a:font")):
            if font.get("script") == "Hans":
                font.set("typeface", ea)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def remove_all_slides(prs: Presentation) -> int:
    """Drop every slide of `prs` (its `p:sldId` and relationship); returns how many were removed."""
    id_list = prs.slides._sldIdLst  # noqa: SLF001 - python-pptx has no public API for this
    removed = 0
    for sld_id in list(id_list):
        prs.part.drop_rel(sld_id.get(qn("r:id")))
        id_list.remove(sld_id)
        removed += 1
    return removed


def ensure_notes_body(notes_slide: NotesSlide) -> None:
    """Add a notes body placeholder (`p:ph type="body" idx="1"`) when the notes master has none."""
    if notes_slide.notes_placeholder is not None:
        return
    from pptx.oxml.shapes.autoshape import CT_Shape

    tree = notes_slide.shapes._spTree  # noqa: SLF001
    sp = CT_Shape.new_placeholder_sp(tree._next_shape_id, "Notes Placeholder", _body_type(), "horz", "half", 1)
    tree.append(sp)


def _body_type() -> Any:
    from pptx.enum.shapes import PP_PLACEHOLDER

    return PP_PLACEHOLDER.BODY


def all_caps(placeholder: Any, master: Any, is_title: bool) -> bool:
    """Whether text in a layout placeholder is shown in capitals (`cap="all"` or `"small"` on its
    level-1 default run properties, else on the master's title or body style)."""
    for root, path in ((placeholder, "./p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr"),
                       (master, f"./p:txStyles/p:{'titleStyle' if is_title else 'bodyStyle'}/a:lvl1pPr/a:defRPr")):
        found = etree.ElementBase.xpath(root, path, namespaces=_NS)
        if found and found[0].get("cap") is not None:
            return found[0].get("cap") in ("all", "small")
    return False


def layout_type(layout_element: Any) -> str:
    """The `type` of a `p:sldLayout` ("title", "obj", "secHead", …; "" when unset)."""
    return str(layout_element.get("type", ""))
