"""Stage boundaries: each stage package is used through its face, never through another stage's
private names, and importing a face stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import deliver

PACKAGE = Path(deliver.__file__).resolve().parent
STAGES = ("speech", "timing", "slides", "voices", "audio", "package")
HEAVY = ("jieba", "pptx", "pydub", "numpy", "lxml", "mutagen")
ALLOWED = {
    # The engines (voices/, helper `engine`'s) split and test text with speech's rules module directly.
    ("voices", "deliver.speech.text"),
    ("voices", "deliver.speech.words"),
    # The voices face does not name the engine contract's value type yet; audio needs it for types only.
    ("audio", "deliver.voices.base"),
    # The narration layer is not named by the voices face yet; pipeline wires it (cli/said.py reads the
    # lexicon as a build would).
    (None, "deliver.voices.narrate"),
    (None, "deliver.voices.lexicon"),
    (None, "deliver.voices.eta"),  # the narration's forecast and progress, beside narrate (and cli/progress.py)
    # `deliver said` and timing.md's list of spots to confirm are the narration layer's preview (what
    # narrate gives each engine, with Kokoro's pinyin): wired by cli/said.py and pipeline like narrate, and
    # kept out of the voices face, which every build imports, because it reaches into the engines' g2p.
    (None, "deliver.voices.said"),
}
"""(importing stage, or None for a top-level module such as pipeline or one of the cli/ package, imported
module): known module imports across a boundary."""


def _imports() -> list[tuple[str, str, list[str]]]:
    """(importing module, imported module, names) for every `from deliver… import …` in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(("deliver", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("deliver."):
                found.append((module, node.module, [a.name for a in node.names]))
    return found


def _stage(module: str) -> str | None:
    part = module.split(".")[1]
    return part if part in STAGES else None


def test_no_module_imports_a_private_name_of_another_module() -> None:
    private = [(m, t, n) for m, t, names in _imports() for n in names if n.startswith("_") and t != m]
    assert private == []


def test_stages_reach_each_other_only_through_their_faces() -> None:
    crossing = []
    for module, target, _ in _imports():
        source, destination = _stage(module), _stage(target)
        if destination is None or source == destination or target == f"deliver.{destination}":
            continue
        if (source, target) not in ALLOWED:
            crossing.append(f"{module} imports {target}")
    assert crossing == []


@pytest.mark.parametrize("face", [f"deliver.{s}" for s in STAGES if s != "voices"] + ["deliver.cli"])
def test_importing_a_face_loads_no_heavy_library(face: str) -> None:
    probe = f"import json, sys, {face}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_chinese_words_and_readings_load_without_pkg_resources() -> None:
    """jieba imports pkg_resources when it can: 0.12 s of every process, and a Ctrl-C landing in it left
    pyparsing objects whose finalizers printed a traceback under "error: interrupted"."""
    probe = (
        "import sys\nfrom deliver.speech.words import cut\nfrom deliver.voices.lexicon import _homophone_index\n"
        "assert cut('同志们，要认真学习') == ('同志', '们', '，', '要', '认真学习')\n"
        "assert _homophone_index()\nprint('pkg_resources' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_slides_face_gives_the_renderer_when_asked() -> None:
    from deliver import slides
    from deliver.slides.render import render_deck

    assert slides.render_deck is render_deck
    with pytest.raises(AttributeError):
        _ = slides.no_such_name
