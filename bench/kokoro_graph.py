"""Kokoro's model alone per graph variant (int8, float convolutions, all float): RTF of session.run, the
same speech from each (audio length, per-token durations), and onnxruntime's per-op profile.

Run: .venv/bin/python bench/kokoro_graph.py [--rounds N] [--threads T] [--busy] [--profile] [--spin on|off]
Variants are timed interleaved (A B C A B C …) so a machine shared with other work loads each alike; the
CPU seconds per audio second (all threads, spinning off) change little with the machine's load, wall RTF a lot.
As an AVX2-only CPU: .venv/bin/python bench/cpu_class.py -- .venv/bin/python bench/kokoro_graph.py --label avx2
Figures merge into bench/results.json under "kokoro_graph".
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
SENTENCES = (
    ("zh", "zf_xiaoxiao", "同志们，今天我们召开这次会议，主要任务是总结去年的工作，部署今年的重点任务。"),
    ("en", "af_heart", "Thank you all for coming today; this year we will finish what we started last spring."),
)


def feeds(language: str, voice: str, text: str) -> dict[str, Any]:
    import numpy as np

    from deliver.paths import user_data_dir
    from deliver.voices import kokoro_voices
    from deliver.voices.kokoro import BASE_SPEED
    from deliver.voices.kokoro_g2p import runs, segments, token_ids

    ids = [i for run in runs(segments(text, language), 240) for i in token_ids(run)][:500]  # type: ignore[arg-type]
    style = np.frombuffer(
        kokoro_voices.read_voice(voice, kokoro_voices.folder_in(user_data_dir() / "voices")), dtype="<f4"
    ).reshape(510, 256)
    return {"tokens": np.array([[0, *ids, 0]], dtype=np.int64), "style": style[len(ids) - 1][None, :],
            "speed": np.array([BASE_SPEED[language]], dtype=np.float32)}  # type: ignore[index]  # fmt: skip


def session(path: Path, threads: int, spin: bool, profile: str | None = None) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    if profile:
        options.enable_profiling = True
        options.profile_file_prefix = profile
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def top_ops(profile_file: str, count: int = 6) -> list[tuple[str, float]]:
    """Share of node time per op type, from onnxruntime's profile (the calls after the first)."""
    events = json.loads(Path(profile_file).read_text())
    per_op: collections.Counter[str] = collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            per_op[event["args"].get("op_name", "?")] += event["dur"]
    total = sum(per_op.values()) or 1
    return [(op, round(dur / total, 3)) for op, dur in per_op.most_common(count)]


def conv_work(profile_file: str) -> tuple[float, float]:
    """(multiply-adds, kernel seconds) of every Conv and ConvTranspose call in onnxruntime's profile: what the
    convolutions compute, from each call's shapes (Conv: output elements × Cin/group × kernel; ConvTranspose:
    input elements × Cout/group × kernel), and how long they took summed over threads' critical path."""
    import math

    macs = seconds = 0.0
    for event in json.loads(Path(profile_file).read_text()):
        args = event.get("args", {})
        if event.get("cat") != "Node" or args.get("op_name") not in ("Conv", "ConvTranspose"):
            continue
        if not event["name"].endswith("_kernel_time"):
            continue
        shapes = [next(iter(shape.values())) for shape in args["input_type_shape"][:2]]
        if len(shapes) < 2:  # the iSTFT's 22-channel ConvTranspose: its weight's shape is not reported
            continue
        data, weight = shapes
        per_element = math.prod(weight[1:])
        elements = int(args["output_size"]) // 4 if args["op_name"] == "Conv" else math.prod(data)
        macs += elements * per_element
        seconds += event["dur"] / 1e6
    return macs, seconds


def fma_peak(cores: int) -> float:
    """The CPU's float32 peak in FLOP/s on `cores`: two 256-bit FMA units per core (AVX2 on Zen 2/3 and
    Haswell onward: 32 FLOP per cycle) at the clock /proc/cpuinfo reports; a bound, not a measurement."""
    mhz = [float(line.split(":")[1]) for line in Path("/proc/cpuinfo").read_text().splitlines()
           if line.startswith("cpu MHz")]  # fmt: skip
    return cores * (statistics.mean(mhz) if mhz else 0.0) * 1e6 * 32


def threads_study(path: Path, inputs: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    """Seconds for the inputs: one call at a time on all cores (spinning off / on) against one call per core
    at once (two sessions of one thread each), interleaved."""
    from concurrent.futures import ThreadPoolExecutor

    cores = len(os.sched_getaffinity(0))
    ways = {"1 call × all cores, spin off": [session(path, cores, False)],
            "1 call × all cores, spin on": [session(path, cores, True)],
            f"{cores} calls × 1 thread, spin off": [session(path, 1, False) for _ in range(cores)]}  # fmt: skip
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    work = inputs * cores  # the same work for every way
    for _ in range(rounds + 1):
        for name, sessions in ways.items():
            start = time.perf_counter()
            with ThreadPoolExecutor(len(sessions)) as pool:
                list(pool.map(lambda job, on=sessions: on[job[0] % len(on)].run(None, job[1]), enumerate(work)))
            seconds[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(s[1:]), 2) for name, s in seconds.items()}  # the first is a warm-up


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="int8,conv-f32,f32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spin", default="off")
    parser.add_argument("--busy", action="store_true", help="one busy background core while measuring")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--threads-study", action="store_true", help="threads per call, concurrent calls, spinning")
    parser.add_argument("--label", default=platform.machine())
    parser.add_argument("--short", action="store_true", help="one short English phrase (for an emulator)")
    args = parser.parse_args()
    from deliver.paths import user_cache_dir
    from deliver.voices.kokoro import RATE, model_path

    variants = args.variants.split(",")
    paths = {v: model_path(user_cache_dir() / "kokoro", v) for v in variants}
    inputs = (
        [feeds("en", "af_heart", "Thank you all for coming today.")] if args.short else [feeds(*s) for s in SENTENCES]
    )
    if args.threads_study:
        busy = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if args.busy else None
        try:
            study = threads_study(paths[variants[0]], inputs, args.rounds)
        finally:
            if busy:
                busy.kill()
        print(json.dumps(study, indent=1, ensure_ascii=False), f"load {os.getloadavg()[0]:.1f}")
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results.setdefault("kokoro_threads", {})[f"{variants[0]} busy={args.busy}"] = {
            **study,
            "load": os.getloadavg()[0],
        }
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        return
    sessions = {v: session(p, args.threads, args.spin == "on", f"/tmp/kokoro-prof-{v}" if args.profile else None)
                for v, p in paths.items()}  # fmt: skip
    outputs: dict[str, list[tuple[int, list[int]]]] = {}
    for v, s in sessions.items():  # warm-up, and what each variant says
        outputs[v] = [
            (len(a.reshape(-1)), [int(d) for d in ds.reshape(-1)]) for a, ds in (s.run(None, f) for f in inputs)
        ]
    busy = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if args.busy else None
    seconds: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {
        v: [] for v in variants
    }  # all threads' CPU time: what a shared machine's load hardly changes
    loads = []
    try:
        for _ in range(args.rounds):
            for v, s in sessions.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                for f in inputs:
                    s.run(None, f)
                seconds[v].append(time.perf_counter() - start)
                cpu[v].append(time.process_time() - start_cpu)
            loads.append(os.getloadavg()[0])
    finally:
        if busy:
            busy.kill()
    audio = sum(n for n, _ in outputs[variants[0]]) / RATE
    table: dict[str, Any] = {"label": args.label, "threads": args.threads, "spin": args.spin, "busy_core": args.busy,
                             "load_1min": loads, "audio_s": round(audio, 2), "variants": {}}  # fmt: skip
    base = outputs[variants[0]]
    for v in variants:
        rtf = statistics.median(seconds[v]) / audio
        same = [(abs(n - n0) / n0, max(abs(a - b) for a, b in zip(d, d0, strict=True)) if len(d) == len(d0) else -1)
                for (n, d), (n0, d0) in zip(outputs[v], base, strict=True)]  # fmt: skip
        cpu_rtf = statistics.median(cpu[v]) / audio
        row = {"rtf": round(rtf, 3), "seconds": [round(x, 2) for x in seconds[v]], "cpu_rtf": round(cpu_rtf, 3),
               "audio_length_diff": round(max(s[0] for s in same), 4),
               "max_frame_diff": max(s[1] for s in same)}  # fmt: skip
        if args.profile:
            profile_file = sessions[v].end_profiling()
            row["top_ops"] = top_ops(profile_file)
            macs, conv_seconds = conv_work(profile_file)
            profiled_audio = audio * (args.rounds + 1)  # the warm-up call is profiled too
            row["conv_gmac_per_audio_s"] = round(macs / profiled_audio / 1e9, 2)
            row["conv_gflops"] = round(2 * macs / conv_seconds / 1e9, 1)
            row["fma_peak_gflops"] = round(fma_peak(args.threads) / 1e9, 1)
        table["variants"][v] = row
        print(f"{v:9} RTF {rtf:6.3f}  CPU-s per audio-s {cpu_rtf:6.3f}  audio Δ {row['audio_length_diff']:.2%}  "
              f"max token Δ {row['max_frame_diff']} frames"
              + (f"  top {row['top_ops']}  conv {row['conv_gmac_per_audio_s']} GMAC per audio-s at "
                 f"{row['conv_gflops']} GFLOP/s (FMA peak {row['fma_peak_gflops']})" if args.profile else ""))  # fmt: skip
    print(f"load (1 min) during: {loads}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("kokoro_graph", {})[f"{args.label} threads={args.threads} busy={args.busy}"] = table
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
