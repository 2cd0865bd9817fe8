"""deliver: turn the text of a speech into a deck, narration, subtitles, timing and a rehearsal package."""

from __future__ import annotations

from functools import cache


@cache
def _installed_version() -> str:
    """The version written once, in pyproject.toml, as installing (wheel or editable) recorded it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deliver")
    except PackageNotFoundError:  # a bare checkout on PYTHONPATH, never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    # Looked up on first use: importlib.metadata costs ≈ 20 ms, and most commands never ask.
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'deliver' has no attribute {name!r}")
