"""Every benchmark in turn, then one table of where deliver stands against its targets.

Run: .venv/bin/python bench/run.py [--only cli,deck,scale,alternatives,edge,kokoro,intelligibility]
[--quick]. Each benchmark is its own script (run alone for details) and merges its figures into
bench/results.json; this prints the summary from that file. --quick runs scale at ×1 and ×10 only
and one run each. Benchmarks are measurements, not tests: nothing fails on a missed target.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
ALL = ("cli", "deck", "scale", "alternatives", "edge", "kokoro", "intelligibility")


def arguments(name: str, quick: bool) -> list[str]:
    if not quick:
        return []
    return {"scale": ["--sizes", "1,10", "--runs", "1"], "cli": ["--runs", "3"], "edge": ["--runs", "1"],
            "alternatives": ["--runs", "1"], "deck": ["--runs", "1"], "kokoro": ["--skip-workers"]}.get(name, [])  # fmt: skip


Target = tuple[str, str, Callable[[dict[str, Any]], tuple[str, bool] | None]]


def _get(data: dict[str, Any], *path: Any) -> Any:
    for key in path:
        if not isinstance(data, (dict, list)):
            return None
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _size(data: dict[str, Any], copies: int) -> dict[str, Any] | None:
    return next((row for row in _get(data, "scale", "sizes") or [] if row["copies"] == copies), None)


def _beyond(data: dict[str, Any], name: str) -> tuple[str, bool] | None:
    seconds = _get(data, "cli", "seconds")
    if not seconds:
        return None
    value = seconds[name] - seconds["python -c pass"]
    return f"{value:.2f} s", value < 0.5


def _build(copies: int, limit: float) -> Callable[[dict[str, Any]], tuple[str, bool] | None]:
    def check(data: dict[str, Any]) -> tuple[str, bool] | None:
        row = _size(data, copies)
        return None if row is None else (f"{row['command_cold']:.1f} s", row["command_cold"] < limit)

    return check


def _memory(data: dict[str, Any]) -> tuple[str, bool] | None:
    row = _size(data, 100)
    return None if row is None else (f"{row['peak_rss_mib']:.0f} MiB", row["peak_rss_mib"] < 1024)


def _warm(data: dict[str, Any]) -> tuple[str, bool] | None:
    row = _size(data, 1)
    if row is None:
        return None
    share = row["command_warm"] / row["command_cold"]
    return f"{share:.0%} ({row['command_warm']:.2f} s of {row['command_cold']:.2f} s)", share < 0.15


def _espeak(data: dict[str, Any]) -> tuple[str, bool] | None:
    rows = _get(data, "alternatives", "espeak") or {}
    ours, raw = rows.get("ours, 1 section at a time (s)"), rows.get("espeak-ng program, 1 process per section (s)")
    return None if not ours or not raw else (f"{ours / raw:.2f}× the program's time", ours / raw <= 1.5)


def _edge(data: dict[str, Any]) -> tuple[str, bool] | None:
    speedup = _get(data, "edge", "speedup_concurrency_4_vs_1")
    return None if speedup is None else (f"{speedup:.1f}× faster than concurrency 1", speedup >= 3)


def _kokoro(name: str, key: str, limit: float, unit: str) -> Callable[[dict[str, Any]], tuple[str, bool] | None]:
    def check(data: dict[str, Any]) -> tuple[str, bool] | None:
        value = _get(data, "kokoro", "variants", name, key)
        return None if value is None else (f"{value:.1f} {unit}", value <= limit)

    return check


def _intelligible(key: str, limit: float) -> Callable[[dict[str, Any]], tuple[str, bool] | None]:
    def check(data: dict[str, Any]) -> tuple[str, bool] | None:
        value = _get(data, "intelligibility", key)
        return None if value is None else (f"{value:.1%}", value <= limit)

    return check


TARGETS: tuple[Target, ...] = (
    ("`deliver outline` on the sample, beyond interpreter start", "< 0.5 s", lambda d: _beyond(d, "deliver outline --json")),
    ("`deliver timing` on the sample, beyond interpreter start", "< 0.5 s", lambda d: _beyond(d, "deliver timing")),
    ("offline build of the sample (espeak), whole command", "< 5 s", _build(1, 5)),
    ("offline build ×100 (espeak), whole command", "< 60 s", _build(100, 60)),
    ("peak memory of the ×100 build", "< 1 GiB", _memory),
    ("warm rebuild with no change, share of cold", "< 15 %", _warm),
    ("our eSpeak path against the espeak-ng program", "≤ 1.5×", _espeak),
    ("edge path, concurrency 4 against 1 (300 ms latency)", "≥ 3×", _edge),
    ("sample narrated cold with Kokoro, whole build", "≤ 150 s", _kokoro("cold, 1 call at a time (2 threads)", "wall", 150, "s")),
    ("Kokoro warm rebuild, one sentence changed", "≤ 5 s", _kokoro("warm, one sentence changed", "wall", 5, "s")),
    ("Kokoro peak memory", "< 1.5 GiB", _kokoro("cold, 1 call at a time (2 threads)", "peak_rss_mib", 1536, "MiB")),
    ("Kokoro zh default voice, Whisper-base CER", "≤ 5 %", _intelligible("default_zh_cer", 0.05)),
    ("Kokoro en default voice, Whisper-base WER", "≤ 3 %", _intelligible("default_en_wer", 0.03)),
)  # fmt: skip


def summary(data: dict[str, Any]) -> list[str]:
    lines = [f"| {'target':58} | {'goal':8} | {'measured':36} | met |", f"|{'-' * 60}|{'-' * 10}|{'-' * 38}|-----|"]
    for name, goal, check in TARGETS:
        found = check(data)
        measured, met = found if found else ("not measured", None)
        lines.append(f"| {name:58} | {goal:8} | {measured:36} | {'yes' if met else 'no' if met is False else '–'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(ALL))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--summary", action="store_true", help="only print the table from bench/results.json")
    args = parser.parse_args()
    if not args.summary:
        for name in args.only.split(","):
            print(f"\n=== bench/{name}.py", flush=True)
            done = subprocess.run(
                [sys.executable, str(ROOT / "bench" / f"{name}.py"), *arguments(name, args.quick)], cwd=ROOT
            )
            if done.returncode != 0:
                print(f"(bench/{name}.py failed with exit code {done.returncode})")
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print("\n" + "\n".join(summary(data)))


if __name__ == "__main__":
    main()
