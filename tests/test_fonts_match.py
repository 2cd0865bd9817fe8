"""The East-Asian face a deck names per role (`--deck-fonts`), what this machine's fontconfig shows for
it, the alias file of `deliver fonts --install-aliases`, the build's notice and `deliver fonts`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from samples import zh_speech

from deliver.errors import MissingTool, OptionError
from deliver.pipeline import BuildOptions, build
from deliver.slides import fontalias, ooxml, plan_deck, render_deck
from deliver.slides.fontalias import alias_conf, aliases, install_aliases, remove_aliases
from deliver.slides.fontmatch import (
    RoleFont,
    deck_faces,
    first_installed,
    has_fontconfig,
    installed_families,
    key,
    mismatch_notice,
    shown_face,
    with_deck_fonts,
)
from deliver.slides.fonts import is_serif
from deliver.slides.theme import load_theme

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
needs_fontconfig = pytest.mark.skipif(not has_fontconfig(), reason="fontconfig (fc-list, fc-match) is not here")


def _families(*names: str) -> frozenset[str]:
    return frozenset(key(n) for n in names)


def test_windows_keeps_the_themes_first_names_whatever_is_installed() -> None:
    theme = load_theme("official")
    assert with_deck_fonts(theme, "windows", _families("Noto Serif CJK SC")) is theme


def test_installed_names_the_first_face_of_each_chain_this_machine_has() -> None:
    theme = load_theme("official")
    chosen = with_deck_fonts(theme, "installed", _families("noto serif cjk sc", "NotoSansCJKSC", "Heiti SC"))
    assert chosen.fonts.title_ea[0] == "Heiti SC"  # before Noto Sans CJK SC in the chain
    assert chosen.fonts.body_ea[0] == "Noto Serif CJK SC"
    assert sorted(chosen.fonts.body_ea) == sorted(theme.fonts.body_ea)  # the rest of the chain is kept


def test_installed_falls_back_to_the_first_name_when_none_is_installed_or_we_cannot_tell() -> None:
    names = ("FangSong", "仿宋", "Noto Serif CJK SC")
    assert first_installed(names, _families("DejaVu Sans")) == "FangSong"
    assert first_installed(names, None) == "FangSong"
    assert first_installed(names, _families("仿宋")) == "仿宋"


def test_installed_keeps_the_style_of_the_first_name_when_the_chain_ends_in_another() -> None:
    """A template's chain is its own faces then the default sans ones: its 仿宋 body stays a serif."""
    template_body = ("FangSong", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC")
    assert first_installed(template_body, _families("Noto Sans CJK SC", "AR PL UMing CN")) == "AR PL UMing CN"
    assert first_installed(("SimHei", "Noto Sans CJK SC"), _families("Noto Serif CJK SC")) == "SimHei"


def test_a_serif_shown_as_a_sans_gives_one_notice_naming_both_remedies() -> None:
    fonts = (
        RoleFont("title", "SimHei", False, "Noto Sans CJK SC"),
        RoleFont("body", "FangSong", True, "Noto Sans CJK SC"),
    )
    notice = mismatch_notice(fonts, "windows")
    assert notice is not None and "\n" not in notice.message
    assert "FangSong" in notice.message and "Noto Sans CJK SC" in notice.message
    assert "--deck-fonts installed" in notice.message and "deliver fonts --install-aliases" in notice.message
    assert "SimHei" not in notice.message  # the title is shown as meant


def test_no_notice_when_every_role_is_shown_in_its_family_or_we_cannot_tell() -> None:
    fonts = (RoleFont("title", "SimHei", False, "Noto Sans CJK SC"), RoleFont("body", "FangSong", True, None))
    assert mismatch_notice(fonts, "windows") is None
    assert mismatch_notice((RoleFont("body", "FangSong", True, "FZFangSong-Z02"),), "windows") is None


def test_a_sans_shown_as_a_serif_is_a_mismatch_too() -> None:
    assert RoleFont("title", "SimHei", False, "AR PL UMing CN").mismatched


def test_aliases_map_missing_names_to_installed_faces_best_first() -> None:
    found = aliases(_families("Noto Serif CJK SC", "FZFangSong-Z02", "Noto Sans CJK SC", "SimSun"))
    by_name = {a.name: a.faces for a in found}
    assert by_name["FangSong"] == ("FZFangSong-Z02", "Noto Serif CJK SC")
    assert by_name["仿宋_GB2312"] == ("FZFangSong-Z02", "Noto Serif CJK SC")
    assert by_name["SimHei"] == ("Noto Sans CJK SC",)
    assert "SimSun" not in by_name  # installed here: never shadowed
    assert "FZFangSong-Z02" not in by_name


def test_a_style_with_no_installed_face_gets_no_alias() -> None:
    found = aliases(_families("Noto Sans CJK SC"))
    assert found and all(not is_serif((a.faces[0],)) for a in found)
    assert "FangSong" not in {a.name for a in found}


def test_the_alias_file_escapes_names_and_is_well_formed_xml() -> None:
    from lxml import etree

    text = alias_conf(aliases(_families("Noto Serif CJK SC")))
    root = etree.fromstring(text.encode("utf-8"))
    names = [a.findtext("family") for a in root.iter("alias")]
    assert "仿宋_GB2312" in names and all(a.get("binding") == "same" for a in root.iter("alias"))


def test_deck_fonts_is_checked_when_the_options_are_built() -> None:
    with pytest.raises(OptionError, match="--deck-fonts 'mac'"):
        BuildOptions(deck_fonts="mac")


def _match(name: str, config_home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(config_home), "HOME": str(config_home)}
    return subprocess.run(["fc-match", "-f", "%{family[0]}", f"{name}:lang=zh-cn"],
                          capture_output=True, text=True, env=env, check=True)  # fmt: skip


@needs_fontconfig
def test_installed_aliases_make_fontconfig_show_fangsong_in_a_serif(tmp_path: Path) -> None:
    families = installed_families()
    assert families is not None
    if not any(key(f) in families for f in ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN")):
        pytest.skip("no Chinese serif face is installed: apt-get install fonts-noto-cjk")
    done = install_aliases(tmp_path)
    assert done.changed and done.path == tmp_path / "fontconfig" / "conf.d" / "60-deliver-cjk.conf"
    for name in ("FangSong", "仿宋", "仿宋_GB2312", "KaiTi"):
        shown = _match(name, tmp_path)
        assert shown.stderr == "", shown.stderr  # fontconfig says nothing about our file: it is valid
        assert is_serif((shown.stdout,)), (name, shown.stdout)
    assert not is_serif((_match("SimHei", tmp_path).stdout,))


def test_installing_the_aliases_twice_changes_nothing_and_removing_them_undoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fontalias, "_families", lambda: frozenset({key("Noto Serif CJK SC"), key("Noto Sans CJK SC")}))
    first = install_aliases(tmp_path)
    written = first.path.read_bytes()
    again = install_aliases(tmp_path)
    assert not again.changed and again.path.read_bytes() == written
    assert remove_aliases(tmp_path) == first.path and not first.path.exists()
    assert remove_aliases(tmp_path) is None


def test_with_no_chinese_face_to_alias_to_nothing_is_written_and_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fontalias, "_families", lambda: frozenset({key("DejaVu Sans")}))
    with pytest.raises(MissingTool, match=r"no Chinese serif or sans face .* apt-get install fonts-noto-cjk"):
        install_aliases(tmp_path)
    assert not (tmp_path / "fontconfig").exists()


def _deck_fonts(path: Path) -> tuple[set[str], tuple[str, str]]:
    """Every run's `a:ea` typeface, and the theme's (major, minor) `a:ea`."""
    prs = Presentation(str(path))
    runs = {ea.get("typeface") for s in prs.slides for ea in s._element.iter(qn("a:ea"))}
    theme = ooxml.read_theme_fonts(prs.slide_master.part.part_related_by(RT.THEME).blob)
    return runs, (theme.major_ea, theme.minor_ea)


@needs_fontconfig
def test_an_installed_deck_names_this_machines_faces_in_runs_and_theme(tmp_path: Path) -> None:
    families = installed_families()
    if families is None or not {key("Noto Serif CJK SC"), key("Noto Sans CJK SC")} <= families:
        pytest.skip("Noto CJK is not installed: apt-get install fonts-noto-cjk")
    theme, _ = deck_faces(load_theme("official"), "installed")
    deck, _ = plan_deck(zh_speech(), theme)
    render_deck(deck, theme, tmp_path / "deck.pptx")
    runs, scheme = _deck_fonts(tmp_path / "deck.pptx")
    assert runs == {"Noto Sans CJK SC", "Noto Serif CJK SC"}
    assert scheme == ("Noto Sans CJK SC", "Noto Serif CJK SC")


def _built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_home: Path, **options: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    return build(SAMPLE, BuildOptions(out_dir=tmp_path / "out", audio=False, zip=False, **options))  # type: ignore[arg-type]


def _font_notices(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in result.notices if "LibreOffice/WPS here would show" in n.message]


@pytest.mark.slow
@needs_fontconfig
def test_the_default_build_names_windows_faces_and_says_once_how_to_show_them_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if is_serif((_match("FangSong", tmp_path / "none").stdout,)):
        pytest.skip("this machine already shows FangSong in a serif: there is nothing to warn about")
    result = _built(tmp_path, monkeypatch, tmp_path / "none", theme="official")
    assert _deck_fonts(result.folder / "deck.pptx") == ({"SimHei", "FangSong"}, ("SimHei", "FangSong"))
    [notice] = _font_notices(result)
    assert "body FangSong" in notice and "--deck-fonts installed" in notice
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["deck_fonts"] == "windows"
    assert manifest["fonts"]["body"] == {"latin": "Times New Roman", "ea": "FangSong"}
    assert notice in [n["message"] for n in manifest["notices"]]


@pytest.mark.slow
@needs_fontconfig
def test_no_font_notice_with_the_aliases_installed_or_an_installed_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    families = installed_families()
    if families is None or key("Noto Serif CJK SC") not in families:
        pytest.skip("Noto Serif CJK SC is not installed: apt-get install fonts-noto-cjk")
    install_aliases(tmp_path / "aliased")
    assert _font_notices(_built(tmp_path, monkeypatch, tmp_path / "aliased", theme="official")) == []
    result = _built(tmp_path, monkeypatch, tmp_path / "none", theme="official", deck_fonts="installed")
    assert _font_notices(result) == []
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fonts"]["body"]["ea"] == "Noto Serif CJK SC"


def _deliver(config_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(config_home), "HOME": str(config_home),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "deliver", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, cwd=ROOT)  # fmt: skip


@needs_fontconfig
def test_deliver_fonts_shows_each_role_and_what_this_machine_shows_then_the_fix(tmp_path: Path) -> None:
    if is_serif((_match("FangSong", tmp_path).stdout,)):
        pytest.skip("this machine already shows FangSong in a serif")
    before = _deliver(tmp_path, "fonts", "--theme", "official")
    assert before.returncode == 0, before.stderr
    rows = {tuple(re.split(r"\s{2,}", line)[:3]): line for line in before.stdout.splitlines()}
    assert "ok" in rows[("official", "title", "SimHei")]
    assert "wrong: a serif is meant" in rows[("official", "body", "FangSong")]
    assert "deliver fonts --install-aliases" in before.stdout
    installed = _deliver(tmp_path, "fonts", "--theme", "official", "--install-aliases")
    if not aliases(installed_families() or frozenset()):
        # A bare machine: nothing to alias to; one line says what to install, and no file is written.
        assert installed.returncode == 4 and installed.stdout == ""  # 4: a tool or resource is missing
        assert installed.stderr.startswith("error: no Chinese serif or sans face is installed to alias to")
        assert len(installed.stderr.splitlines()) == 1
        assert not (tmp_path / "fontconfig" / "conf.d" / "60-deliver-cjk.conf").exists()
        pytest.skip("no Chinese face to alias to: apt-get install fonts-noto-cjk")
    assert installed.returncode == 0, installed.stderr
    assert f"wrote {tmp_path / 'fontconfig' / 'conf.d' / '60-deliver-cjk.conf'}" in installed.stdout
    assert "仿宋: FangSong, 仿宋, 仿宋_GB2312" in installed.stdout
    body = next(line for line in installed.stdout.splitlines() if line.startswith("official  body"))
    assert is_serif((re.split(r"\s{2,}", body)[3],)) and body.rstrip().endswith("ok")
    assert "unchanged" in _deliver(tmp_path, "fonts", "--install-aliases").stdout


def test_deliver_fonts_refuses_an_unknown_choice_in_one_line(tmp_path: Path) -> None:
    result = _deliver(tmp_path, "fonts", "--deck-fonts", "linux")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --deck-fonts 'linux': choose windows or installed"


def test_without_fontconfig_the_deck_keeps_its_names_and_no_notice_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without fc-match (Windows, macOS, a bare container)
    theme = load_theme("official")
    assert deck_faces(theme, "installed") == (theme, ())
    assert shown_face("FangSong") is None and installed_families() is None
