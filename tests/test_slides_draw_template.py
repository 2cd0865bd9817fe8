"""An organisation's template in the slide pictures (slides/drawtemplate.py): its background (solid and a
picture), a logo picture on its master and a coloured band on a layout are painted where they are, in
their colours, as LibreOffice shows the same slide of the deck; the placeholders' text takes the
template's colour as the .pptx does; a shape the pictures cannot draw is counted for the build's Notice."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from samples import zh_speech

pytest.importorskip("pylopdf_fonts_zh_cn", reason="the video extra is not installed: pip install -e .[video]")
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from deliver.slides import load_theme, plan_deck, render_deck
from deliver.slides.draw import DrawnLine, draw_slide, undrawn_shapes

NS = (
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
BACKGROUND = (0x1E, 0x3A, 0x5F)
LOGO = (0xE0, 0x40, 0x20)
BAND = (0x2A, 0x92, 0x84)
"""The band: the test theme's accent2 38C2B0 at lumMod 75% (HSL luminance)."""
TOLERANCE = 12
"""Per channel, out of 255 (anti-aliasing at edges is avoided: samples sit inside the shapes)."""
PX = 960, 540
"""Pictures at 1 px per pt of a 16:9 template (960 × 540 pt)."""


def _xml(text: str) -> etree._Element:
    return etree.fromstring(f"<root {NS}>{text}</root>")[0]


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 32), split: bool = False) -> bytes:
    image = Image.new("RGB", size, colour)
    if split:  # the right half white: a crop (a:srcRect l/r) shows which part is drawn
        image.paste((255, 255, 255), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _set_background(owner: object, fill_xml: str) -> None:
    c_sld = owner._element.find("{http://schemas.openxmlformats.org/presentationml/2006/main}cSld")  # type: ignore[attr-defined]
    for old in c_sld.findall("{http://schemas.openxmlformats.org/presentationml/2006/main}bg"):
        c_sld.remove(old)
    c_sld.insert(0, _xml(f"<p:bg><p:bgPr>{fill_xml}<a:effectLst/></p:bgPr></p:bg>"))


def _add(owner: object, shape_xml: str) -> None:
    owner.shapes._spTree.append(_xml(shape_xml))  # type: ignore[attr-defined]


def _pic(shape_id: int, rid: str, box: tuple[int, int, int, int], crop: str = "") -> str:
    x, y, cx, cy = box
    return (
        f'<p:pic><p:nvPicPr><p:cNvPr id="{shape_id}" name="Logo"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
        f'<p:blipFill><a:blip r:embed="{rid}"/>{crop}<a:stretch><a:fillRect/></a:stretch></p:blipFill>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
    )


def _rect(shape_id: int, box: tuple[int, int, int, int], fill: str, geometry: str = "") -> str:
    x, y, cx, cy = box
    geometry = geometry or '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Band"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>{geometry}'
        f"{fill}<a:ln><a:noFill/></a:ln></p:spPr></p:sp>"
    )


def pt(value: float) -> int:
    return int(value * 12700)


LOGO_BOX = (pt(860), pt(12), pt(80), pt(40))
"""Top right of every slide (on the master), 80 × 40 pt."""
BAND_BOX = (pt(0), pt(500), pt(960), pt(40))
"""The foot of the title-and-content layout, 40 pt high."""


def make_org_template(path: Path, background: str = "solid", undrawable: bool = False) -> Path:
    """A 16:9 organisation template (python-pptx's default, resized) with a coloured or picture background
    on its master, a logo on the master (cropped to its left half) and a band on its content layout;
    with `undrawable`, a free-form shape (custom geometry) on the master too."""
    from test_slides_viewer import make_template

    make_template(path)
    prs = Presentation(str(path))
    master, content = prs.slide_master, prs.slide_layouts[1]
    if background == "solid":
        _set_background(master, '<a:solidFill><a:srgbClr val="%02X%02X%02X"/></a:solidFill>' % BACKGROUND)
    else:
        _, rid = master.part.get_or_add_image_part(io.BytesIO(_png(BACKGROUND, (32, 18))))
        _set_background(master, f'<a:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></a:blipFill>')
    _, logo = master.part.get_or_add_image_part(io.BytesIO(_png(LOGO, split=True)))
    _add(master, _pic(90, logo, LOGO_BOX, '<a:srcRect r="50000"/>'))
    _add(content, _rect(91, BAND_BOX, '<a:solidFill><a:schemeClr val="accent2"><a:lumMod val="75000"/></a:schemeClr></a:solidFill>'))
    if undrawable:
        path_xml = '<a:custGeom><a:pathLst><a:path w="10" h="10"><a:moveTo><a:pt x="0" y="0"/></a:moveTo><a:lnTo><a:pt x="10" y="10"/></a:lnTo></a:path></a:pathLst></a:custGeom>'
        _add(master, _rect(92, (pt(10), pt(10), pt(20), pt(20)), '<a:solidFill><a:srgbClr val="00FF00"/></a:solidFill>', path_xml))
    _set_accent2(prs, "38C2B0")
    prs.save(str(path))
    return path


def _set_accent2(prs: Presentation, value: str) -> None:
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    slot = root.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}accent2")
    for child in list(slot):
        slot.remove(child)
    etree.SubElement(slot, "{http://schemas.openxmlformats.org/drawingml/2006/main}srgbClr", val=value)
    part._blob = etree.tostring(root)
