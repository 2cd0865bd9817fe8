"""The web app ships inside the wheel (its page, script and styles) and costs other commands nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_packaging import ROOT, names_in, wheel

__all__ = ["wheel"]  # the session's wheel fixture, built once (tests/test_packaging.py)


def test_the_wheel_ships_the_web_page_script_and_styles(wheel: Path) -> None:
    static = sorted(p.name for p in (ROOT / "deliver" / "web" / "static").iterdir() if p.is_file())
    assert {"index.html", "app.js", "app.css"} <= set(static)
    assert {f"deliver/web/static/{name}" for name in static} <= names_in(wheel)


def test_other_commands_never_import_the_web_stack() -> None:
    probe = (
        "import json, sys; from deliver import cli, pipeline; "
        "print(json.dumps([m for m in ('starlette', 'uvicorn', 'httpx', 'deliver.web') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
