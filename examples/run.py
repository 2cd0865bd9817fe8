"""README command 1: build the sample speech's package into output/ (sets up .venv on first run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / ".ci"))

from bootstrap import ROOT, ensure  # noqa: E402

if __name__ == "__main__":
    python = ensure()
    speech = sys.argv[1] if len(sys.argv) > 1 else str(HERE / "zh-organization-meeting.txt")
    command = [str(python), "-m", "deliver", "build", speech, "--out", str(ROOT / "output"), *sys.argv[2:]]
    sys.exit(subprocess.run(command, cwd=ROOT).returncode)
