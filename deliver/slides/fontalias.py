"""The per-user fontconfig file that makes a Linux machine (Kylin, UOS, Debian …) show the Windows and
macOS 公文 font names — FangSong, 仿宋, 仿宋_GB2312, KaiTi, SimHei, 微软雅黑, SimSun … — in the best
face of the same style it has installed (方正仿宋_GBK where present, else Noto Serif CJK SC; 黑体 in a
sans), for every deck shown there, also decks made elsewhere.

Each name gets an `<alias binding="same">` with `<accept>`: the installed faces are tried right after the
name itself and before fontconfig's default (sans) list, and as strongly as the name — so a machine that
later gets the real FangSong shows it, and the file never has to change then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from deliver.errors import MissingTool, OutputError
from deliver.files import write_text
from deliver.slides.fontmatch import CJK_SANS, CJK_SERIF, has_fontconfig, installed_families, key

FILE_NAME: Final = "60-deliver-cjk.conf"
"""In `$XDG_CONFIG_HOME/fontconfig/conf.d/`, which fontconfig's 50-user.conf reads."""

_FANGSONG_FACES: Final = ("FZFangSong-Z02", "方正仿宋_GBK", "FZFangSong-Z02S", "方正仿宋简体")
_KAI_FACES: Final = ("FZKai-Z03", "方正楷体_GBK", "FZKai-Z03S", "方正楷体简体", "AR PL UKai CN", "AR PL UKai")
_SONG_FACES: Final = ("FZShuSong-Z01", "方正书宋_GBK", "FZShuSong-Z01S", "方正书宋简体")
_HEI_FACES: Final = ("FZHei-B01", "方正黑体_GBK", "FZHei-B01S", "方正黑体简体")
_SERIF: Final = CJK_SERIF
_SANS: Final = CJK_SANS

STYLES: Final[tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = (
    ("仿宋", ("FangSong", "仿宋", "仿宋_GB2312", "FangSong_GB2312", "STFangsong", "华文仿宋"),
     (*_FANGSONG_FACES, *_SERIF)),
    ("楷体", ("KaiTi", "楷体", "楷体_GB2312", "KaiTi_GB2312", "STKaiti", "华文楷体", "Kaiti SC"),
     (*_KAI_FACES, *_SERIF)),
    ("宋体", ("SimSun", "宋体", "NSimSun", "新宋体", "STSong", "华文宋体", "Songti SC", "STZhongsong", "华文中宋"),
     (*_SONG_FACES, *_SERIF)),
    ("小标宋", ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
     ("FZXiaoBiaoSong-B05", "FZXiaoBiaoSong-B05S", *_SONG_FACES, *_SERIF)),
    ("黑体", ("SimHei", "黑体", "STHeiti", "华文黑体", "Heiti SC"), (*_HEI_FACES, *_SANS)),
    ("雅黑", ("Microsoft YaHei", "微软雅黑", "Microsoft YaHei UI", "PingFang SC", "苹方-简", "Hiragino Sans GB",
            "DengXian", "等线"), _SANS),
)  # fmt: skip
"""(style, names decks carry for it, faces that show it — best first)."""


@dataclass(frozen=True)
class Alias:
    """One name and the installed faces fontconfig is told to show for it, best first."""

    name: str
    style: str
    faces: tuple[str, ...]


@dataclass(frozen=True)
class AliasFile:
    """What `install_aliases` did."""

    path: Path
    aliases: tuple[Alias, ...]
    changed: bool
    """False when the file already said exactly this (nothing written)."""


def aliases(families: frozenset[str]) -> tuple[Alias, ...]:
    """The aliases worth writing on a machine with `families` (keys, see `fontmatch.key`): names it
    lacks, each to the faces of its style it has; a style with no installed face is left out."""
    found = []
    for style, names, faces in STYLES:
        have = tuple(dict.fromkeys(f for f in faces if key(f) in families))
        if have:
            found += [Alias(name, style, have) for name in names if key(name) not in families]
    return tuple(found)


def alias_conf(found: tuple[Alias, ...]) -> str:
    """The fontconfig XML for `found`."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        # No "--" inside an XML comment: the option names are spelled out without their dashes.
        "<!-- Written by deliver (deliver fonts, install-aliases): Windows/macOS Chinese font names shown",
        "     in the installed face of the same style. deliver fonts, remove-aliases, deletes it. -->",
        "<fontconfig>",
    ]
    for alias in found:
        accept = "".join(f"<family>{escape(face)}</family>" for face in alias.faces)
        lines.append(f'  <alias binding="same"><family>{escape(alias.name)}</family><accept>{accept}</accept></alias>')
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def alias_path(config_home: Path | None = None) -> Path:
    """Where the file goes: `$XDG_CONFIG_HOME` (else ~/.config) `/fontconfig/conf.d/FILE_NAME`."""
    home = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return home / "fontconfig" / "conf.d" / FILE_NAME


def _families() -> frozenset[str]:
    families = installed_families() if has_fontconfig() else None
    if families is None:
        raise MissingTool(
            "fontconfig (fc-list, fc-match) is not here: font aliases are for Linux, Kylin and UOS "
            "(on Windows and macOS PowerPoint and WPS find FangSong themselves)"
        )
    return families


def install_aliases(config_home: Path | None = None) -> AliasFile:
    """Write the alias file for the faces installed here; unchanged when it already says that.

    Raises MissingTool without fontconfig or without a Chinese face to alias to, OutputError when the file cannot be written."""
    path = alias_path(config_home)
    found = aliases(_families())
    if not found:  # an empty alias file would change nothing and look like a fix
        raise MissingTool("no Chinese serif or sans face is installed to alias to: install one "
                          "(Debian/Ubuntu: apt-get install fonts-noto-cjk); nothing was written")  # fmt: skip
    text = alias_conf(found)
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return AliasFile(path, found, changed=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return AliasFile(path, found, changed=True)


def remove_aliases(config_home: Path | None = None) -> Path | None:
    """Remove the alias file; the path removed, or None when there was none. OutputError if it stays."""
    path = alias_path(config_home)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot remove {path}: {exc.strerror or exc}") from None
    return path
