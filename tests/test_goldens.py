"""The deck plan of every test speech is exactly its golden (tests/golden/deck-plan/*.json).

A failure shows the first lines of the difference. When the change is meant, regenerate with

    python3 tests/run.py --regen-goldens

and review `git diff tests/golden` in the same commit as the code. See tests/goldens.py.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from goldens import GOLDEN, REGENERATE, ROOT, SOURCES, deck_plan_json, golden_path


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_deck_plan_matches_its_golden(source: Path) -> None:
    golden = golden_path(source)
    if not golden.is_file():
        pytest.fail(f"no golden for {source.name}: create it with `{REGENERATE}` and commit {golden.relative_to(ROOT)}")
    expected, actual = golden.read_text(encoding="utf-8"), deck_plan_json(source)
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "now", n=2, lineterm="")
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"the deck plan of {source.name} differs from {golden.relative_to(ROOT)}.\n"
            f"If the change is meant: `{REGENERATE}`, then review `git diff tests/golden`.\n{shown}",
            pytrace=False,
        )


def test_every_golden_belongs_to_a_test_speech() -> None:
    stale = sorted({p.name for p in GOLDEN.glob("*.json")} - {golden_path(s).name for s in SOURCES})
    assert stale == [], f"goldens of speeches that are gone: {stale}; `{REGENERATE}` removes them"
