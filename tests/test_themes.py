"""Themes are data: named TOML files, TOML paths and template .pptx paths, validated when built."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation

from deliver.errors import ThemeError
from deliver.slides.theme import DEFAULT_THEME, THEMES_DIR, Palette, Sizes, Theme, list_themes, load_theme


def test_it_lists_the_shipped_themes_with_one_line_descriptions() -> None:
    themes = dict(list_themes())
    assert {"default", "official", "dark"} <= set(themes)
    assert DEFAULT_THEME in themes
    assert all(d and "\n" not in d and not d.startswith("(broken") for d in themes.values())


@pytest.mark.parametrize("name", [n for n, _ in list_themes()])
def test_every_shipped_theme_loads_by_name_and_sets_east_asian_fonts(name: str) -> None:
    theme = load_theme(name)
    assert theme.name == name
    assert theme.fonts.title_ea and theme.fonts.body_ea
    assert theme.width / theme.height == pytest.approx(16 / 9)


def test_the_official_theme_is_red_and_gold_with_hei_titles_and_fangsong_body() -> None:
    theme = load_theme("official")
    assert theme.accents.title_band and theme.palette.accent == "B30000" and theme.palette.accent2 == "E6B422"
    assert theme.fonts.title_ea[0] == "SimHei" and "黑体" in theme.fonts.title_ea
    assert theme.fonts.body_ea[0] == "FangSong" and "仿宋" in theme.fonts.body_ea


def test_it_loads_a_toml_by_path(tmp_path: Path) -> None:
    path = tmp_path / "主题 (mine).toml"
    path.write_text('description = "Mine"\n[colors]\naccent = "#00aa00"\n[sizes]\nbody = [16, 24]\n', encoding="utf-8")
    theme = load_theme(str(path))
    assert theme.name == "主题 (mine)" and theme.palette.accent == "00AA00" and theme.sizes.body == (16.0, 24.0)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('description = "x"\ncolour = 1\n', "unknown key 'colour'"),
        ('description = "x"\n[colors]\naccentt = "FF0000"\n', "unknown key colors.accentt"),
        ('description = "x"\n[colors]\naccent = "red"\n', "is not a colour"),
        ('description = "x"\n[sizes]\nbody = [30, 20]\n', "sizes.body"),
        ('description = "x"\n[fonts]\nbody_ea = []\n', "fonts.body_ea"),
        ('description = "x"\n[text]\nbullet = "••"\n', "text.bullet"),
        ('[colors]\naccent = "FF0000"\n', "needs description"),
        ('description = "x"\n[margins]\nleft = 400\n', "margins.left"),
        ('description = "x"\ntemplate = "missing.pptx"\n', "cannot open template"),
        ("description = 'x\n", "not valid TOML"),
    ],
)
def test_it_rejects_bad_theme_files_with_a_one_line_fix(tmp_path: Path, toml: str, says: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ThemeError, match=says.replace("(", r"\(").replace("[", r"\[")) as info:
        load_theme(str(path))
    assert "\n" not in str(info.value)


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ThemeError, match=r"use one of .*default.*official"):
        load_theme("no-such-theme")


@pytest.mark.parametrize("bad", ["../default", "missing.toml", "missing.pptx"])
def test_paths_that_do_not_exist_are_theme_errors(bad: str) -> None:
    with pytest.raises(ThemeError):
        load_theme(bad)


def test_values_are_validated_when_built_in_code_too() -> None:
    with pytest.raises(ThemeError):
        Palette(text="12345")
    with pytest.raises(ThemeError):
        Sizes(footer=2)
    with pytest.raises(ThemeError):
        Theme(name="x", description="two\nlines")


def test_a_template_pptx_is_a_theme(tmp_path: Path) -> None:
    path = tmp_path / "org.pptx"
    Presentation().save(str(path))
    theme = load_theme(str(path))
    assert theme.template == path.resolve()
    assert theme.palette.accent is None  # colours come from the template
    assert theme.fonts.title_latin == "Calibri" and theme.fonts.title_ea[0] == "Microsoft YaHei"
    assert (theme.width, theme.height) == (720.0, 540.0)
    boxes = theme.template_boxes or {}
    assert {"title.title", "point.title", "point.body", "section.title", "agenda.body"} <= set(boxes)
    assert boxes["point.body"].layout == 1 and boxes["point.body"].placeholder == 1


def test_a_toml_may_name_a_template_next_to_it(tmp_path: Path) -> None:
    Presentation().save(str(tmp_path / "org.pptx"))
    (tmp_path / "org.toml").write_text(
        'description = "Org"\ntemplate = "org.pptx"\n[sizes]\nbody = [16, 26]\n', encoding="utf-8"
    )
    theme = load_theme(str(tmp_path / "org.toml"))
    assert theme.template == (tmp_path / "org.pptx").resolve() and theme.sizes.body == (16.0, 26.0)


def test_a_file_that_is_not_a_pptx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.pptx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ThemeError, match="cannot open template"):
        load_theme(str(path))


def test_themes_folder_is_the_repository_one() -> None:
    assert Path(__file__).resolve().parent.parent / "themes" == THEMES_DIR
