"""What LibreOffice really draws the official theme's Chinese in: per text box of the deck, the style
(serif or sans) of the glyphs in its PDF, for the default deck with and without the alias file of
`deliver fonts --install-aliases`, and for a `--deck-fonts installed` deck."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from samples import zh_speech

from deliver.slides import plan_deck, render_deck
from deliver.slides.fontalias import install_aliases
from deliver.slides.fontmatch import deck_faces, has_fontconfig, installed_families, key
from deliver.slides.theme import load_theme

pytestmark = pytest.mark.viewer
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

if SOFFICE is None:
    pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-impress", allow_module_level=True)
if not has_fontconfig():
    pytest.skip("fontconfig is not here: LibreOffice on Linux asks it for fonts", allow_module_level=True)
_FAMILIES = installed_families() or frozenset()
if not {key("Noto Serif CJK SC"), key("Noto Sans CJK SC")} <= _FAMILIES:
    pytest.skip("Noto Serif/Sans CJK SC are not installed: apt-get install fonts-noto-cjk", allow_module_level=True)
pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is needed to read which font drew each glyph")


def _convert(decks: list[Path], config_home: Path) -> None:
    """PDFs beside `decks`, by one soffice run with its own profile and `config_home` as XDG_CONFIG_HOME."""
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "HOME": str(config_home)}
    env.pop("FONTCONFIG_FILE", None)
    try:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(decks[0].parent), *map(str, decks)],
                       check=True, capture_output=True, timeout=300, env=env)  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def drawn_styles(pptx: Path) -> dict[str, set[str]]:
    """East-Asian typeface a text box's runs name → the styles LibreOffice drew its Chinese glyphs in."""
    styles: dict[str, set[str]] = defaultdict(set)
    prs = Presentation(str(pptx))
    with pdfplumber.open(pptx.with_suffix(".pdf")) as pdf:
        for slide, page in zip(prs.slides, pdf.pages, strict=True):
            for shape in slide.shapes:
                faces = {ea.get("typeface") for ea in shape._element.iter(qn("a:ea"))}
                if len(faces) != 1:
                    continue
                face = faces.pop()
                x0, top = shape.left / 12700, shape.top / 12700
                x1, bottom = x0 + shape.width / 12700, top + shape.height / 12700
                for c in page.chars:
                    if _is_cjk(c["text"]) and x0 - 3 <= c["x0"] <= x1 + 3 and top - 3 <= c["top"] <= bottom + 3:
                        styles[face].add("serif" if "serif" in c["fontname"].lower() else "sans")
    return dict(styles)


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The official theme's deck as built by default (bare machine, and with the aliases) and `installed`."""
    folder = tmp_path_factory.mktemp("fonts-viewer")
    bare, aliased = folder / "bare-config", folder / "aliased-config"
    bare.mkdir()
    install_aliases(aliased)
    made = {}
    for name, mode in (("windows", "windows"), ("windows-aliased", "windows"), ("installed", "installed")):
        theme, _ = deck_faces(load_theme("official"), mode)
        deck, _ = plan_deck(zh_speech(), theme)
        render_deck(deck, theme, folder / f"{name}.pptx")
        made[name] = folder / f"{name}.pptx"
    _convert([made["windows"], made["installed"]], bare)
    _convert([made["windows-aliased"]], aliased)
    return made


def test_on_a_bare_linux_machine_libreoffice_shows_the_fangsong_body_in_a_sans(decks: dict[str, Path]) -> None:
    """Why the rest exists: the PowerPoint-exact deck's 仿宋 body comes out in fontconfig's default sans."""
    assert drawn_styles(decks["windows"]) == {"SimHei": {"sans"}, "FangSong": {"sans"}}


def test_with_the_aliases_libreoffice_shows_the_same_deck_body_in_a_serif(decks: dict[str, Path]) -> None:
    assert drawn_styles(decks["windows-aliased"]) == {"SimHei": {"sans"}, "FangSong": {"serif"}}


def test_an_installed_deck_shows_its_body_in_a_serif_and_titles_in_a_sans(decks: dict[str, Path]) -> None:
    assert drawn_styles(decks["installed"]) == {"Noto Sans CJK SC": {"sans"}, "Noto Serif CJK SC": {"serif"}}
