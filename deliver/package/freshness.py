"""Whether the package already in the output folder is what this build would make.

A build records a digest of everything its output depends on — deliver's own code, the source
text, the options, the theme, the lexicon and what each chunk of narration says and with which
voice (its cache keys) — in manifest.json. When the next build computes the same digest and every
file is still there as listed, it leaves the package alone: a rebuild with no change costs a read,
a parse and a hash, not minutes of rendering and encoding.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from deliver.package.folder import MANIFEST, made_by_us
from deliver.slides import Theme


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over deliver's own files (code, templates): a changed deliver never reuses an old package."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".toml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def theme_digest(theme: Theme) -> str:
    """The theme's values, and its template's bytes when it has one."""
    digest = hashlib.sha256(repr(theme).encode())
    if theme.template is not None:
        digest.update(theme.template.read_bytes())
    return digest.hexdigest()


def inputs_digest(
    source_sha256: str, options: dict[str, Any], theme: Theme, lexicon: dict[str, str], keys: list[str] | None
) -> str:
    """One sha256 over everything the package is made from."""
    record = {"code": code_digest(), "source": source_sha256, "options": options, "theme": theme_digest(theme),
              "lexicon": sorted(lexicon.items()), "narration": keys}  # fmt: skip
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def up_to_date(target: Path, digest: str, zipped: bool) -> list[str] | None:
    """The package's files when `target` holds a complete package made from `digest` (and its zip when
    one is wanted); None when it must be built."""
    if not made_by_us(target):
        return None
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("inputs") != digest or (zipped and not target.with_name(target.name + ".zip").is_file()):
        return None
    files = manifest.get("files", [])
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if present != {entry["path"] for entry in files} | {MANIFEST}:
        return None  # a file is missing, or one was added: the package is made again, whole
    for entry in files:
        if (target / entry["path"]).stat().st_size != entry["bytes"]:
            return None
    return [entry["path"] for entry in files] + [MANIFEST]
