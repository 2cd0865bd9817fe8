"""The wheel is what a user installs: it must carry every built-in theme and the rehearsal page
template, and deliver must find them there once unpacked, far from the checkout.

The wheel is built once per session with the backend installed in the test venv (the `test` extra
has hatchling), without build isolation, so the test needs no package index. `.ci/wheel_check.py`
goes further: a clean venv, the real dependencies, the `deliver` command run from elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="the build backend is not installed: pip install -e .[test]")
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)]
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    (built,) = dist.glob("deliver-*.whl")
    return built


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_ships_every_builtin_theme_inside_the_package(wheel: Path) -> None:
    themes = sorted(p.name for p in (ROOT / "themes").iterdir() if p.is_file())
    assert themes, "themes/ is empty"
    shipped = names_in(wheel)
    assert {f"deliver/themes/{name}" for name in themes} <= shipped
    assert not any(name.startswith("themes/") for name in shipped), "themes/ must not land beside the package"


def test_the_wheel_ships_the_page_templates_and_the_type_marker(wheel: Path) -> None:
    templates = sorted(p.name for p in (ROOT / "deliver" / "package" / "templates").iterdir() if p.is_file())
    assert "rehearsal.html" in templates
    assert {f"deliver/package/templates/{name}" for name in templates} | {"deliver/py.typed"} <= names_in(wheel)


def test_the_wheel_ships_every_module_and_no_tests(wheel: Path) -> None:
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "deliver").rglob("*.py")}
    shipped = names_in(wheel)
    assert modules <= shipped
    assert not any(name.startswith(("tests/", "examples/", "bench/")) or "__pycache__" in name for name in shipped)


def test_the_wheel_declares_the_version_written_in_pyproject(wheel: Path) -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert wheel.name.startswith(f"deliver-{declared}-")


def test_an_unpacked_wheel_finds_its_own_themes_and_template(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # what pip does to a pure-Python wheel
    probe = (
        "import json; from importlib.resources import files; import deliver; "
        "from deliver.slides.theme import THEMES_DIR, list_themes, load_theme; "
        "page = files('deliver.package').joinpath('templates', 'rehearsal.html').read_text(encoding='utf-8'); "
        "print(json.dumps({'module': deliver.__file__, 'dir': str(THEMES_DIR), "
        "'themes': [n for n, _ in list_themes()], 'default': load_theme('default').name, 'page': len(page)}))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}  # the unpacked wheel, not the checkout
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["module"]).is_relative_to(site)
    assert Path(found["dir"]) == site / "deliver" / "themes"
    assert found["themes"] == sorted(p.stem for p in (ROOT / "themes").glob("*.toml"))
    assert found["default"] == "default" and found["page"] > 0


def test_version_comes_from_the_installed_metadata() -> None:
    from importlib.metadata import version

    import deliver

    assert deliver.__version__ == version("deliver")
