"""README command 2: run the test suite (sets up .venv with the test extras on first run).

Fails when any test fails and when no test ran at all (pytest's exit code 5).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".ci"))

from bootstrap import ROOT, ensure

if __name__ == "__main__":
    python = ensure("test")
    code = subprocess.run([str(python), "-m", "pytest", *sys.argv[1:]], cwd=ROOT).returncode
    if code == 5:
        print("error: no tests ran", file=sys.stderr)
        code = 1
    sys.exit(code)
