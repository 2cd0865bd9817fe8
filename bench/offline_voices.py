"""How fast the offline engines speak, and what running two sections at once buys.

Run: .venv/bin/python bench/offline_voices.py [SPEECH] [--runs N]. eSpeak NG speaks the sample speech
(Chinese, its parsed sections); piper speaks two English paragraphs. Medians of N runs (default 3),
voices loaded and warmed up beforehand. Prints a table and merges its figures into bench/results.json
under "offline_voices".

eSpeak holds one process-wide lock (the library is not thread-safe), so two threads should gain
nothing. Piper runs onnxruntime, which has its own intra-op thread pool: two workers with 1 thread
each are compared with two workers with 2 threads each (oversubscribing a 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deliver.pipeline import load
from deliver.speech.text import sentences
from deliver.voices.base import Engine, Prosody, Voice
from deliver.voices.espeak import EspeakEngine
from deliver.voices.piper import PiperEngine

RESULTS = ROOT / "bench" / "results.json"
ENGLISH = (
    (
        "Good morning, everyone. Thank you for coming today. Over the past year our team has grown from twelve people "
        "to nearly forty, and with that growth came new challenges. We learned to plan in shorter cycles, to share what "
        "we know, and to ask for help early. Dr. Smith joined us last spring and changed the way we review our work."
    ),
    (
        "Today I want to talk about three things: what went well, what did not, and what comes next. First, what went "
        "well. We shipped every release on time, and our customers noticed. Second, what did not. We hired faster than "
        "we could train, and some of our newest colleagues felt left alone. Third, what comes next: fewer projects, done better."
    ),
)
Speak = Callable[[str], float]
"""Speaks one chunk, returns seconds of audio."""


def chunks(text: str, limit: int) -> list[str]:
    """Sentences packed into chunks of at most `limit` characters (as the shared layer does)."""
    packed: list[str] = []
    for sentence in sentences(text):
        if packed and len(packed[-1]) + len(sentence) <= limit:
            packed[-1] += sentence
        else:
            packed.append(sentence)
    return packed


def speak_sections(speak: Speak, sections: list[list[str]], workers: int) -> tuple[float, float]:
    """(wall seconds, audio seconds) for all sections, `workers` sections at a time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        audio = sum(pool.map(lambda section: sum(speak(chunk) for chunk in section), sections))
    return time.perf_counter() - start, audio


Job = tuple[Speak, list[list[str]], int]
"""(speaker, sections of chunks, parallel workers)."""


def measure(jobs: dict[str, Job], runs: int) -> dict[str, dict[str, float]]:
    """Median figures per job; runs are interleaved so a busy neighbour slows every job alike."""
    walls: dict[str, list[float]] = {name: [] for name in jobs}
    audio: dict[str, float] = {}
    for _ in range(runs):
        for name, (speak, sections, workers) in jobs.items():
            wall, audio[name] = speak_sections(speak, sections, workers)
            walls[name].append(wall)
    rows = {}
    for name, (_, sections, _) in jobs.items():
        characters = sum(len(chunk) for section in sections for chunk in section)
        wall = statistics.median(walls[name])
        rows[name] = {
            "wall_seconds": wall,
            "audio_seconds": audio[name],
            "characters": characters,
            "characters_per_second": characters / wall,
            "real_time_factor": wall / audio[name],
        }
    return rows


def espeak_rows(speech_path: str, runs: int) -> dict[str, dict[str, float]]:
    engine = EspeakEngine()
    speech = load(speech_path)[1]
    voice = engine.default_voice(speech.language)
    sections = [
        chunks("".join(point.text for point in section.points), engine.max_chunk) for section in speech.sections
    ]

    def speak(text: str) -> float:
        return engine.synthesize_sync(text, voice, Prosody()).duration

    speak("预热。")
    # Two halves of the speech as two parallel sections keeps the work identical to the sequential run.
    middle = len(sections) // 2
    halves = [[c for s in sections[:middle] for c in s], [c for s in sections[middle:] for c in s]]
    english = engine.default_voice("en")

    def speak_en(text: str) -> float:
        return engine.synthesize_sync(text, english, Prosody()).duration

    paragraphs = [chunks(paragraph, engine.max_chunk) for paragraph in ENGLISH]
    return measure(
        {
            "espeak zh, 1 worker": (speak, halves, 1),
            "espeak zh, 2 workers (threads)": (speak, halves, 2),
            "espeak en (piper's paragraphs), 1 worker": (speak_en, paragraphs, 1),
        },
        runs,
    )


def piper_rows(runs: int) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    jobs: dict[str, Job] = {}
    sections = [chunks(paragraph, PiperEngine.max_chunk) for paragraph in ENGLISH]
    for threads in (1, 2):
        engine = PiperEngine(threads=threads)
        voice: Voice = engine.default_voice("en")
        start = time.perf_counter()

        def speak(text: str, e: Engine = engine, v: Voice = voice) -> float:
            return e.synthesize_sync(text, v, Prosody()).duration

        speak("Warm up.")
        rows[f"piper en, load + warm-up, {threads} intra-op thread(s)"] = {"wall_seconds": time.perf_counter() - start}
        for workers in (1, 2):
            jobs[f"piper en, {workers} worker(s) × {threads} intra-op thread(s)"] = (speak, sections, workers)
    return {**rows, **measure(jobs, runs)}


def table(rows: dict[str, dict[str, float]]) -> str:
    lines = [f"{'run':48} {'wall s':>8} {'audio s':>8} {'chars/s':>9} {'RTF':>7} {'× real time':>12}"]
    for name, row in rows.items():
        if "audio_seconds" not in row:
            lines.append(f"{name:48} {row['wall_seconds']:8.2f}")
            continue
        rtf = row["real_time_factor"]
        lines.append(
            f"{name:48} {row['wall_seconds']:8.2f} {row['audio_seconds']:8.1f} "
            f"{row['characters_per_second']:9.0f} {rtf:7.4f} {1 / rtf:12.0f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("speech", nargs="?", default=str(ROOT / "examples" / "zh-organization-meeting.txt"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = {**espeak_rows(args.speech, args.runs), **piper_rows(args.runs)}
    print(table(rows))
    espeak_speedup = (
        rows["espeak zh, 1 worker"]["wall_seconds"] / rows["espeak zh, 2 workers (threads)"]["wall_seconds"]
    )
    print(f"espeak: 2 workers vs 1: ×{espeak_speedup:.2f} (one lock: no gain expected)")
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results["offline_voices"] = {
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
