"""Default option values, in one place: read by the CLI, the pipeline, narration and timing.

A default written twice drifts; these are the values a build uses when nothing is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

OUT_DIR: Final = Path("output")
"""Folder that receives <slug>/ and <slug>.zip."""
THEME: Final = "default"
"""Built-in theme name."""
ENGINE: Final = "auto"
"""Voice engine: the best one that can run here, falling back offline."""
CONCURRENCY: Final = 4
"""Chunks synthesized at once."""
MAX_CONCURRENCY: Final = 32
"""More than this only gets an online service to rate-limit us."""
PACE: Final = "formal"
"""Speaking-rate preset of the timing estimate (200 字/min, 130 words/min: see timing/estimate.py)."""
SENTENCE_PAUSE: Final = 0.25
"""Seconds of silence between chunks of one point (chunks end at sentence ends)."""
POINT_PAUSE: Final = 0.7
"""Seconds of silence between points (slides)."""
RETRY_ATTEMPTS: Final = 4
"""Tries per chunk in all, when the engine says a retry may help (429, 503, timeouts, cut streams)."""
RETRY_BASE: Final = 0.5
"""Seconds: the backoff before retry n is at most RETRY_BASE · 2**n …"""
RETRY_CAP: Final = 8.0
"""… and never more than this many seconds."""
VIDEO_SIZE: Final = (1920, 1080)
"""Width × height of video.mp4, in px."""
DECK_FONTS: Final = "windows"
"""East-Asian faces the deck names: each theme role's first name, what PowerPoint and WPS on Windows
resolve (FangSong for 仿宋); "installed" names the first of the theme's list that this machine has."""
SUBTITLES: Final = "soft"
"""Subtitles in video.mp4: a track the player can switch off ("burn" draws them in as well)."""
