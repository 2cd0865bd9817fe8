"""README command 1: build the sample speech's package into output/ (sets up .venv, with the natural
offline voices where the package registries are reachable, on first run)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / ".ci"))

from bootstrap import ROOT, ensure


def natural_voices(python: Path) -> None:
    """Install Kokoro's voices (from npm) once. When that cannot be done here, the build narrates with
    eSpeak NG and its one warning says how to install them; nothing more is said here."""
    ready = [str(python), "-c", "from deliver.pipeline import engine_folders; from deliver.voices import get_engine; "
                   "import sys; sys.exit(0 if get_engine('kokoro', engine_folders()).available() else 1)"]  # fmt: skip
    if subprocess.run(ready, cwd=ROOT, capture_output=True).returncode == 0:
        return
    print("installing Kokoro's natural voices (npm pack kokoro-js@1.2.1) …", file=sys.stderr)
    with contextlib.suppress(subprocess.TimeoutExpired):
        install = [str(python), "-m", "deliver", "voices", "install", "kokoro"]
        subprocess.run(install, cwd=ROOT, capture_output=True, timeout=300)


if __name__ == "__main__":
    python = ensure("kokoro")
    natural_voices(python)
    speech = sys.argv[1] if len(sys.argv) > 1 else str(HERE / "zh-organization-meeting.txt")
    command = [str(python), "-m", "deliver", "build", speech, "--out", str(ROOT / "output"), *sys.argv[2:]]
    sys.exit(subprocess.run(command, cwd=ROOT).returncode)
