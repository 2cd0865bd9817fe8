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
import numpy as np
from lxml import etree
from PIL import Image
from pptx import Presentation

from deliver.slides import load_theme, plan_deck
from deliver.slides.draw import DrawnLine, draw_slide, undrawn_notice

NS = (
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
BACKGROUND = (0x1E, 0x3A, 0x5F)
LOGO = (0xE0, 0x40, 0x20)
TEXT = (0xF2, 0xC1, 0x4E)
"""The template's text colour (its scheme's dk1), which neither deliver's defaults nor its themes use."""
FOOTER = (0xFF, 0xF4, 0xD0)
"""The band's own static text (centred in it)."""
BAND = (0x2A, 0x92, 0x84)
"""The band: the test theme's accent2 38C2B0 at lumMod 75% (HSL luminance)."""
TOLERANCE = 12
"""Per channel, out of 255 (anti-aliasing at edges is avoided: samples sit inside the shapes)."""
PX = 960, 540
"""Pictures at 1 px per pt of a 16:9 template (960 × 540 pt)."""


def _hex(colour: tuple[int, int, int]) -> str:
    return "".join(f"{c:02X}" for c in colour)


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


def _rect(shape_id: int, box: tuple[int, int, int, int], fill: str, geometry: str = "", text: str = "") -> str:
    x, y, cx, cy = box
    geometry = geometry or '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
    body = (
        f'<p:txBody><a:bodyPr anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="zh-CN" sz="1800">'
        f'<a:solidFill><a:srgbClr val="{_hex(FOOTER)}"/></a:solidFill></a:rPr><a:t>{text}</a:t></a:r></a:p></p:txBody>'
        if text
        else ""
    )
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Band"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>{geometry}'
        f"{fill}<a:ln><a:noFill/></a:ln></p:spPr>{body}</p:sp>"
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
        _set_background(master, f'<a:solidFill><a:srgbClr val="{_hex(BACKGROUND)}"/></a:solidFill>')
    else:
        _, rid = master.part.get_or_add_image_part(io.BytesIO(_png(BACKGROUND, (32, 18))))
        _set_background(
            master, f'<a:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></a:blipFill>'
        )
    _, logo = master.part.get_or_add_image_part(io.BytesIO(_png(LOGO, split=True)))
    _add(master, _pic(90, logo, LOGO_BOX, '<a:srcRect r="50000"/>'))
    _add(
        content,
        _rect(
            91,
            BAND_BOX,
            '<a:solidFill><a:schemeClr val="accent2"><a:lumMod val="75000"/></a:schemeClr></a:solidFill>',
            text="内部资料 · 请勿外传",
        ),
    )
    if undrawable:
        path_xml = (
            '<a:custGeom><a:pathLst><a:path w="10" h="10"><a:moveTo><a:pt x="0" y="0"/></a:moveTo>'
            '<a:lnTo><a:pt x="10" y="10"/></a:lnTo></a:path></a:pathLst></a:custGeom>'
        )
        _add(
            master,
            _rect(
                92, (pt(10), pt(10), pt(20), pt(20)), '<a:solidFill><a:srgbClr val="00FF00"/></a:solidFill>', path_xml
            ),
        )
    _set_scheme(prs, {"accent2": "38C2B0", "dk1": _hex(TEXT)})
    prs.save(str(path))
    return path


def _set_scheme(prs: Presentation, colours: dict[str, str]) -> None:
    """Give the template's colour scheme these slots (dk1 is the text colour tx1 of its title and body)."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for name, value in colours.items():
        slot = root.find(f".//{{http://schemas.openxmlformats.org/drawingml/2006/main}}{name}")
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, "{http://schemas.openxmlformats.org/drawingml/2006/main}srgbClr", val=value)
    part._blob = etree.tostring(root)


# Where to look, in px of a 960 × 540 picture: inside each shape, away from text and edges.
EMPTY = (700, 420)
"""Background: below the body text, above the band."""
LOGO_LEFT, LOGO_RIGHT = (870, 32), (930, 32)
"""Both ends of the logo: its picture's left half (srcRect r=50%) stretched over the whole box."""
BAND_AT = (100, 520)
FOOTER_BOX = (380, 505, 580, 535)
"""Around the band's centred text: its glyphs are drawn there."""


def _near(pixel: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(pixel[:3], expected, strict=True))


def _inked(picture: Image.Image, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> int:
    """How many px of `box` are `colour` (glyphs' strokes, anti-aliased edges aside)."""
    pixels = np.asarray(picture.convert("RGB").crop(box)).reshape(-1, 3).astype(int)
    return int((np.abs(pixels - np.array(colour)).max(axis=1) <= TOLERANCE).sum())


def _drawn(tmp_path: Path, background: str) -> tuple[object, list[Image.Image], list[list[DrawnLine]]]:
    theme = load_theme(str(make_org_template(tmp_path / f"org-{background}.pptx", background)))
    deck, _ = plan_deck(zh_speech(), theme)
    pictures = [draw_slide(deck, i, theme, *PX) for i in range(len(deck.slides))]
    return (deck, theme), [p for p, _ in pictures], [lines for _, lines in pictures]


def _point(deck: object) -> int:
    return next(i for i, s in enumerate(deck.slides) if s.kind == "point")  # type: ignore[attr-defined]


@pytest.mark.parametrize("background", ["solid", "picture"])
def test_the_templates_background_logo_and_band_are_painted_in_their_colours(tmp_path: Path, background: str) -> None:
    (deck, _), pictures, _ = _drawn(tmp_path, background)
    point, cover = pictures[_point(deck)], pictures[0]
    assert _near(point.getpixel(EMPTY), BACKGROUND)
    assert _near(point.getpixel(LOGO_LEFT), LOGO) and _near(point.getpixel(LOGO_RIGHT), LOGO)
    assert _near(point.getpixel(BAND_AT), BAND)
    assert _inked(point, FOOTER_BOX, FOOTER) > 100, "the band's static text is drawn in its colour"
    assert _near(cover.getpixel(LOGO_LEFT), LOGO), "the master's logo is on every layout"
    assert _near(cover.getpixel(BAND_AT), BACKGROUND), "the band belongs to the content layout only"


def test_the_placeholders_text_is_drawn_in_the_templates_text_colour(tmp_path: Path) -> None:
    (deck, _), pictures, lines = _drawn(tmp_path, "solid")
    index = _point(deck)
    title = next(line for line in lines[index] if line.role == "point.title")
    box = (round(title.x), round(title.baseline - title.size), round(title.x + title.width), round(title.baseline))
    colours = {tuple(int(c) for c in row) for row in np.asarray(pictures[index].crop(box)).reshape(-1, 3)}
    assert any(_near(c, TEXT) for c in colours), "the title is in the template's tx1, not deliver's headline colour"


def test_a_template_shape_the_pictures_cannot_draw_is_said_once_in_a_notice(tmp_path: Path) -> None:
    plain = load_theme(str(make_org_template(tmp_path / "plain.pptx")))
    assert undrawn_notice(plain) == ()
    free_form = load_theme(str(make_org_template(tmp_path / "free-form.pptx", undrawable=True)))
    (notice,) = undrawn_notice(free_form)
    assert notice.message == "1 template shape is not drawn in the video (1 custom shape)"
    assert undrawn_notice(load_theme("default")) == ()


def test_a_shape_with_a_bad_value_costs_only_that_shape(tmp_path: Path) -> None:
    path = make_org_template(tmp_path / "bad.pptx")
    prs = Presentation(str(path))
    _add(prs.slide_master, _rect(93, (pt(10), pt(10), pt(20), pt(20)), "<a:noFill/>").replace('x="127000"', 'x="1e3"'))
    prs.save(str(path))
    theme = load_theme(str(path))
    deck, _ = plan_deck(zh_speech(), theme)
    picture, _ = draw_slide(deck, _point(deck), theme, *PX)
    assert _near(picture.getpixel(LOGO_LEFT), LOGO) and _near(picture.getpixel(BAND_AT), BAND)
    assert [n.message for n in undrawn_notice(theme)] == [
        "1 template shape is not drawn in the video (1 unreadable shape)"
    ]


def test_a_gradient_background_runs_from_its_first_to_its_last_stop(tmp_path: Path) -> None:
    path = make_org_template(tmp_path / "gradient.pptx")
    prs = Presentation(str(path))
    stops = '<a:gs pos="0"><a:srgbClr val="FF0000"/></a:gs><a:gs pos="100000"><a:srgbClr val="0000FF"/></a:gs>'
    _set_background(prs.slide_master, f'<a:gradFill><a:gsLst>{stops}</a:gsLst><a:lin ang="5400000"/></a:gradFill>')
    prs.save(str(path))
    theme = load_theme(str(path))
    deck, _ = plan_deck(zh_speech(), theme)
    picture, _ = draw_slide(deck, 0, theme, *PX)
    assert _near(picture.getpixel((20, 0)), (255, 0, 0)) and _near(picture.getpixel((20, 539)), (0, 0, 255))
    middle = picture.getpixel((20, 270))
    assert 100 < middle[0] < 160 and 100 < middle[2] < 160, "top to bottom (90°), blended on the way"


@pytest.mark.viewer
@pytest.mark.parametrize("background", ["solid", "picture"])
def test_the_painted_template_matches_libreoffices_rendering_of_the_deck(tmp_path: Path, background: str) -> None:
    viewer = pytest.importorskip("test_slides_viewer", reason="needs LibreOffice and pdfplumber")
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("needs pdftoppm (poppler-utils) to turn LibreOffice's PDF into pictures")
    from deliver.slides import render_deck

    (deck, theme), pictures, lines = _drawn(tmp_path, background)
    render_deck(deck, theme, tmp_path / "deck.pptx")  # type: ignore[arg-type]
    viewer.convert([tmp_path / "deck.pptx"], tmp_path, viewer.fontconfig([theme], tmp_path))
    index = _point(deck)
    problems = []
    for n in (0, index):
        subprocess.run(["pdftoppm", "-scale-to-x", "960", "-scale-to-y", "540", "-f", str(n + 1), "-l", str(n + 1), "-png", "-singlefile",
                        str(tmp_path / "deck.pdf"), str(tmp_path / f"lo-{n}")], check=True, timeout=120)  # fmt: skip
        shown = Image.open(tmp_path / f"lo-{n}.png").convert("RGB")
        assert shown.size == PX
        expected = {EMPTY: BACKGROUND, LOGO_LEFT: LOGO, LOGO_RIGHT: LOGO, BAND_AT: BAND if n else BACKGROUND}
        for where, colour in expected.items():
            ours, theirs = pictures[n].getpixel(where), shown.getpixel(where)
            if not (_near(ours, colour) and _near(theirs, colour)):
                problems.append(f"slide {n + 1} at {where}: ours {ours}, LibreOffice's {theirs}, expected {colour}")
        if n and not (_inked(pictures[n], FOOTER_BOX, FOOTER) > 100 and _inked(shown, FOOTER_BOX, FOOTER) > 100):
            problems.append(f"slide {n + 1}: the band's text is not shown in its colour by both")
        title = next(line for line in lines[n] if line.role.endswith(".title"))
        box = (round(title.x), round(title.baseline - title.size), round(title.x + title.width), round(title.baseline))
        if not any(_near(tuple(int(c) for c in row), TEXT) for row in np.asarray(shown.crop(box)).reshape(-1, 3)):
            problems.append(f"slide {n + 1}: LibreOffice does not show the title in the template's text colour")
    assert not problems, "\n".join(problems)


@pytest.mark.slow  # a narrated build with a video (espeak, ffmpeg): a few seconds
def test_a_build_with_a_video_says_once_which_template_shapes_it_leaves_out(tmp_path: Path) -> None:
    from deliver.pipeline import BuildOptions, build

    template = make_org_template(tmp_path / "free-form.pptx", undrawable=True)
    speech = Path(__file__).resolve().parent / "speeches" / "zh-dun-paren.txt"
    options = BuildOptions(out_dir=tmp_path / "out", theme=str(template), engine="espeak", video=True,
                           video_size=(320, 180), zip=False, embed=False)  # fmt: skip
    result = build(speech, options)
    said = [n.message for n in result.notices if "not drawn in the video" in n.message]
    assert said == ["1 template shape is not drawn in the video (1 custom shape)"]
    assert (result.folder / "video.mp4").stat().st_size > 0
