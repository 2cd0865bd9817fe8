"""How long `deliver outline` and `deliver timing` take on the sample speech, beyond interpreter start.

Run: .venv/bin/python bench/cli.py [SPEECH] [--runs N]. Prints a table and merges its figures into
bench/results.json. Medians of N runs (default 9) of whole processes, so imports are included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(speech: str, runs: int) -> float:
    code = (
        "import time,sys;t=time.perf_counter();from deliver.pipeline import load;from deliver.timing.estimate import estimate;"
        f"s=load({speech!r})[1];estimate(s);print(time.perf_counter()-t)"
    )
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("speech", nargs="?", default=str(ROOT / "examples" / "zh-organization-meeting.txt"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    rows = {
        "python -c pass": bare,
        "deliver outline --json": median_seconds(
            [sys.executable, "-m", "deliver", "outline", args.speech, "--json"], args.runs
        ),
        "deliver timing": median_seconds([sys.executable, "-m", "deliver", "timing", args.speech], args.runs),
    }
    work = in_process(args.speech, args.runs)
    print(f"{'command':28} {'wall s':>8} {'beyond python':>14}")
    for name, seconds in rows.items():
        print(f"{name:28} {seconds:8.3f} {seconds - bare:14.3f}")
    print(f"{'read+parse+estimate (in-process, imports included)':28} {work:.3f}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["cli"] = {"runs": args.runs, "seconds": rows, "read_parse_estimate_seconds": work}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
