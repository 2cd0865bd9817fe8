"""Benchmark: deck generation time (plan + render) for a speech and for that speech ×50.

    .venv/bin/python bench/deck.py [SPEECH.txt] [--theme NAME] [--runs N]

Prints a table of median seconds over N runs. Every copy in the ×50 speech has its own text
(a copy number is appended), so caches of line breaks and word cuts do not flatter the figure;
caches are cleared before each run. Not a test: targets are < 1 s for the sample, a few s for ×50.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deliver.model import Section, Speech
from deliver.slides import (
    measure,
    plan_deck,
    render_deck,
)
from deliver.slides.theme import load_theme
from deliver.speech.words import cut


def load_speech(path: Path) -> Speech:
    """The parsed speech at `path`."""
    from deliver.speech.reading import read_source
    from deliver.speech.structure import parse

    return parse(read_source(path))


def times(speech: Speech, copies: int) -> Speech:
    """`speech` with its sections repeated `copies` times, each copy's text made distinct."""
    sections = []
    for k in range(1, copies + 1):
        for s in speech.sections:
            points = tuple(
                replace(
                    p, headline=f"{p.headline}{k}", bullets=tuple(f"{b}{k}" for b in p.bullets), text=f"{p.text}{k}"
                )
                for p in s.points
            )
            sections.append(Section(f"{s.title}{k}", s.kind, points))
    return replace(speech, sections=tuple(sections))


def run_once(speech: Speech, theme_name: str, folder: Path) -> tuple[float, float, int]:
    """(plan s, render s, slides) for one cold run (caches cleared, theme loaded fresh)."""
    measure.wrap.cache_clear()
    cut.cache_clear()
    theme = load_theme(theme_name)
    start = time.perf_counter()
    deck, _ = plan_deck(speech, theme)
    planned = time.perf_counter()
    render_deck(deck, theme, folder / "deck.pptx")
    return planned - start, time.perf_counter() - planned, len(deck.slides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speech", nargs="?", default=str(ROOT / "examples" / "zh-organization-meeting.txt"))
    parser.add_argument("--theme", default="official")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    speech = load_speech(Path(args.speech))
    cut("预热")  # load jieba once: its 0.5 s start-up is not deck generation
    print(f"theme {args.theme}, median of {args.runs} runs, seconds")
    print(f"{'case':<12}{'slides':>8}{'plan':>9}{'render':>9}{'total':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, case in (("sample", speech), ("sample ×50", times(speech, 50))):
            runs = [run_once(case, args.theme, Path(tmp)) for _ in range(args.runs)]
            plan = statistics.median(r[0] for r in runs)
            render = statistics.median(r[1] for r in runs)
            total = statistics.median(r[0] + r[1] for r in runs)
            print(f"{label:<12}{runs[0][2]:>8}{plan:>9.3f}{render:>9.3f}{total:>9.3f}")


if __name__ == "__main__":
    main()
