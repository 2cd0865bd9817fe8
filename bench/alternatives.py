"""Side by side with what a user would otherwise run: the `espeak-ng` program on the same text, and
`pandoc` turning the same speech (as Markdown) into a .pptx.

Run: .venv/bin/python bench/alternatives.py [--runs N]. Needs Debian's `espeak-ng` and `pandoc`
(apt-get install espeak-ng pandoc); a missing program's rows are skipped with a note. Medians of N
runs (default 3). Figures merge into bench/results.json under "alternatives".

eSpeak: each section of the sample speech (the text our engine is given, already normalised) is
spoken by the program into a WAV, one process per section, as a script would; ours speaks the same
chunks in-process, sequentially and with two sections at a time (eSpeak is not thread-safe, so our
engine serialises calls: the parallel row shows what that costs). Deck: pandoc's default template
from the same sections and points as Markdown, against our plan + render.
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"


def median(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def section_texts() -> list[list[str]]:
    """Per section, the chunks our shared layer sends to eSpeak (normalised, ≤ its chunk size)."""
    from deliver.pipeline import load
    from deliver.voices.espeak import EspeakEngine
    from deliver.voices.narrate import chunks_of, utterances_of
    from deliver.voices.normalize import normalize

    _, speech, _ = load(SAMPLE)
    limit = EspeakEngine.max_chunk
    return [[normalize(c.text, "zh").text for c in chunks_of(said, limit)] for said in utterances_of(speech)]


def espeak_rows(runs: int) -> dict[str, float]:
    from deliver.voices.base import Prosody, Voice
    from deliver.voices.espeak import EspeakEngine

    sections = section_texts()
    characters = sum(len(c) for s in sections for c in s)
    engine = EspeakEngine()
    voice = Voice("espeak", "cmn", "zh")
    engine.synthesize_sync("预热。", voice, Prosody())

    def ours(workers: int) -> None:
        speak = lambda chunks: [engine.synthesize_sync(c, voice, Prosody()) for c in chunks]  # noqa: E731
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(speak, sections))

    rows = {
        "ours, 1 section at a time": median(lambda: ours(1), runs),
        "ours, 2 sections at a time": median(lambda: ours(2), runs),
    }
    program = shutil.which("espeak-ng")
    if program is None:
        print("note: espeak-ng is not installed (apt-get install espeak-ng): no program row")
    else:
        with tempfile.TemporaryDirectory() as folder:

            def run_program() -> None:
                for i, chunks in enumerate(sections):
                    source = Path(folder) / f"{i}.txt"
                    source.write_text("\n".join(chunks), encoding="utf-8")
                    subprocess.run([program, "-v", "cmn", "-f", str(source), "-w", str(Path(folder) / f"{i}.wav")], check=True,
                                   capture_output=True)  # fmt: skip

            rows["espeak-ng program, 1 process per section"] = median(run_program, runs)
    return {**{f"{k} (s)": v for k, v in rows.items()}, "characters": characters,
            **{f"{k} (ms / 1000 characters)": v * 1e6 / characters for k, v in rows.items()}}  # fmt: skip


def deck_rows(runs: int) -> dict[str, float]:
    from deliver.pipeline import load
    from deliver.slides import plan_deck, render_deck
    from deliver.slides.theme import load_theme

    _, speech, _ = load(SAMPLE)
    theme = load_theme("default")
    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        rows["ours: plan + render deck.pptx (s)"] = median(
            lambda: render_deck(plan_deck(speech, theme)[0], theme, Path(folder) / "d.pptx"), runs
        )
        program = shutil.which("pandoc")
        if program is None:
            print("note: pandoc is not installed (apt-get install pandoc): no pandoc row")
            return rows
        markdown = Path(folder) / "speech.md"
        lines = [f"% {speech.title}", ""]
        for section in speech.sections:
            lines += [f"# {section.title}", ""]
            for point in section.points:
                lines += [
                    f"## {point.headline}",
                    "",
                    *(f"- {b}" for b in point.bullets),
                    "",
                    "::: notes",
                    point.text,
                    ":::",
                    "",
                ]
        markdown.write_text("\n".join(lines), encoding="utf-8")
        command = [program, str(markdown), "-o", str(Path(folder) / "pandoc.pptx")]
        rows["pandoc: Markdown → pptx, as a process (s)"] = median(
            lambda: subprocess.run(command, check=True, capture_output=True), runs
        )
        ours = [
            sys.executable,
            "-m",
            "deliver",
            "build",
            str(SAMPLE),
            "--no-audio",
            "-q",
            "--no-zip",
            "-o",
            str(Path(folder) / "out"),
        ]

        def build_ours() -> None:
            shutil.rmtree(Path(folder) / "out", ignore_errors=True)
            subprocess.run(ours, check=True, capture_output=True)

        rows["ours: deliver build --no-audio, as a process (s)"] = median(build_ours, runs)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = {"espeak": espeak_rows(args.runs), "deck": deck_rows(args.runs)}
    for group, rows in figures.items():
        print(f"\n{group}")
        for name, value in rows.items():
            print(f"  {name:58} {value:10.3f}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["alternatives"] = {"runs": args.runs, **figures}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
