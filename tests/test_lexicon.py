"""The pronunciation lexicon: files, homophones, and every engine being given the reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEngine, folders

from deliver import voices
from deliver.errors import OptionError
from deliver.model import Language
from deliver.pipeline import load
from deliver.voices.base import Prosody, Rendition, Voice
from deliver.voices.lexicon import default_path, homophones, load_lexicon
from deliver.voices.narrate import NarrationOptions, narrate
from deliver.voices.normalize import normalize


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_pinyin_readings_become_characters_with_exactly_that_reading() -> None:
    from pypinyin import Style, lazy_pinyin

    for reading in ("chong2 qing4", "chan2 yu2", "shan4 xian4", "lv4", "de5"):
        said = homophones(reading)
        assert len(said) == len(reading.split())
        assert " ".join(lazy_pinyin(said, style=Style.TONE3, neutral_tone_with_five=True)).replace(
            "v", "ü"
        ) == reading.replace("v", "ü")


def test_a_lexicon_file_reads_both_languages(tmp_path: Path) -> None:
    lexicon = load_lexicon(
        write(tmp_path / "词典 (mine).toml", '[zh]\n"重庆" = "chong2 qing4"\n[en]\nNguyen = "win"\n')
    )
    assert lexicon.words("zh") == {"重庆": homophones("chong2 qing4")}
    assert lexicon.words("en") == {"Nguyen": "win"}


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ('[zh]\n"重庆" = "chong qing"\n', "needs a tone number"),
        ('[zh]\n"重庆" = "xx9"\n', "pinyin syllable"),
        ('[fr]\nbonjour = "bonjoor"\n', "unknown table"),
        ("[en]\nword = 3\n", "strings"),
        ("[en\n", "not valid TOML"),
    ],
)
def test_a_bad_lexicon_is_a_one_line_option_error(tmp_path: Path, text: str, fix: str) -> None:
    with pytest.raises(OptionError, match=fix) as caught:
        load_lexicon(write(tmp_path / "bad.toml", text))
    assert "\n" not in str(caught.value)


def test_the_users_default_lexicon_applies_and_a_given_one_overrides_it(tmp_path: Path) -> None:
    default = default_path()
    default.parent.mkdir(parents=True, exist_ok=True)
    write(default, '[en]\nNguyen = "win"\nXi = "shee"\n')
    try:
        lexicon = load_lexicon(write(tmp_path / "mine.toml", '[en]\nXi = "she"\n'))
        assert lexicon.words("en") == {"Nguyen": "win", "Xi": "she"}
        assert lexicon.sources == (default, tmp_path / "mine.toml")
    finally:
        default.unlink()
    assert load_lexicon().sources == ()


def test_lexicon_words_win_over_number_rules_and_english_words_match_whole() -> None:
    assert normalize("重庆的2个区", "zh", {"重庆": "崇庆"}).text == "崇庆的两个区"
    assert normalize("Nguyen and Nguyenville", "en", {"Nguyen": "win"}).text == "win and Nguyenville"
    spoken = normalize("重庆的GDP", "zh", {"重庆": "崇庆市"})
    assert spoken.to_source(spoken.text.index("的")) == 2


@dataclass
class Recording:
    """Any engine, recording the text it is given."""

    inner: Any
    heard: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        self.heard.append(text)
        return await self.inner.synthesize(text, voice, prosody)


def narrate_with(engine: Any, text: str, language: Language, lexicon_file: Path, cache: Path) -> tuple[Any, Recording]:
    recording = Recording(engine)
    with voices.registered(engine.name, lambda _folders: recording):  # type: ignore[arg-type,return-value]
        source = cache.parent / f"speech-{language}.txt"
        source.write_text(text, encoding="utf-8")
        _, speech, _ = load(source)
        options = NarrationOptions(cache, folders(cache.parent), engine.name, lexicon=load_lexicon(lexicon_file))
        voiced, _ = narrate(speech, options)
    return voiced, recording


LEXICON = '[zh]\n"单县" = "shan4 xian4"\n[en]\nNguyen = "win"\n'


def engines() -> list[Any]:
    from deliver.voices.espeak import EspeakEngine
    from deliver.voices.piper import PiperEngine

    return [
        pytest.param(EspeakEngine, "zh", id="espeak-zh"),
        pytest.param(EspeakEngine, "en", id="espeak-en"),
        pytest.param(PiperEngine, "en", id="piper-en"),
        pytest.param(lambda: FakeEngine("edge", online=True), "zh", id="edge-shared-layer"),
    ]


@pytest.mark.parametrize(("make", "language"), engines())
def test_every_engine_is_given_the_lexicons_reading(tmp_path: Path, make: Any, language: Language) -> None:
    text = "单县今年来了2位客人。\n" if language == "zh" else "Mr. Nguyen spoke first.\n"
    voiced, recording = narrate_with(make(), text, language, write(tmp_path / "lex.toml", LEXICON), tmp_path / "cache")
    heard = " ".join(recording.heard)
    if language == "zh":
        assert homophones("shan4 xian4") in heard and "单县" not in heard and "两位" in heard
    else:
        assert "win" in heard and "Nguyen" not in heard
    section = voiced[0]
    assert all(b.text_end <= len(section.chunks[0].text) for r in section.renditions for b in r.boundaries)
