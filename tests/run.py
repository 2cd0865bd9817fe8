"""README command 2: run the test suite (sets up .venv with the test extras on first run).

    python3 tests/run.py -q               the whole suite, as CI runs it
    python3 tests/run.py --fast           the unit tier: no test marked `slow` (whole builds, real
                                          engines, LibreOffice, Chromium); 20 s to 2 minutes
    python3 tests/run.py --regen-goldens  rewrite tests/golden/ from the current code (then review
                                          `git diff tests/golden`)

Any other argument goes to pytest. Fails when any test fails and when no test ran at all (pytest's
exit code 5).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".ci"))

from bootstrap import ROOT, ensure

FAST = ["-m", "not slow"]


def command(python: Path, argv: list[str]) -> list[str]:
    """The command line for `argv` (this script's arguments)."""
    if "--regen-goldens" in argv:
        return [str(python), str(ROOT / "tests" / "goldens.py"), *(a for a in argv if a != "--regen-goldens")]
    if "--fast" in argv:
        return [str(python), "-m", "pytest", *FAST, *(a for a in argv if a != "--fast")]
    return [str(python), "-m", "pytest", *argv]


if __name__ == "__main__":
    python = ensure("test")
    code = subprocess.run(command(python, sys.argv[1:]), cwd=ROOT).returncode
    if code == 5:
        print("error: no tests ran", file=sys.stderr)
        code = 1
    sys.exit(code)
