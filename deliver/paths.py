"""Per-user folders (cache, data, settings), chosen without touching the shared temp dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _per_user(override: str, windows: tuple[str, str, str], mac: str, xdg: tuple[str, str]) -> Path:
    """$override, else the platform's folder: Windows (env var, fallback under home, leaf), macOS, XDG (env var, default)."""
    if os.environ.get(override):
        return Path(os.environ[override])
    if sys.platform == "win32":
        variable, fallback, leaf = windows
        return Path(os.environ.get(variable) or Path.home() / fallback) / "deliver" / leaf
    if sys.platform == "darwin":
        return Path.home() / "Library" / mac / "deliver"
    variable, default = xdg
    return Path(os.environ.get(variable) or Path.home() / default) / "deliver"


def user_cache_dir() -> Path:
    """Where deliver keeps caches (synthesis, jieba): $DELIVER_CACHE_DIR, else the per-user cache folder."""
    return _per_user(
        "DELIVER_CACHE_DIR", ("LOCALAPPDATA", "AppData/Local", "cache"), "Caches", ("XDG_CACHE_HOME", ".cache")
    )


def user_data_dir() -> Path:
    """Where deliver keeps installed voice files: $DELIVER_DATA_DIR, else the per-user data folder."""
    return _per_user("DELIVER_DATA_DIR", ("LOCALAPPDATA", "AppData/Local", "data"), "Application Support",
                     ("XDG_DATA_HOME", ".local/share"))  # fmt: skip


def user_config_dir() -> Path:
    """Where the user's own settings live (the default lexicon): $DELIVER_CONFIG_DIR, else the per-user config folder."""
    return _per_user(
        "DELIVER_CONFIG_DIR", ("APPDATA", "AppData/Roaming", ""), "Application Support", ("XDG_CONFIG_HOME", ".config")
    )
