"""Chinese word segmentation through jieba, loaded lazily and once per process.

jieba prints to stderr and keeps its 9 MB dictionary cache in the shared temp dir, which on a
multi-user machine belongs to whoever ran it first: point it at our per-user cache and silence it.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from deliver.paths import user_cache_dir

if TYPE_CHECKING:
    import jieba

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _load() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            with warnings.catch_warnings():
                # jieba imports pkg_resources, which warns on import in recent setuptools.
                warnings.simplefilter("ignore")
                import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            cache = user_cache_dir() / "jieba"
            try:
                cache.mkdir(parents=True, exist_ok=True)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = str(cache)
            except OSError:  # read-only home: jieba still works, it just rebuilds its cache
                tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


@lru_cache(maxsize=4096)
def cut(text: str) -> tuple[str, ...]:
    """Words of `text` in order; joined they give `text` back exactly."""
    return tuple(_load().cut(text, HMM=True))


def frequencies() -> Mapping[str, int]:
    """jieba's dictionary: each word → how often it is seen (what `cut` weighs words by)."""
    found: Mapping[str, int] = _load().FREQ
    return found
