"""Create or reuse the project's virtual environment (.venv) with the project installed.

Used by the two README commands (examples/run.py, tests/run.py); stdlib only, so it runs before
anything is installed. Reinstalls only when pyproject.toml or the requested extras change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure(extras: str = "") -> Path:
    """The venv's python, with `deliver` (and `extras`) installed. Exits with a message on failure."""
    if sys.version_info < (3, 10):  # noqa: UP036 - runs under whatever python3 the user has
        sys.exit(f"error: deliver needs Python 3.10 or newer (this is {sys.version.split()[0]})")
    python = venv_python()
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)} …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / ".deliver-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    done = stamp.read_text().split() if stamp.exists() else []
    if want not in done:
        print(f"installing deliver{spec[1:]} into {VENV.relative_to(ROOT)} (first run only) …", file=sys.stderr)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        try:
            subprocess.run([*pip, "-e", spec], cwd=ROOT, check=True)
        except subprocess.CalledProcessError as exc:
            sys.exit(f"error: installing the project failed (pip exit code {exc.returncode}); see pip's message above")
        # One line per installed set of extras: the README's two commands do not reinstall each other's.
        stamp.write_text("\n".join([*done, want]) + "\n")
    return python
