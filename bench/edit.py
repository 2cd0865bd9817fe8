"""What an edit of the deck Markdown costs: the sample as deck Markdown built cold, rebuilt with nothing
changed, with one headline edited, with a slide break moved and with one sentence edited.

Run: .venv/bin/python bench/edit.py [--engine kokoro|espeak]. Kokoro needs the `kokoro` extra and its
voices (`deliver voices install kokoro`). Each build runs in a fresh process (`--one`), so imports
count as a user would feel them. The target: the edited-headline rebuild within 1.2× of the
nothing-changed rebuild plus the deck and page rendering it cannot avoid (deck.pptx, the narrated
deck, rehearsal.html: the phases the progress callback names). Figures merge into
bench/results.json under "edit".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
RENDERING = ("rendering", "embedding", "writing rehearsal.html")
"""Progress phases that a changed headline must redo: the deck, the narrated deck, the page."""


def one(speech: Path, out: Path, cache: Path, engine: str) -> dict[str, object]:
    """One build in this process; wall time and the seconds spent in each progress phase."""
    from deliver.pipeline import BuildOptions, build

    marks: list[tuple[str, float]] = []

    def step(message: str, *_: int) -> None:
        if not marks or marks[-1][0] != message:
            marks.append((message, time.perf_counter()))

    start = time.perf_counter()
    result = build(speech, BuildOptions(out_dir=out, engine=engine, cache_dir=cache, zip=False), step)
    end = time.perf_counter()
    phases: dict[str, float] = {}
    for (name, at), (_, until) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        key = next((r for r in RENDERING if name.startswith(r)), name.split(" ")[0])
        phases[key] = phases.get(key, 0.0) + until - at
    fresh = next((n.message for n in result.notices if "chunks synthesized" in n.message), "")
    return {"wall": end - start, "phases": phases, "reused": result.reused, "voice": fresh}


def variant(speech: Path, out: Path, cache: Path, engine: str) -> dict[str, object]:
    command = [sys.executable, __file__, "--one", str(speech), str(out), str(cache), engine]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True, env=os.environ)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def edits(folder: Path) -> dict[str, Path]:
    """The sample's deck Markdown and three edits of it (as a user makes them in the file), as files."""
    from dataclasses import replace

    from deliver.pipeline import load
    from deliver.speech.deckmd import to_markdown
    from deliver.speech.text import sentences

    speech = load(SAMPLE)[1]
    body = speech.sections[1]
    a, b, c = body.points[0], body.points[1], body.points[2]
    said = sentences(a.text)
    moved = (replace(a, text="".join(said[:-1]).rstrip()), replace(b, text=said[-1].strip() + "\n" + b.text), c)
    end = c.text.index("。")
    versions = {
        "original": body.points,
        "headline": (replace(a, headline="改过的标题"), b, c),
        "break": moved,
        "sentence": (a, b, replace(c, text=c.text[:end] + "，这一句改过了" + c.text[end:])),
    }
    files = {}
    for name, points in versions.items():
        sections = (speech.sections[0], replace(body, points=points + body.points[3:]), *speech.sections[2:])
        files[name] = folder / f"{name}.md"
        files[name].write_text(to_markdown(replace(speech, sections=sections)), encoding="utf-8")
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--one", nargs=4, metavar=("SPEECH", "OUT", "CACHE", "ENGINE"))
    args = parser.parse_args()
    if args.one:
        speech, out, cache, engine = args.one
        print(json.dumps(one(Path(speech), Path(out), Path(cache), engine)))
        return
    with tempfile.TemporaryDirectory(prefix="deliver-edit-") as scratch:
        work = Path(scratch)
        files = edits(work)
        rows = {"cold": variant(files["original"], work / "out", work / "cache", args.engine)}
        rows["nothing changed"] = variant(files["original"], work / "out", work / "cache", args.engine)
        for name in ("headline", "break", "sentence"):
            rows[f"{name} edited"] = variant(files[name], work / "out", work / "cache", args.engine)
    rendering = sum(v for k, v in rows["headline edited"]["phases"].items() if k in RENDERING)  # type: ignore[union-attr]
    budget = 1.2 * (float(rows["nothing changed"]["wall"]) + rendering)  # type: ignore[arg-type]
    for name, row in rows.items():
        print(f"{name:18} {row['wall']:7.2f} s  {row['voice']}")
    print(f"headline rebuild {rows['headline edited']['wall']:.2f} s; budget 1.2 × (nothing changed "
          f"{rows['nothing changed']['wall']:.2f} s + rendering {rendering:.2f} s) = {budget:.2f} s")  # fmt: skip
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["edit"] = {"engine": args.engine, "rows": rows, "rendering": rendering, "budget": budget}
    temporary = RESULTS.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, RESULTS)


if __name__ == "__main__":
    main()
