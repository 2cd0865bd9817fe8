"""Per-user folders (cache, data), chosen without touching the shared temp dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_cache_dir() -> Path:
    """Where deliver keeps caches: $DELIVER_CACHE_DIR, else the platform's per-user cache folder."""
    override = os.environ.get("DELIVER_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "deliver" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "deliver"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deliver"
