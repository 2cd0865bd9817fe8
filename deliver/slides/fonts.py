"""The font files slide pictures and burned subtitles are drawn with: Noto CJK from PyPI (the `video`
extra), so a picture looks the same on every machine whatever fonts the system has.

- `pylopdf-fonts-zh-cn` (OFL-1.1, 17 MB wheel): static Noto Sans SC and Noto Serif SC Regular — the
  body faces (serif for 仿宋/宋体 themes) and the one libass burns subtitles with (a static face:
  libass would take a variable font's default instance, Thin).
- `manimgx-fonts-cjk` (OFL-1.1, 20 MB wheel): Noto Sans CJK as a variable font — the bold titles
  (weight axis at 700). No PyPI package here ships a static Sans SC Bold or a Serif SC at all but these.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from deliver.errors import MissingTool

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

Face = Literal["sans", "serif", "sans-bold"]
SERIF_HINTS: Final = ("song", "fang", "kai", "ming", "serif", "宋", "仿", "楷", "明")
"""Names of East-Asian faces that are serif (宋体, 仿宋, 楷体, 明朝): drawn in Noto Serif SC."""
SUBTITLE_FONT: Final = "Noto Sans SC"
"""Family name of the static sans face, as libass looks it up in `font_folder()`."""
_SC_INDEX: Final = 2
"""Noto Sans CJK SC within manimgx's collection (JP, KR, SC, TC, HK)."""
_HINT: Final = "pip install 'deliver[video]' (Noto CJK fonts from PyPI: pylopdf-fonts-zh-cn, manimgx-fonts-cjk)"


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise MissingTool(f"the fonts to draw slides are not installed: {_HINT}")
    return Path(spec.origin).parent


def font_folder() -> Path:
    """The folder holding the static Noto Sans SC / Serif SC files (libass's `fontsdir`)."""
    return _package_dir("pylopdf_fonts_zh_cn")


def font_file(face: Face) -> Path:
    """The file of `face`. Raises MissingTool naming the extra when the fonts are absent."""
    if face == "sans-bold":
        return _package_dir("manimgx_fonts_cjk") / "NotoSansCJK-VF.otf.ttc"
    name = "NotoSerifSC-Regular.otf" if face == "serif" else "NotoSansSC-Regular.otf"
    return font_folder() / name


def check_fonts() -> None:
    """Raise MissingTool (naming the extra) now, before a long build, when the fonts are absent."""
    faces: tuple[Face, ...] = ("sans", "serif", "sans-bold")
    for face in faces:
        if not font_file(face).is_file():
            raise MissingTool(f"{font_file(face).name} is missing from its package: {_HINT}")


def is_serif(names: tuple[str, ...]) -> bool:
    """Whether the first East-Asian face of a theme's chain is a serif one (仿宋, 宋体, …)."""
    return any(hint in names[0].lower() for hint in SERIF_HINTS) if names else False


@lru_cache(maxsize=64)
def font(face: Face, pixels: int) -> FreeTypeFont:
    """`face` at `pixels` px (remembered: a deck uses a handful of sizes)."""
    from PIL import ImageFont

    path = font_file(face)
    if face == "sans-bold":
        loaded = ImageFont.truetype(str(path), pixels, index=_SC_INDEX)
        loaded.set_variation_by_axes([700])
        return loaded
    return ImageFont.truetype(str(path), pixels)
