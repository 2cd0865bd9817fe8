"""The ×100 eSpeak NG build against its own parts, measured alone in the same process and the same run:
eSpeak synthesis of the same text (the engine called directly, every chunk), LAME encoding of the same
PCM (the same sections, on as many cores as the build encodes on), and the build itself.

Run: .venv/bin/python bench/parts.py [--copies 100]. Prints and stores (bench/results.json, "parts") the
ratio build ÷ (synthesis + encoding), the share of the build's wall time outside synthesis, the load
before and after, and the CPU's flags that matter for speed. Each copy of the speech carries a sentence
of its own (see scale.py), so no cache flatters the build: it runs cold.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scale import scaled, stages

RESULTS = ROOT / "bench" / "results.json"
CPU: dict[str, float] = {}
"""CPU seconds of each part (what the machine's other load does not inflate, unlike wall time)."""
FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "f16c", "fma")


def synthesis_alone(speech_path: Path, unique: bool = False) -> tuple[float, int]:
    """Seconds for eSpeak NG to say every chunk the build says (chunked and normalised as narration does,
    the default voice and prosody), one call at a time as the library allows; and the number of chunks.
    `unique`: each distinct chunk once, as a build does (a sentence said twice is synthesized once)."""
    from deliver.pipeline import load
    from deliver.voices.base import Prosody
    from deliver.voices.espeak import EspeakEngine
    from deliver.voices.narrate import chunks_of, utterances_of
    from deliver.voices.normalize import normalize

    _, speech, _ = load(speech_path, None, None)
    engine = EspeakEngine()
    voice, prosody = engine.default_voice(speech.language), Prosody()
    texts = [normalize(c.text, speech.language, {}).text
             for said in utterances_of(speech) for c in chunks_of(said, engine.max_chunk)]  # fmt: skip
    if unique:
        texts = list(dict.fromkeys(texts))
    engine.synthesize_sync(texts[0], voice, prosody)  # the library loaded before the clock starts, as in a build
    start, cpu_start = time.perf_counter(), time.thread_time()
    for text in texts:
        engine.synthesize_sync(text, voice, prosody)
    CPU[f"synthesis{'_unique' if unique else ''}_cpu_s"] = time.thread_time() - cpu_start
    return time.perf_counter() - start, len(texts)


def encoding_alone(speech_path: Path, cache: Path, scratch: Path) -> dict[str, float]:
    """LAME (in this process, as the build runs it) on each section's PCM at the engine's rate (resampled by
    soxr while it is encoded, as in the build), the sections spread over as many workers as the build
    encodes with. The PCM is joined from the build's cache first and not timed."""
    from deliver.audio import Pauses
    from deliver.audio.mp3 import export_mp3
    from deliver.audio.sectionpcm import assemble
    from deliver.audio.soundtrack import encoders
    from deliver.pipeline import BuildOptions, load, narration_options, section_voices
    from deliver.voices.narrate import narrate

    _, speech, _ = load(speech_path, None, None)
    voicing = narration_options(BuildOptions(engine="espeak", cache_dir=cache))
    voiced, _ = narrate(speech, voicing)  # every chunk from the build's cache: nothing is synthesized
    pauses = Pauses(voicing.sentence_pause, voicing.point_pause)
    workers = encoders()

    def one(n: int, voice: Any) -> tuple[float, float, float]:
        started = time.perf_counter()
        audio, rate = assemble(voice, pauses, speech.language)
        joined, cpu = time.perf_counter(), time.thread_time()
        export_mp3(audio, scratch / f"{n:04d}.mp3", {"title": str(n)}, rate)  # resampled to FRAME_RATE here
        return joined - started, time.perf_counter() - joined, time.thread_time() - cpu

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        timed = list(pool.map(one, range(len(voiced)), section_voices(voiced)))
    wall = time.perf_counter() - start
    CPU["encoding_cpu_s"] = sum(c for _, _, c in timed)  # the encoding threads' own CPU: LAME and soxr
    encode = sum(t for _, t, _ in timed)
    return {"workers": workers, "sections": len(voiced), "encode_core_s": encode, "encode_s": encode / workers,
            "join_pcm_s": sum(t for t, _, _ in timed), "phase_wall_s": wall}  # fmt: skip


def largest_share(speech_path: Path) -> float:
    """The largest section's share of the speech's characters (≈ of its audio)."""
    from deliver.pipeline import load

    _, speech, _ = load(speech_path, None, None)
    sizes = [sum(len(p.text) for p in section.points) for section in speech.sections]
    return max(sizes) / sum(sizes)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu() -> dict[str, Any]:
    flags: set[str] = set()
    model = ""
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Flags:"):
            flags = set(line.split(":", 1)[1].split())
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return {"model": model, "cores": len(os.sched_getaffinity(0)), "flags": [f for f in FLAGS if f in flags]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    row: dict[str, Any] = {"copies": args.copies, "cpu": cpu(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="deliver-parts-") as scratch:
        work = Path(scratch)
        speech = scaled(args.copies, work)
        row["synthesis_s"], row["chunks"] = synthesis_alone(speech)
        row["synthesis_unique_s"], row["unique_chunks"] = synthesis_alone(speech, unique=True)
        own, children = _own_cpu(), _children_cpu()
        row["stages"], row["characters"] = stages(speech, work / "cache", work / "out")
        CPU["build_cpu_s"] = _own_cpu() - own + _children_cpu() - children
        row["build_s"] = row["stages"]["total (in-process)"]
        (work / "encoded").mkdir()
        row["encoding"] = encoding_alone(speech, work / "cache", work / "encoded")
        row["largest_section_share"] = largest_share(speech)
    row["load_after"] = os.getloadavg()
    row["cpu_s"] = dict(CPU)
    # Load-independent: the build's CPU seconds over its parts' (synthesis of the distinct chunks + LAME).
    row["build_cpu_over_parts_cpu"] = CPU["build_cpu_s"] / (CPU["synthesis_unique_cpu_s"] + CPU["encoding_cpu_s"])
    parts = row["synthesis_s"] + row["encoding"]["encode_s"]
    row["build_over_parts"] = row["build_s"] / parts
    row["build_over_parts_unique"] = row["build_s"] / (row["synthesis_unique_s"] + row["encoding"]["encode_s"])
    row["outside_synthesis_share"] = 1 - row["synthesis_unique_s"] / row["build_s"]
    # The encoding phase as it ran (not its sections' time spread evenly over the workers): one LAME process
    # per section, so a speech whose audio is mostly one section cannot encode on every core.
    row["build_over_parts_phase_wall"] = row["build_s"] / (row["synthesis_s"] + row["encoding"]["phase_wall_s"])
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["parts"] = row
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    enc = row["encoding"]
    print(
        f"×{args.copies}: {row['characters']} characters, {row['chunks']} chunks, {enc['sections']} sections; "
        f"{row['cpu']['model']}, {row['cpu']['cores']} cores, flags {' '.join(row['cpu']['flags'])}"
    )
    print(
        f"  eSpeak synthesis alone      {row['synthesis_s']:8.1f} s  (the {row['unique_chunks']} distinct chunks: "
        f"{row['synthesis_unique_s']:.1f} s)"
    )
    print(
        f"  LAME encoding alone         {enc['encode_s']:8.1f} s  ({enc['encode_core_s']:.1f} s on {enc['workers']} "
        f"workers; joining the PCM {enc['join_pcm_s']:.1f} s more, not counted; the phase took "
        f"{enc['phase_wall_s']:.1f} s: {row['largest_section_share']:.0%} of the audio is one section)"
    )
    print(
        f"  the build                   {row['build_s']:8.1f} s  "
        + ", ".join(f"{k} {v:.1f}" for k, v in row["stages"].items() if k != "total (in-process)")
    )
    print(
        f"  build ÷ (synthesis + encoding) = {row['build_over_parts']:.2f} (with the encoding phase as it ran: "
        f"{row['build_over_parts_phase_wall']:.2f}); outside synthesis: {row['outside_synthesis_share']:.0%} of "
        "the build's wall time"
    )
    print(
        f"  CPU seconds: synthesis {CPU['synthesis_unique_cpu_s']:.1f} (distinct chunks), LAME {CPU['encoding_cpu_s']:.1f}, "
        f"the build {CPU['build_cpu_s']:.1f}: build ÷ parts in CPU {row['build_cpu_over_parts_cpu']:.2f} "
        f"(on {row['cpu']['cores']} free cores the build could take ≈ {CPU['build_cpu_s'] / row['cpu']['cores']:.0f} s)"
    )
    print(f"  load (1, 5, 15 min) before {row['load_before']}, after {row['load_after']}")  # fmt: skip


if __name__ == "__main__":
    main()
