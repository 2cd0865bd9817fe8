"""The one thin layer that touches raw OOXML (lxml): facts python-pptx has no API for.

Each helper sets one XML fact: paragraphs with runs naming `a:latin`/`a:ea`/`a:cs` in schema order,
explicit line breaks and bullets; the theme part's major/minor fonts; slide removal; a notes body
placeholder; fast part names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from pptx.oxml.ns import qn

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import NotesSlide

GB2312_CHARSET = "-122"
"""`charset` hint on `a:ea`: lets PowerPoint/WPS substitute a missing font with a Chinese one."""
_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
}


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


@dataclass(frozen=True)
class RunStyle:
    """Character properties of every run in a paragraph: size in pt, colour RRGGBB or None (inherit)."""

    size: float
    bold: bool
    colour: str | None
    latin: str
    ea: str
    lang: str


@dataclass(frozen=True)
class ParagraphStyle:
    """Paragraph properties: `align` "l"/"ctr"/"r" or None (inherit), line spacing as a multiple,
    space before in pt, bullet glyph (None: no bullet) with its font, colour and hanging indent (EMU)."""

    align: str | None
    spacing: float
    space_before: float
    bullet: str | None
    bullet_font: str
    bullet_colour: str | None
    indent: int


def _rpr_xml(tag: str, run: RunStyle) -> str:
    fill = f'<a:solidFill><a:srgbClr val="{run.colour}"/></a:solidFill>' if run.colour else ""
    alt = "en-US" if run.lang != "en-US" else "zh-CN"
    return (
        f'<a:{tag} lang="{run.lang}" altLang="{alt}" sz="{round(run.size * 100)}" b="{int(run.bold)}" dirty="0">'
        f"{fill}<a:latin typeface={quoteattr(run.latin)}/>"
        f'<a:ea typeface={quoteattr(run.ea)} charset="{GB2312_CHARSET}"/><a:cs typeface={quoteattr(run.latin)}/></a:{tag}>'
    )


def _ppr_xml(para: ParagraphStyle) -> str:
    indent = para.indent if para.bullet else 0
    align = f' algn="{para.align}"' if para.align else ""
    if para.bullet:
        colour = f'<a:buClr><a:srgbClr val="{para.bullet_colour}"/></a:buClr>' if para.bullet_colour else ""
        bullet = f"{colour}<a:buFont typeface={quoteattr(para.bullet_font)}/><a:buChar char={quoteattr(para.bullet)}/>"
    else:
        bullet = "<a:buNone/>"
    return (
        f'<a:pPr marL="{indent}" indent="{-indent}"{align}><a:lnSpc><a:spcPct val="{round(para.spacing * 100000)}"/></a:lnSpc>'
        f'<a:spcBef><a:spcPts val="{round(para.space_before * 100)}"/></a:spcBef><a:spcAft><a:spcPts val="0"/></a:spcAft>'
        f"{bullet}</a:pPr>"
    )


def paragraph_xml(lines: tuple[str, ...], run: RunStyle, para: ParagraphStyle) -> str:
    """One `a:p`: a run per line, lines joined by `a:br` (each carrying the run properties)."""
    rpr = _rpr_xml("rPr", run)
    runs = f"<a:br>{rpr}</a:br>".join(
        f"<a:r>{rpr}<a:t>{escape(_XML_ILLEGAL.sub('', line))}</a:t></a:r>" for line in lines
    )
    return f"<a:p>{_ppr_xml(para)}{runs}{_rpr_xml('endParaRPr', run)}</a:p>"


def replace_paragraphs(tx_body: Any, paragraphs: list[str]) -> None:
    """Replace every `a:p` of a `p:txBody` with `paragraphs` (XML strings from `paragraph_xml`)."""
    for old in tx_body.findall(qn("a:p")):
        tx_body.remove(old)
    from pptx.oxml import parse_xml

    parsed = parse_xml(f'<a:txBody xmlns:a="{_A}">{"".join(paragraphs)}</a:txBody>')
    for paragraph in list(parsed):
        tx_body.append(paragraph)


_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_ANCHORS = {"top": "t", "middle": "ctr", "bottom": "b"}


def textbox_xml(
    shape_id: int, box: tuple[int, int, int, int], insets: tuple[int, int], anchor: str | None, paragraphs: list[str],
    name: str | None = None,
) -> str:  # fmt: skip
    """A `p:sp` text box at `box` (x, y, cx, cy in EMU): square wrap, no autofit, `insets`
    (left/right, top/bottom EMU), vertical `anchor` ("top"/"middle"/"bottom"), `paragraphs` XML;
    `name` (plain ASCII) as the shape's name, else "TextBox <id>"."""
    x, y, cx, cy = box
    side, top = insets
    anchor_attr = f' anchor="{_ANCHORS[anchor]}"' if anchor else ""
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name or f"TextBox {shape_id}"}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:noFill/></p:spPr><p:txBody><a:bodyPr wrap="square" lIns="{side}" tIns="{top}" rIns="{side}" bIns="{top}"{anchor_attr}>'
        f"<a:noAutofit/></a:bodyPr><a:lstStyle/>{''.join(paragraphs)}</p:txBody></p:sp>"
    )


def rect_xml(shape_id: int, box: tuple[int, int, int, int], colour: str) -> str:
    """A filled `p:sp` rectangle without outline at `box` (x, y, cx, cy in EMU). It has no text body
    (optional in the schema): a decorative bar is not a text box for viewers or overflow checks."""
    x, y, cx, cy = box
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Accent {shape_id}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>'
    )


def group_xml(shape_id: int, name: str, boxes: list[tuple[int, int, int, int]], shapes: list[str]) -> str:
    """A `p:grpSp` holding `shapes` whose `boxes` (EMU) it spans; child and group frames coincide (no scaling)."""
    x = min(b[0] for b in boxes)
    y = min(b[1] for b in boxes)
    cx = max(b[0] + b[2] for b in boxes) - x
    cy = max(b[1] + b[3] for b in boxes) - y
    frame = (
        f'<a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/><a:chOff x="{x}" y="{y}"/><a:chExt cx="{cx}" cy="{cy}"/>'
    )
    return (
        f'<p:grpSp><p:nvGrpSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
        f"<p:grpSpPr><a:xfrm>{frame}</a:xfrm></p:grpSpPr>{''.join(shapes)}</p:grpSp>"
    )


def append_shapes(sp_tree: Any, shapes: list[str]) -> None:
    """Append `shapes` (`p:sp` XML strings) to a slide's `p:spTree`."""
    from pptx.oxml import parse_xml

    parsed = parse_xml(f'<p:spTree xmlns:p="{_P}" xmlns:a="{_A}">{"".join(shapes)}</p:spTree>')
    for shape in list(parsed):
        sp_tree.append(shape)


def set_background(slide_element: Any, colour: str) -> None:
    """Give a `p:sld` a solid background `colour` (RRGGBB)."""
    from pptx.oxml import parse_xml

    c_sld = slide_element.find(qn("p:cSld"))
    for old in c_sld.findall(qn("p:bg")):
        c_sld.remove(old)
    bg = parse_xml(
        f'<p:bg xmlns:p="{_P}" xmlns:a="{_A}"><p:bgPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'
        f"<a:effectLst/></p:bgPr></p:bg>"
    )
    c_sld.insert(0, bg)


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
        _font_of(root, "majorFont", "a:latin"),
        _font_of(root, "majorFont", "a:ea"),
        _hans_of(root, "majorFont"),
        _font_of(root, "minorFont", "a:latin"),
        _font_of(root, "minorFont", "a:ea"),
        _hans_of(root, "minorFont"),
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
    id_list = prs.slides._sldIdLst
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

    tree = notes_slide.shapes._spTree
    sp = CT_Shape.new_placeholder_sp(tree._next_shape_id, "Notes Placeholder", _body_type(), "horz", "half", 1)
    tree.append(sp)


def notes_body(notes_element: Any) -> Any:
    """The `p:txBody` of a notes slide's body placeholder (`p:ph type="body"`)."""
    for sp in notes_element.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        if ph is not None and ph.get("type") == "body":
            return sp.find(qn("p:txBody"))
    raise ValueError("notes slide without a body placeholder")


def _body_type() -> Any:
    from pptx.enum.shapes import PP_PLACEHOLDER

    return PP_PLACEHOLDER.BODY


def all_caps(placeholder: Any, master: Any, is_title: bool) -> bool:
    """Whether text in a layout placeholder is shown in capitals (`cap="all"` or `"small"` on its
    level-1 default run properties, else on the master's title or body style)."""
    for root, path in (
        (placeholder, "./p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr"),
        (master, f"./p:txStyles/p:{'titleStyle' if is_title else 'bodyStyle'}/a:lvl1pPr/a:defRPr"),
    ):
        found = etree.ElementBase.xpath(root, path, namespaces=_NS)
        if found and found[0].get("cap") is not None:
            return found[0].get("cap") in ("all", "small")
    return False


def layout_type(layout_element: Any) -> str:
    """The `type` of a `p:sldLayout` ("title", "obj", "secHead", …; "" when unset)."""
    return str(layout_element.get("type", ""))


# ---- narration: an embedded audio clip that plays on slide start, and auto-advance ------------

_P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def audio_pic_xml(shape_id: int, audio_rid: str, media_rid: str, image_rid: str, box: tuple[int, int, int, int]) -> str:
    """A `p:pic` audio object: `a:audioFile r:link` (read by LibreOffice and old PowerPoint) and
    `p14:media r:embed` (PowerPoint 2010+), both to the same media part; icon at `box` (EMU, off-slide)."""
    x, y, cx, cy = box
    return (
        f'<p:pic xmlns:p="{_P}" xmlns:a="{_A}" xmlns:r="{_R}"><p:nvPicPr>'
        f'<p:cNvPr id="{shape_id}" name="Narration {shape_id}"><a:hlinkClick r:id="" action="ppaction://media"/></p:cNvPr>'
        f'<p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr><a:audioFile r:link="{audio_rid}"/>'
        f'<p:extLst><p:ext uri="{{DAA4B4D4-6D71-4841-9C94-3DE7FCFB9230}}"><p14:media xmlns:p14="{_P14}" r:embed="{media_rid}"/>'
        f'</p:ext></p:extLst></p:nvPr></p:nvPicPr><p:blipFill><a:blip r:embed="{image_rid}"/><a:stretch><a:fillRect/></a:stretch>'
        f'</p:blipFill><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
    )


def audio_timing_xml(shape_id: int, ms: int) -> str:
    """A timing tree whose main sequence starts the audio (`mediacall playFrom(0.0)`) when the slide
    begins, and hides the stopped player (`showWhenStopped="0"`)."""
    play = (
        f'<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="afterEffect">'
        f'<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr>'
        f'<p:cTn id="6" dur="{ms}" fill="hold"/><p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl></p:cBhvr></p:cmd>'
        f"</p:childTnLst></p:cTn></p:par>"
    )
    step = (
        f'<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/><p:cond evt="onBegin" delay="0">'
        f'<p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst><p:par><p:cTn id="4" fill="hold"><p:stCondLst>'
        f'<p:cond delay="0"/></p:stCondLst><p:childTnLst>{play}</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>'
    )
    sequence = (
        f'<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>{step}'
        f'</p:childTnLst></p:cTn><p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>'
        f'</p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>'
        f"</p:nextCondLst></p:seq>"
    )
    media = (
        f'<p:audio><p:cMediaNode vol="80000" showWhenStopped="0"><p:cTn id="7" fill="hold" display="0"><p:stCondLst>'
        f'<p:cond delay="indefinite"/></p:stCondLst><p:endCondLst><p:cond evt="onStopAudio" delay="0"><p:tgtEl><p:sldTgt/>'
        f'</p:tgtEl></p:cond></p:endCondLst></p:cTn><p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl></p:cMediaNode></p:audio>'
    )
    return (
        f'<p:timing xmlns:p="{_P}"><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot">'
        f"<p:childTnLst>{sequence}{media}</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"
    )


def set_advance(slide_element: Any, ms: int, timing: str | None = None, pic: str | None = None) -> None:
    """Auto-advance after `ms` (`p:transition advTm` with an explicit `p:cut`: LibreOffice ignores advTm
    on an empty transition), placed after `p:clrMapOvr` in schema order; optionally the audio `pic` and its `timing`."""
    for old in slide_element.findall(qn("p:transition")) + slide_element.findall(qn("p:timing")):
        slide_element.remove(old)
    if pic is not None:
        slide_element.find(qn("p:cSld")).find(qn("p:spTree")).append(etree.fromstring(pic))
    anchor = slide_element.find(qn("p:clrMapOvr"))
    if anchor is None:
        anchor = slide_element.find(qn("p:cSld"))
    transition = etree.fromstring(f'<p:transition xmlns:p="{_P}" advTm="{ms}"><p:cut/></p:transition>')
    anchor.addnext(transition)
    if timing is not None:
        transition.addnext(etree.fromstring(timing))


def audio_links(slide_element: Any) -> list[str]:
    """`r:link` ids of the slide's `a:audioFile` elements (python-pptx reads audio shapes as pictures)."""
    return [el.get(f"{{{_R}}}link") for el in slide_element.iter(qn("a:audioFile"))]
