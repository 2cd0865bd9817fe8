"""Narrating the sample speech through the edge engine, against a loopback edge server with latency.

Run: .venv/bin/python bench/edge.py [SPEECH] [--runs N] [--latency S]. Compares our engine at
concurrency 4 and 1 (chunks of ≤ 1000 characters cut at sentence ends within each paragraph, as
the shared layer sends them) with a naive baseline: one `edge_tts.Communicate(...).save()` per
paragraph, in sequence. Medians of N runs (default 3). Prints a table and merges its figures into
bench/results.json under "edge". The server (tests/edge_server.py) runs in its own process, as
Microsoft's would, so its work does not compete with the client for the GIL. Never leaves loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import edge_tts
import edge_tts.drm
from edge_server import pointing

from deliver.voices.base import Prosody
from deliver.voices.edge import EdgeEngine

VOICE = "zh-CN-YunjianNeural"
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+$")


def paragraphs(text: str) -> list[str]:
    """Non-empty lines, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def chunks(paragraph: str, limit: int = 1000) -> list[str]:
    """`paragraph` cut at sentence ends into pieces of ≤ `limit` characters (a longer sentence is cut hard)."""
    pieces: list[str] = []
    for sentence in _SENTENCE.findall(paragraph):
        while len(sentence) > limit:
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if pieces and len(pieces[-1]) + len(sentence) <= limit:
            pieces[-1] += sentence
        elif sentence:
            pieces.append(sentence)
    return pieces


async def ours(engine: EdgeEngine, texts: list[str], concurrency: int) -> float:
    """Seconds of audio for all texts, synthesized with at most `concurrency` at once."""
    gate = asyncio.Semaphore(concurrency)
    voice = engine.default_voice("zh")

    async def one(text: str) -> float:
        async with gate:
            return (await engine.synthesize(text, voice, Prosody())).duration

    return sum(await asyncio.gather(*(one(text) for text in texts)))


async def naive(texts: list[str], folder: Path) -> float:
    """Seconds of audio (bytes / 6000) for one plain `Communicate.save()` per text, in sequence."""
    total = 0
    for index, text in enumerate(texts):
        path = folder / f"{index:03d}.mp3"
        await edge_tts.Communicate(text, VOICE).save(str(path))
        total += path.stat().st_size
    return total / 6000


@contextlib.contextmanager
def server_process(latency: float) -> Iterator[int]:
    """A loopback edge server in a child process; yields its port. Stops it when stdin closes."""
    script = ROOT / "tests" / "edge_server.py"
    command = [sys.executable, str(script), "--latency", str(latency)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            yield int(process.stdout.readline())
        finally:
            process.stdin.close()
            process.wait(10)


def control(port: int, path: str, post: bool = False) -> dict[str, int]:
    """GET /stats or POST /reset on the server."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"" if post else None)
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def timed(port: int, run: object) -> tuple[float, float, int, int]:
    """(wall seconds, audio seconds, requests, most concurrent connections) of one run."""
    control(port, "/reset", post=True)
    edge_tts.drm.DRM.clock_skew_seconds = 0.0
    began = time.perf_counter()
    audio = asyncio.run(run())  # type: ignore[operator]
    elapsed = time.perf_counter() - began
    stats = control(port, "/stats")
    return elapsed, audio, stats["requests"], stats["max_concurrent"]


def measure(port: int, run: object, runs: int) -> dict[str, float]:
    results = [timed(port, run) for _ in range(runs)]
    return {
        "seconds": statistics.median(r[0] for r in results),
        "audio_seconds": results[-1][1],
        "requests": results[-1][2],
        "max_concurrent": max(r[3] for r in results),
    }


def merge(figures: dict[str, object]) -> None:
    """Read-modify-write bench/results.json (other benchmarks own other keys), replaced atomically."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["edge"] = figures
    temporary = RESULTS.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("speech", nargs="?", default=str(ROOT / "examples" / "zh-organization-meeting.txt"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--latency", type=float, default=0.3, help="seconds the server waits before answering each request"
    )
    args = parser.parse_args()
    parts = paragraphs(Path(args.speech).read_text(encoding="utf-8"))
    pieces = [piece for part in parts for piece in chunks(part)]
    engine = EdgeEngine()
    rows: dict[str, dict[str, float]] = {}
    with server_process(args.latency) as port, pointing(port), tempfile.TemporaryDirectory() as folder:
        rows["ours, concurrency 4"] = measure(port, lambda: ours(engine, pieces, 4), args.runs)
        rows["ours, concurrency 1"] = measure(port, lambda: ours(engine, pieces, 1), args.runs)
        rows["naive: Communicate.save() per paragraph"] = measure(port, lambda: naive(parts, Path(folder)), args.runs)
    base = rows["ours, concurrency 1"]["seconds"]
    print(
        f"{len(parts)} paragraphs, {len(pieces)} chunks, {args.latency:g} s latency per request, median of {args.runs}"
    )
    print(f"{'variant':42} {'wall s':>7} {'× vs c1':>8} {'requests':>9} {'max conn':>9} {'audio s':>8}")
    for name, row in rows.items():
        print(
            f"{name:42} {row['seconds']:7.2f} {base / row['seconds']:8.2f} {row['requests']:9d} "
            f"{row['max_concurrent']:9d} {row['audio_seconds']:8.1f}"
        )
    merge(
        {
            "runs": args.runs,
            "latency_seconds": args.latency,
            "paragraphs": len(parts),
            "chunks": len(pieces),
            "variants": rows,
            "speedup_concurrency_4_vs_1": base / rows["ours, concurrency 4"]["seconds"],
        }
    )


if __name__ == "__main__":
    main()
