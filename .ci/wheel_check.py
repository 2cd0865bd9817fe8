"""CI step: deliver works as a user installs it, from the wheel, not from the checkout.

Builds the wheel, installs it into a new virtual environment in a temporary folder outside the
checkout, and from another working directory runs `deliver themes`, `deliver outline`,
`deliver build --no-audio` and `deliver build --engine espeak` on the sample speech. Any failure
exits non-zero with the command and its output. Stdlib only; run it by hand with
`python3 .ci/wheel_check.py` (`--keep` leaves the temporary folder for a look).

Dependencies come from the package index through pip's own cache, so a second run costs the
wheel build and the unpacking, not downloads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"


class CheckFailed(Exception):
    """A step of the check failed; the message says which and shows its output."""


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    """Run one command; its stdout, or CheckFailed with everything it printed."""
    started = time.monotonic()
    try:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{' '.join(args)} took more than {timeout:.0f} s") from None
    print(f"  {time.monotonic() - started:5.1f} s  {' '.join(Path(a).name if '/' in a else a for a in args)}")
    if done.returncode != 0:
        raise CheckFailed(f"{' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def clean_env(home: Path) -> dict[str, str]:
    """The caller's environment without anything that would let the checkout leak in (PYTHONPATH, an
    active venv), with deliver's cache, config and data folders inside the temporary folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    for name in ("CACHE", "CONFIG", "DATA"):
        env[f"DELIVER_{name}_DIR"] = str(home / name.lower())
    return env


def build_wheel(dist: Path, env: dict[str, str]) -> Path:
    """The project's wheel, built from the checkout by pip (the backend comes from pyproject.toml)."""
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], ROOT, env)
    wheels = sorted(dist.glob("deliver-*.whl"))
    if len(wheels) != 1:
        raise CheckFailed(f"expected one deliver wheel in {dist}, found {[w.name for w in wheels]}")
    return wheels[0]


def install(wheel: Path, where: Path, env: dict[str, str]) -> Path:
    """A new venv at `where` with the wheel and its dependencies installed; its bin folder."""
    venv.EnvBuilder(with_pip=True).create(where)
    bin_dir = where / ("Scripts" if os.name == "nt" else "bin")
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], where, env)
    return bin_dir


def check_installed(bin_dir: Path, work: Path, env: dict[str, str], expected_version: str) -> None:
    """The installed command works from a folder that is not the checkout."""
    deliver = str(bin_dir / "deliver")
    probe = "import deliver; print(deliver.__file__, deliver.__version__)"
    location, version = run([str(bin_dir / "python"), "-c", probe], work, env).split()
    if Path(location).resolve().is_relative_to(ROOT):
        raise CheckFailed(f"the venv imported deliver from the checkout ({location}), not from the wheel")
    if version != expected_version:  # the wheel's name carries the version pyproject.toml declares
        raise CheckFailed(f"deliver.__version__ is {version!r}, pyproject.toml says {expected_version!r}")
    listed = run([deliver, "themes"], work, env)
    missing = [p.stem for p in sorted((ROOT / "themes").glob("*.toml")) if p.stem not in listed]
    if missing:
        raise CheckFailed(f"`deliver themes` does not list {missing}:\n{listed}")
    run([deliver, "outline", str(SAMPLE)], work, env)
    for name, options in (("silent", ["--no-audio"]), ("espeak", ["--engine", "espeak"])):
        out = work / name
        run([deliver, "build", str(SAMPLE), *options, "-o", str(out)], work, env)
        wanted = ["deck.pptx", "rehearsal.html", *(["*.mp3"] if name == "espeak" else [])]
        absent = [pattern for pattern in wanted if not any(out.rglob(pattern))]
        if absent:
            raise CheckFailed(f"`deliver build {' '.join(options)}` made no {', '.join(absent)} under {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder and print its path")
    keep = parser.parse_args().keep
    temp = Path(tempfile.mkdtemp(prefix="deliver-wheel-check-"))
    started = time.monotonic()
    print(f"wheel check in {temp}")
    try:
        env = clean_env(temp / "home")
        wheel = build_wheel(temp / "dist", env)
        bin_dir = install(wheel, temp / "venv", env)
        (temp / "work").mkdir()
        check_installed(bin_dir, temp / "work", env, wheel.name.split("-")[1])
    except CheckFailed as exc:
        print(f"error: wheel check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"wheel check passed in {time.monotonic() - started:.0f} s ({wheel.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
