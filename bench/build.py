"""Offline `deliver build` of a speech: cold (empty synthesis cache) vs warm rebuild, per engine.

Run: .venv/bin/python bench/build.py [SPEECH] [--engine espeak] [--runs 3]. Whole processes
(interpreter start included), medians of N runs; figures merge into bench/results.json["build"].
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def measure(speech: str, engine: str, runs: int) -> dict[str, float]:
    cold, warm = [], []
    for _ in range(runs):
        work = Path(tempfile.mkdtemp(prefix="deliver-bench-"))
        command = [sys.executable, "-m", "deliver", "build", speech, "-o", str(work / "out"), "--engine", engine,
                   "--cache-dir", str(work / "cache"), "-q", "--no-zip"]  # fmt: skip
        cold.append(timed(command))
        warm.append(timed(command))
        shutil.rmtree(work)
    no_audio = statistics.median(
        timed([sys.executable, "-m", "deliver", "build", speech, "-o", tempfile.mkdtemp(), "--no-audio", "-q"])
        for _ in range(runs)
    )
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "no_audio": no_audio}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("speech", nargs="?", default=str(ROOT / "examples" / "zh-organization-meeting.txt"))
    parser.add_argument("--engine", default="espeak")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.speech, args.engine, args.runs)
    print(f"deliver build {Path(args.speech).name} --engine {args.engine} (median of {args.runs})")
    print(f"  cold build (empty cache) {figures['cold']:7.2f} s")
    print(f"  warm rebuild (no change) {figures['warm']:7.2f} s  ({figures['warm'] / figures['cold']:.0%} of cold)")
    print(f"  --no-audio               {figures['no_audio']:7.2f} s")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("build", {})[f"{Path(args.speech).name}:{args.engine}"] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
