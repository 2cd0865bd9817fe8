"""Rendered decks reopened with python-pptx: slides, notes, East-Asian fonts, templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu
from samples import en_speech, stress_speech, zh_speech

from deliver.model import Speech
from deliver.slides import Deck, ooxml, plan_deck, render_deck
from deliver.slides.theme import Theme, list_themes, load_theme

THEMES = [name for name, _ in list_themes()]


def make_template(path: Path, *, notes_body: bool = True) -> Path:
    """python-pptx's default template made 16:9, with one slide (to be removed); optionally with a
    notes master that has no body placeholder."""
    prs = Presentation()
    shapes = [s for owner in [prs.slide_master, *prs.slide_layouts] for s in owner.placeholders]
    saved = [(s.left, s.top, s.width, s.height) for s in shapes]
    for shape, (x, y, w, h) in zip(shapes, saved, strict=True):
        shape.left, shape.top, shape.width, shape.height = Emu(x * 4 // 3), y, Emu(w * 4 // 3), h
    prs.slide_width = Emu(prs.slide_width * 4 // 3)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "TEMPLATE SLIDE"
    if not notes_body:
        master = prs.notes_master
        for placeholder in list(master.placeholders):
            if placeholder.placeholder_format.type is not None and "BODY" in str(placeholder.placeholder_format.type):
                placeholder._element.getparent().remove(placeholder._element)
    prs.save(str(path))
    return path


def render(speech: Speech, theme: Theme, path: Path) -> tuple[Deck, Presentation]:
    deck, _ = plan_deck(speech, theme)
    render_deck(deck, theme, path)
    return deck, Presentation(str(path))


def slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text)


@pytest.fixture(params=[*THEMES, "template"])
def theme(request, tmp_path: Path) -> Theme:
    if request.param == "template":
        return load_theme(str(make_template(tmp_path / "org template.pptx")))
    return load_theme(request.param)


@pytest.mark.parametrize("speech_factory", [zh_speech, en_speech, stress_speech])
def test_the_reopened_deck_has_the_planned_slides_notes_and_east_asian_fonts(
    theme: Theme, speech_factory, tmp_path: Path
) -> None:
    speech = speech_factory()
    deck, prs = render(speech, theme, tmp_path / "deck 字.pptx")
    assert len(prs.slides) == len(deck.slides)
    for planned, slide in zip(deck.slides, prs.slides, strict=True):
        for block in planned.blocks:
            for lines in block.paragraphs:
                assert "\v".join(lines) in slide_text(slide)
        if planned.kind == "point":
            assert slide.has_notes_slide
            assert slide.notes_slide.notes_text_frame.text == planned.notes
            assert (
                planned.notes == speech.points[planned.point_index].text
                or speech.points[planned.point_index].headline in planned.notes
            )
        runs = slide._element.findall(".//" + qn("a:r"))
        assert runs and all(r.find(qn("a:rPr")).find(qn("a:ea")) is not None for r in runs)


def test_runs_name_latin_ea_and_cs_in_schema_order(tmp_path: Path) -> None:
    theme = load_theme("official")
    _, prs = render(zh_speech(), theme, tmp_path / "deck.pptx")
    seen = set()
    for slide in prs.slides:
        for rpr in slide._element.iter(qn("a:rPr")):
            fonts = [c.tag for c in rpr if c.tag in (qn("a:latin"), qn("a:ea"), qn("a:cs"))]
            assert fonts == [qn("a:latin"), qn("a:ea"), qn("a:cs")]
            seen.add(rpr.find(qn("a:ea")).get("typeface"))
            assert rpr.get("lang") == "zh-CN"
    assert seen == {"SimHei", "FangSong"}


def test_the_theme_parts_name_east_asian_major_and_minor_fonts(tmp_path: Path) -> None:
    _, prs = render(zh_speech(), load_theme("official"), tmp_path / "deck.pptx")
    blob = prs.slide_master.part.part_related_by(RT.THEME).blob
    fonts = ooxml.read_theme_fonts(blob)
    assert (fonts.major_ea, fonts.minor_ea) == ("SimHei", "FangSong")
    assert (fonts.major_latin, fonts.minor_latin) == ("Arial", "Times New Roman")


def test_slides_are_16_by_9_and_text_boxes_wrap_without_autofit(tmp_path: Path) -> None:
    _, prs = render(en_speech(), load_theme("default"), tmp_path / "deck.pptx")
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                body = shape.text_frame._txBody.find(qn("a:bodyPr"))
                assert body.get("wrap") == "square" and body.find(qn("a:noAutofit")) is not None


def test_a_template_deck_drops_the_template_slides_and_uses_its_layouts(tmp_path: Path) -> None:
    theme = load_theme(str(make_template(tmp_path / "org.pptx")))
    deck, prs = render(zh_speech(), theme, tmp_path / "deck.pptx")
    assert len(prs.slides) == len(deck.slides)
    assert all("TEMPLATE SLIDE" not in slide_text(s) for s in prs.slides)
    layouts = [s.slide_layout.name for s in prs.slides]
    assert layouts[0] == "Title Slide" and layouts[1] == "Title and Content"
    assert layouts[[s.kind for s in deck.slides].index("section")] == "Section Header"
    assert all(s.placeholders for s in prs.slides)


def test_a_template_whose_notes_master_has_no_body_still_gets_notes(tmp_path: Path) -> None:
    theme = load_theme(str(make_template(tmp_path / "org.pptx", notes_body=False)))
    speech = zh_speech()
    deck, prs = render(speech, theme, tmp_path / "deck.pptx")
    point = next(i for i, s in enumerate(deck.slides) if s.kind == "point")
    frame = prs.slides[point].notes_slide.notes_text_frame
    assert frame is not None and frame.text == speech.points[0].text


def test_render_writes_exactly_the_given_path(tmp_path: Path) -> None:
    target = tmp_path / "out" / "(空 格)!.pptx"
    target.parent.mkdir()
    deck, _ = plan_deck(en_speech(), load_theme("default"))
    render_deck(deck, load_theme("default"), target)
    assert [p.name for p in target.parent.iterdir()] == ["(空 格)!.pptx"]


def _rpr(xml: str = "") -> etree._Element:
    from pptx.oxml import parse_xml

    return parse_xml(f'<a:rPr xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">{xml}</a:rPr>')


def test_set_run_fonts_replaces_old_fonts_and_keeps_fill_first() -> None:
    rpr = _rpr(
        '<a:solidFill><a:srgbClr val="FF0000"/></a:solidFill><a:ea typeface="Old"/><a:sym typeface="Wingdings"/>'
    )
    ooxml.set_run_fonts(rpr, "Arial", "SimHei", "zh-CN")
    assert [etree.QName(c).localname for c in rpr] == ["solidFill", "latin", "ea", "cs", "sym"]
    assert rpr.find(qn("a:ea")).get("typeface") == "SimHei" and rpr.find(qn("a:ea")).get("charset") == "-122"


def test_set_theme_fonts_fills_ea_and_hans_but_may_keep_latin() -> None:
    blob = Presentation().slide_master.part.part_related_by(RT.THEME).blob
    fonts = ooxml.read_theme_fonts(
        ooxml.set_theme_fonts(blob, ("Arial", "SimHei"), ("Arial", "FangSong"), keep_latin=True)
    )
    assert fonts.major_latin == "Calibri" and fonts.major_ea == fonts.major_hans == "SimHei"
    assert fonts.minor_ea == fonts.minor_hans == "FangSong"
