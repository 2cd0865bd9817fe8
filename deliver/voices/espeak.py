"""eSpeak NG through the `espeakng-loader` wheel, driven with ctypes: robotic, but always there.

The library keeps global state (one voice, one parameter set, one callback) and is not thread-safe:
parallel calls give wrong audio without any error. Every call into it goes through `_LOCK`.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from dataclasses import dataclass, field
from typing import Final

from deliver.errors import EngineUnavailable, OptionError, SynthesisError
from deliver.model import Language
from deliver.speech.text import is_han
from deliver.voices.base import Boundary, Prosody, Rendition, Voice, distribution_version
from deliver.voices.wav import pcm_duration, pcm_to_wav

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS: Final = 2
_INITIALIZE_DONT_EXIT: Final = 0x8000  # without it a bad data path calls exit(1) and kills Python
_CHARS_UTF8: Final = 1
_ENDPAUSE: Final = 0x1000  # a short pause after the chunk, as between sentences
_POS_CHARACTER: Final = 1
_EVENT_LIST_TERMINATED: Final = 0
_EVENT_WORD: Final = 1
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH = 1, 2, 3
_BUFFER_MS: Final = 1000
"""Audio handed to the callback per call, in ms (the library's default is 60). Each call takes the interpreter
lock: 15 hours of speech made 900,000 of them, each waiting its turn behind the threads encoding the
audio; the audio and the word events are the same whatever the size."""
_PHONEMES_IPA_TIED: Final = 0x02 | 0x80 | (ord("^") << 8)
"""espeak_TextToPhonemes mode: IPA, with "^" tying the letters of one phoneme (t^ʃ, a^ɪ)."""

DEFAULT_RATE: Final = 175
"""eSpeak's default speaking rate, words per minute (it accepts 80 … 450)."""
DEFAULT_PITCH: Final = 50
"""eSpeak's default pitch on its 0 … 100 scale."""
DEFAULT_VOLUME: Final = 100
"""eSpeak's default volume on its 0 … 200 scale (percent)."""

_VOICES: Final = (
    Voice("espeak", "cmn", "zh", "Mandarin, eSpeak NG (robotic; the last resort)"),
    Voice("espeak", "en-us", "en", "American English, eSpeak NG (robotic; the last resort)"),
)
_REINSTALL: Final = "reinstall with: pip install --force-reinstall espeakng-loader"

_LOCK = threading.Lock()
"""Serialises every call into any loaded eSpeak NG library in this process."""


class _Event(ctypes.Structure):
    """`espeak_EVENT`: one synthesis event (word, sentence, end …) handed to the callback."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters (code points), not UTF-8 bytes
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds from the start of this espeak_Synth call
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class _Capture:
    """What one espeak_Synth call produced: PCM16 samples and WORD events (1-based char, ms)."""

    pcm: bytearray = field(default_factory=bytearray)
    words: list[tuple[int, int]] = field(default_factory=list)


class _Library:
    """One loaded and initialised libespeak-ng; use only while holding `_LOCK`."""

    def __init__(self, library_path: str, data_path: str) -> None:
        self.lib = ctypes.CDLL(library_path)  # OSError when missing or broken
        self.data_path = data_path
        self._declare()
        self.sample_rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path.encode(), _INITIALIZE_DONT_EXIT
        )
        if self.sample_rate <= 0:
            raise EngineUnavailable(f"eSpeak NG could not read its data at {data_path}; {_REINSTALL}")
        self.version = (self.lib.espeak_Info(None) or b"?").decode("ascii", "replace")
        self._capture = _Capture()
        self._callback = _SynthCallback(self._collect)  # kept referenced: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _declare(self) -> None:
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, events: ctypes._Pointer[_Event]) -> int:
        """The synth callback: runs inside espeak_Synth on the calling thread. Must not raise."""
        if count > 0 and wav:
            self._capture.pcm += ctypes.string_at(wav, count * 2)
        index = 0
        while events and events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self._capture.words.append((event.text_position, event.audio_position))
            index += 1
        return 0  # 0 = go on synthesizing

    def speak(self, text: str, voice: str, rate: int, pitch: int, volume: int) -> _Capture:
        """Synthesize `text` whole (caller holds `_LOCK`). Raises OptionError, SynthesisError."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise OptionError(f"eSpeak NG has no voice {voice!r}; use one of: {', '.join(v.name for v in _VOICES)}")
        for parameter, value in ((_PARAM_RATE, rate), (_PARAM_PITCH, pitch), (_PARAM_VOLUME, volume)):
            self.lib.espeak_SetParameter(parameter, value, 0)
        self._capture = _Capture()
        # One code point in, one out (NUL would end the string; lone surrogates become "?"): positions stay aligned.
        data = text.replace("\0", " ").encode("utf-8", errors="replace") + b"\0"
        status = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None)
        capture, self._capture = self._capture, _Capture()
        if status != 0:
            raise SynthesisError(f"eSpeak NG failed on a chunk (error {status})", retryable=False)
        return capture

    def phonemes(self, text: str, voice: str) -> list[str]:
        """IPA of `text`, one string per clause (eSpeak drops the punctuation); multi-letter phonemes are
        tied with "^" (caller holds `_LOCK`)."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise OptionError(f"eSpeak NG has no voice {voice!r}")
        buffer = ctypes.create_string_buffer(text.replace("\0", " ").encode("utf-8", errors="replace"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses = []
        while pointer.value:
            result = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA_TIED)
            if result:
                clauses.append(result.decode("utf-8", "replace").strip())
        return [c for c in clauses if c]


_LIBRARIES: dict[str, _Library] = {}
_FAILURES: dict[str, str] = {}


def _load(library_path: str, data_path: str) -> _Library:
    """The library at `library_path`, loaded and initialised once per process. Raises EngineUnavailable."""
    with _LOCK:
        if library_path in _FAILURES:
            raise EngineUnavailable(_FAILURES[library_path])
        library = _LIBRARIES.get(library_path)
        if library is None:
            try:
                library = _LIBRARIES[library_path] = _Library(library_path, data_path)
            except OSError as error:
                _FAILURES[library_path] = f"eSpeak NG library failed to load ({error}); {_REINSTALL}"
                raise EngineUnavailable(_FAILURES[library_path]) from None
            except EngineUnavailable as error:
                _FAILURES[library_path] = str(error)
                raise
    if library.data_path != data_path:
        # The library is process-global: it cannot serve two data folders at once.
        raise EngineUnavailable(
            f"eSpeak NG is already running with data from {library.data_path}; restart to use {data_path}"
        )
    return library


def espeak_settings(prosody: Prosody) -> tuple[int, int, int]:
    """Prosody → eSpeak (rate wpm, pitch 0 … 100, volume 0 … 200).

    Rate and volume scale eSpeak's defaults by the percentage. Pitch is approximate: eSpeak's pitch
    is a unitless 0 … 100 knob, not Hz. Measured on en-us (median F0: 74, 85, 102, 131, 169 Hz at
    0, 25, 50, 75, 100) and cmn (62, 76, 94, 121, 161 Hz), one step is ≈ 1 Hz near the default, so
    the change in Hz is added to 50 and clamped; +50 Hz gives ≈ +67 Hz, −50 Hz ≈ −29 Hz.
    """
    rate = min(max(round(DEFAULT_RATE * (100 + prosody.rate) / 100), 80), 450)
    pitch = min(max(DEFAULT_PITCH + prosody.pitch, 0), 100)
    volume = min(max(DEFAULT_VOLUME + prosody.volume, 0), 200)
    return rate, pitch, volume


def _inside_word(text: str, offset: int) -> bool:
    """True when `offset` falls between two letters or digits of one Latin word or number."""
    if not 0 < offset < len(text):
        return False
    before, at = text[offset - 1], text[offset]
    return before.isalnum() and at.isalnum() and not is_han(before) and not is_han(at)


def word_boundaries(words: list[tuple[int, int]], text: str, duration: float) -> tuple[Boundary, ...]:
    """WORD events (1-based character position, ms) → contiguous Boundaries covering the whole text.

    Positions are not always word starts: beside digits they merge, repeat or step back ("2026年"
    gives 17, 18, 18, 21) and in some phrases they stall ("here and there" gives 1, 2, 2). Events
    are mapped monotonically, keeping the first of each position and dropping any that land inside
    a Latin word or number. A boundary runs from its word to the next (punctuation and spaces
    included); the first starts at offset 0, the last ends at the end of the text and of the audio.
    """
    marks: list[tuple[int, float]] = []
    for position, milliseconds in words:
        offset, seconds = position - 1, min(milliseconds / 1000, duration)
        if offset >= len(text) or _inside_word(text, offset):
            continue
        if marks and (offset <= marks[-1][0] or seconds < marks[-1][1]):
            continue
        marks.append((max(offset, 0), seconds))
    if not marks:
        return (Boundary(0.0, duration, 0, len(text)),) if text else ()
    marks[0] = (0, marks[0][1])
    ends = [*marks[1:], (len(text), duration)]
    return tuple(
        Boundary(start, end, text_start, text_end)
        for (text_start, start), (text_end, end) in zip(marks, ends, strict=True)
    )


def _paths() -> tuple[str, str]:
    """The wheel's library and data paths. Raises EngineUnavailable when the wheel is missing."""
    try:
        import espeakng_loader
    except ImportError:
        raise EngineUnavailable("eSpeak NG is not installed; install it with: pip install espeakng-loader") from None
    try:
        return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
    except RuntimeError as error:  # raised when the data folder is missing
        raise EngineUnavailable(f"eSpeak NG data is missing ({error}); {_REINSTALL}") from None


def phonemize(text: str, voice: str = "en-us") -> list[str]:
    """eSpeak NG's IPA for `text` (one string per clause), for engines that speak phonemes (Kokoro).
    Raises EngineUnavailable when the library cannot load."""
    library = _load(*_paths())
    with _LOCK:
        return library.phonemes(text, voice)


class EspeakEngine:
    """eSpeak NG: offline Mandarin and English, word boundaries, ≈ 1500× real time."""

    name = "espeak"
    online = False
    languages: frozenset[Language] = frozenset({"zh", "en"})
    max_chunk = 500

    def __init__(self, library_path: str | None = None, data_path: str | None = None) -> None:
        """Paths default to the espeakng-loader wheel's (resolved on first use)."""
        self._library_path = library_path
        self._data_path = data_path

    def _library(self) -> _Library:
        if self._library_path is None or self._data_path is None:
            library_path, data_path = _paths()
            self._library_path = self._library_path or library_path
            self._data_path = self._data_path or data_path
        return _load(self._library_path, self._data_path)

    @property
    def version(self) -> str:
        """libespeak-ng and wheel versions (part of the cache key)."""
        try:
            library = self._library().version
        except EngineUnavailable:
            library = "unavailable"
        return f"espeak-ng {library} (espeakng-loader {distribution_version('espeakng-loader')})"

    def missing(self) -> str | None:
        """Why the library cannot load or initialise here (with the fix), or None (cached; no synthesis)."""
        try:
            self._library()
        except EngineUnavailable as error:
            return str(error)
        return None

    def available(self) -> bool:
        return self.missing() is None

    def voices(self, language: Language | None = None) -> list[Voice]:
        return [voice for voice in _VOICES if language is None or voice.language == language]

    def voice_ready(self, voice: Voice) -> bool:
        """The voices come with the library's data."""
        return True

    def owns_voice(self, name: str) -> bool:
        return any(voice.name == name for voice in _VOICES)

    def voice(self, name: str) -> Voice:
        """One of the voices we offer (cmn, en-us). Raises OptionError."""
        for voice in _VOICES:
            if voice.name == name:
                return voice
        raise OptionError(f"eSpeak NG has no voice {name!r}; use one of: {', '.join(v.name for v in _VOICES)}")

    def default_voice(self, language: Language) -> Voice:
        for voice in _VOICES:
            if voice.language == language:
                return voice
        raise EngineUnavailable(f"eSpeak NG has no {language} voice here")

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Speak one chunk in a worker thread. Raises EngineUnavailable, OptionError, SynthesisError."""
        return await asyncio.to_thread(self.synthesize_sync, text, voice, prosody)

    def synthesize_sync(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Blocking synthesis of one chunk → WAV Rendition with word boundaries."""
        library = self._library()
        with _LOCK:
            capture = library.speak(text, voice.name, *espeak_settings(prosody))
        pcm = bytes(capture.pcm)
        if capture.words and not pcm:
            raise SynthesisError(f"eSpeak NG gave no audio for {len(text)} characters", retryable=False)
        duration = pcm_duration(pcm, library.sample_rate)
        boundaries = word_boundaries(capture.words, text, duration)
        return Rendition(pcm_to_wav(pcm, library.sample_rate), "wav", duration, boundaries)
