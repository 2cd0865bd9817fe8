"""`deliver build` per stage on the sample speech ×1, ×10, ×100 (eSpeak NG): cold, warm, one sentence
changed, and the whole command's wall time and peak memory.

Run: .venv/bin/python bench/scale.py [--sizes 1,10,100] [--runs N]. Stage times come from the build's
own progress events (in-process, cold cache); the command rows run `deliver build` as a process
(interpreter start included) and read its peak RSS from the kernel. Each copy of the speech carries
its own sentence, so the synthesis cache cannot flatter the larger sizes. Medians of N runs (default 3;
×100 runs once). Figures merge into bench/results.json under "scale".
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"

STAGES = {
    "reading": "read+parse",
    "rendering deck.pptx": "deck",
    "narrating": "narration",
    "encoding audio": "audio export",
    "embedding narration in deck-narrated.pptx": "narrated deck",
    "writing rehearsal.html": "package",
    "writing manifest": "package",
    "zipping": "package",
}
"""Progress messages (their prefix) → the stage they open."""


def scaled(copies: int, folder: Path, changed: bool = False) -> Path:
    """The sample with its body repeated `copies` times, every sentence of each copy its own but the opening
    one of each paragraph, which marks the sections (narration voices one sentence per chunk and a sentence
    said twice only once, so a copy that repeated the sample's sentences would cost nothing to synthesize)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    head, body = lines[:4], [line for line in lines[4:] if line.strip()]
    out = list(head)
    for n in range(1, copies + 1):
        mark = f"（{n}）"  # every sentence of copy n but a paragraph's first (where sections are marked)
        out += [re.sub(r"(?<=[。！？；])(?=.)", mark, line) + f"这是第{n}遍。" for line in body]
    if changed:  # one sentence edited in the middle of the speech
        middle = len(out) // 2
        out[middle] = out[middle].replace("。", "，这句改过了。", 1)
    path = folder / f"speech-x{copies}{'-changed' if changed else ''}.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def stages(speech: Path, cache: Path, out: Path) -> tuple[dict[str, float], int]:
    """Seconds per stage of one in-process build, and the number of characters read."""
    from deliver.pipeline import BuildOptions, build

    marks: list[tuple[float, str]] = []

    def progress(message: str, done: int, total: int) -> None:
        stage = next((name for prefix, name in STAGES.items() if message.startswith(prefix)), None)
        if stage and (not marks or marks[-1][1] != stage):
            marks.append((time.perf_counter(), stage))

    start = time.perf_counter()
    result = build(speech, BuildOptions(out_dir=out, engine="espeak", cache_dir=cache), progress)
    marks.append((time.perf_counter(), "end"))
    seconds: dict[str, float] = {}
    for (at, stage), (after, _) in itertools.pairwise(marks):
        seconds[stage] = seconds.get(stage, 0.0) + after - at
    seconds["total (in-process)"] = marks[-1][0] - start
    return seconds, sum(len(p.text) for p in result.speech.points)


def command(speech: Path, cache: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of `deliver build` as its own process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "deliver", "build", str(speech), "-o", str(out), "--engine", "espeak",
                                "--cache-dir", str(cache), "-q"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"deliver build failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def size_row(copies: int, runs: int, work: Path) -> dict[str, object]:
    cold_stages, wall_cold, wall_warm, wall_changed, rss = [], [], [], [], []
    chars = 0
    for run in range(runs):
        folder = work / f"x{copies}-{run}"
        folder.mkdir()
        speech, changed = scaled(copies, folder), scaled(copies, folder, changed=True)
        figures, chars = stages(speech, folder / "cache-stages", folder / "out-stages")
        cold_stages.append(figures)
        wall, peak = command(speech, folder / "cache", folder / "out")
        wall_cold.append(wall)
        rss.append(peak)
        wall_warm.append(command(speech, folder / "cache", folder / "out")[0])
        wall_changed.append(command(changed, folder / "cache", folder / "out")[0])
    median = {stage: statistics.median(f.get(stage, 0.0) for f in cold_stages) for stage in cold_stages[0]}
    return {
        "copies": copies, "characters": chars, "stages_cold": median,
        "per_1000_characters": {stage: seconds * 1000 / chars for stage, seconds in median.items()},
        "command_cold": statistics.median(wall_cold), "command_warm": statistics.median(wall_warm),
        "command_one_sentence_changed": statistics.median(wall_changed), "peak_rss_mib": max(rss),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="deliver-scale-") as scratch:
        for copies in (int(n) for n in args.sizes.split(",")):
            rows.append(size_row(copies, 1 if copies >= 100 else args.runs, Path(scratch)))
            print_row(rows[-1])
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["scale"] = {"runs": args.runs, "sizes": rows}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def print_row(row: dict) -> None:  # type: ignore[type-arg]
    print(f"\n×{row['copies']}: {row['characters']} characters")
    print(f"  {'stage':22} {'cold s':>8} {'s / 1000 chars':>15}")
    for stage, seconds in row["stages_cold"].items():
        print(f"  {stage:22} {seconds:8.2f} {row['per_1000_characters'][stage]:15.3f}")
    print(f"  deliver build: cold {row['command_cold']:.2f} s, warm {row['command_warm']:.2f} s "
          f"({row['command_warm'] / row['command_cold']:.0%}), one sentence changed {row['command_one_sentence_changed']:.2f} s, "
          f"peak RSS {row['peak_rss_mib']:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
