"""Deck-plan goldens: what `deliver` plans for each test speech, kept as JSON in tests/golden/deck-plan/.

Each golden is `deck_to_dict` of the plan of one speech (every file in tests/speeches/ and the sample
examples/zh-organization-meeting.txt) read and parsed as `deliver build` does, with the default theme.
tests/test_goldens.py compares them; after a change to reading, structure or slide planning that is
meant, rewrite them with

    python3 tests/run.py --regen-goldens     (or: .venv/bin/python tests/goldens.py)

and review `git diff tests/golden` like code: every changed line is a slide that changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden" / "deck-plan"
SOURCES = (ROOT / "examples" / "zh-organization-meeting.txt", *sorted((TESTS / "speeches").iterdir()))
REGENERATE = "python3 tests/run.py --regen-goldens"


def golden_path(source: Path) -> Path:
    return GOLDEN / f"{source.name}.json"


def deck_plan_json(source: Path) -> str:
    """The plan of `source` with the default theme, as the golden file holds it (stable, readable)."""
    from deliver.pipeline import load
    from deliver.slides import deck_to_dict, plan_deck
    from deliver.slides.theme import DEFAULT_THEME, load_theme

    _, speech, _ = load(source)
    deck, _ = plan_deck(speech, load_theme(DEFAULT_THEME))
    return json.dumps(deck_to_dict(deck), ensure_ascii=False, indent=1) + "\n"


def regenerate() -> list[str]:
    """Rewrite every golden from the current code, drop those of speeches that are gone; what changed."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    changed = []
    for source in SOURCES:
        path, text = golden_path(source), deck_plan_json(source)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path.name)
    wanted = {golden_path(s).name for s in SOURCES}
    for stale in sorted(p for p in GOLDEN.glob("*.json") if p.name not in wanted):
        stale.unlink()
        changed.append(f"{stale.name} (removed)")
    return changed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # this checkout's deliver, whatever is installed
    changed = regenerate()
    print("\n".join(f"rewrote {name}" for name in changed) or f"all {len(SOURCES)} goldens already match")
    if changed:
        print(f"review: git diff {GOLDEN.relative_to(ROOT)}")
