"""The pronunciation lexicon: how to say names, terms and 多音字 the engines get wrong.

A TOML file with a table per language:

    [zh]
    "重庆" = "chong2 qing4"      # pinyin with tone numbers (5 = neutral)
    [en]
    "Nguyen" = "win"            # a respelling

Every engine is given the reading in a form it pronounces unambiguously: an English word its
respelling; a Chinese word the most common characters that have exactly those syllables and no
other reading (重庆 chong2 qing4 → 崇庆), which each engine's own grapheme-to-phoneme step — Kokoro's
pinyin phonemizer included — then reads as asked. Slides and notes keep the speech's text.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

from deliver.errors import OptionError
from deliver.model import Language
from deliver.paths import user_config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_NAME: Final = "lexicon.toml"
_SYLLABLE: Final = re.compile(r"^[a-zü]+[1-5]$")
_COMMON: Final = 1000
"""jieba count from which a character is common enough to stand for its syllable."""


@dataclass(frozen=True)
class Lexicon:
    """Word → what to say instead, per language (already in the form engines are given)."""

    said: dict[Language, dict[str, str]] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()
    """The files it was read from (for the manifest)."""

    def words(self, language: Language) -> dict[str, str]:
        return self.said.get(language, {})


EMPTY: Final = Lexicon()


def default_path() -> Path:
    """The per-user lexicon, read on every build when it exists."""
    return user_config_dir() / DEFAULT_NAME


def load_lexicon(path: Path | None = None, *, use_default: bool = True) -> Lexicon:
    """The per-user lexicon (if present) overlaid by `path`. Raises OptionError for a bad file or reading."""
    files = [p for p in ((default_path() if use_default else None), path) if p is not None]
    said: dict[Language, dict[str, str]] = {}
    sources = []
    for file in files:
        if file == default_path() and not file.exists():
            continue
        for language, words in _read(file).items():
            said.setdefault(language, {}).update(words)
        sources.append(file)
    return Lexicon(said, tuple(sources)) if sources else EMPTY


def _read(path: Path) -> dict[Language, dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # -sig: Notepad starts UTF-8 with a BOM
    except OSError as exc:
        raise OptionError(f"--lexicon {path}: cannot be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:  # arrays nested thousands deep
        raise OptionError(f"--lexicon {path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"zh", "en"}
    if unknown:
        raise OptionError(f"--lexicon {path}: unknown table [{sorted(unknown)[0]}]; use [zh] and [en]")
    out: dict[Language, dict[str, str]] = {}
    for language in ("zh", "en"):
        table = data.get(language, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
            raise OptionError(f"--lexicon {path}: [{language}] must map words to readings written as strings")
        out[language] = {word: (homophones(reading, word, path) if language == "zh" else reading.strip())
                         for word, reading in table.items() if word.strip()}  # fmt: skip
    return out


def homophones(reading: str, word: str = "", path: Path | None = None) -> str:
    """ "chong2 qing4" → characters with exactly those syllables (the most common that have no other reading)."""
    index = _homophone_index()
    out = []
    for written in reading.lower().replace("v", "ü").replace("u:", "ü").split():
        syllable = written if written[-1].isdigit() else written + "5"
        if not _SYLLABLE.match(syllable) or syllable.replace("0", "5") not in index:
            where = f"--lexicon {path}: " if path else ""
            why = "needs a tone number" if written == syllable[:-1] else "is not a pinyin syllable"
            raise OptionError(f"{where}{word} = {reading!r}: {written!r} {why} (write e.g. chong2; 5 = neutral)")
        out.append(index[syllable.replace("0", "5")])
    return "".join(out)


def _jieba_folder() -> Path:
    """Where jieba's files are, found without importing it (only its dictionary is read here)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("jieba")
    return Path(spec.origin).parent


@lru_cache(maxsize=1)
def _homophone_index() -> dict[str, str]:
    """Syllable with tone number → the character to say it with: the most frequent in jieba's counts whose
    only reading it is, else the most frequent whose first reading it is."""
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.pinyin_dict import pinyin_dict

    counts = _single_character_counts(_jieba_folder() / "dict.txt")
    best: dict[str, tuple[int, int, str]] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        syllables = [to_tone3(r, neutral_tone_with_five=True).replace("v", "ü") for r in readings.split(",")]
        count = counts.get(char, 0)
        rank = (1 if len(set(syllables)) == 1 and count >= _COMMON else 0, count)
        key = syllables[0]
        if key not in best or rank > best[key][:2]:
            best[key] = (*rank, char)
    return {syllable: char for syllable, (_, _, char) in best.items()}


def _single_character_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, rest = line.partition(" ")
            if len(word) == 1:
                counts[word] = int(rest.split(" ", 1)[0])
    return counts
