"""Chinese word segmentation through jieba, loaded lazily and once per process.

jieba prints to stderr and keeps its 9 MB dictionary cache in the shared temp dir, which on a
multi-user machine belongs to whoever ran it first: point it at our per-user cache and silence it.

jieba reaches its dictionary through pkg_resources when it can import it, else by path, which is all it
needs. Here jieba is imported without it: pkg_resources takes 0.12 s of a process, warns in recent setuptools,
and builds pyparsing grammars whose objects, when a Ctrl-C lands mid-import, fail in their finalizer later and
print a traceback under the build's one line.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from collections.abc import Mapping
from functools import lru_cache
from types import ModuleType
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
            jieba = _import_jieba()
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


def _import_jieba() -> ModuleType:
    """jieba, with `import pkg_resources` failing while it is imported (None in sys.modules makes an import
    raise ImportError), unless something had imported pkg_resources already."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its regexes' invalid escapes warn when compiled
            import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    module: ModuleType = jieba
    return module


@lru_cache(maxsize=4096)
def cut(text: str) -> tuple[str, ...]:
    """Words of `text` in order; joined they give `text` back exactly."""
    return tuple(_load().cut(text, HMM=True))


def frequencies() -> Mapping[str, int]:
    """jieba's dictionary: each word → how often it is seen (what `cut` weighs words by)."""
    found: Mapping[str, int] = _load().FREQ
    return found
