"""edge-tts: Microsoft's online neural voices (the default when the network reaches them).

One `synthesize` call speaks one chunk (≤ `max_chunk` characters, split at sentence ends by the
shared layer). Each attempt opens a new `edge_tts.Communicate`, is bounded by `timeout` as a
whole (edge's own receive timeout does not bound websocket reads), and must prove it got the
whole text before its audio is returned: the last word boundary has to reach the end of the
text and the audio has to be long enough to say it. Each failure says whether trying again may
help (`retryable`); the narration layer does the retrying. A 403 is retryable the first time a
chunk meets it and then reported as "upgrade edge-tts", since only a new edge-tts release fixes
a changed handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import urllib.parse
import urllib.request
from typing import Any, Final

import aiohttp
import edge_tts
import edge_tts.communicate
from edge_tts.exceptions import EdgeTTSException, NoAudioReceived, SkewAdjustmentError

from deliver.errors import EngineUnavailable, OptionError, SynthesisError, TruncatedAudio
from deliver.model import Language
from deliver.speech.text import is_han
from deliver.voices.align import Mark, align, significant
from deliver.voices.base import Prosody, Rendition, Voice

BYTES_PER_SECOND: Final = 6000
"""edge's output is audio-24khz-48kbitrate-mono-mp3: 48 kbit/s CBR, so seconds = bytes / 6000."""
TICKS_PER_SECOND: Final = 10_000_000
"""Boundary offsets and durations come in 100-ns ticks."""
BOUNDARY: Final = "WordBoundary"
"""Word, not sentence, boundaries (edge sends one kind, never both). A 讲话稿 sentence often runs
60–120 字, too long for one subtitle line or teleprompter step: word cues let the shared layer cut
lines at real times, and make the truncation check exact to the word instead of the sentence."""
DEFAULT_VOICES: Final[dict[Language, str]] = {"zh": "zh-CN-YunjianNeural", "en": "en-US-AndrewNeural"}
MAX_CHARS_PER_SECOND: Final = {"han": 10.0, "other": 30.0}
"""Twice the fastest normal delivery (≈ 5 字/s, ≈ 15 letters/s): audio shorter than the text at
these speeds (scaled by the rate) cannot hold all of it."""
COVERAGE_SLACK: Final = (3, 0.02)
"""The last boundary may stop this many significant characters (or this share) before the end."""
UPGRADE: Final = "upgrade edge-tts (pip install -U edge-tts)"
_VOICE_NAME: Final = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(?:-[A-Za-z]+)?-[A-Z][A-Za-z0-9]*Neural$")
_BUILTIN: Final = (
    ("zh-CN-XiaoxiaoNeural", "Female, News, Novel; Warm"),
    ("zh-CN-XiaoyiNeural", "Female, Cartoon, Novel; Lively"),
    ("zh-CN-YunjianNeural", "Male, Sports, Novel; Passion"),
    ("zh-CN-YunxiNeural", "Male, Novel; Lively, Sunshine"),
    ("zh-CN-YunyangNeural", "Male, News; Professional, Reliable"),
    ("en-US-AndrewNeural", "Male, Conversation; Warm, Confident"),
    ("en-US-AriaNeural", "Female, News, Novel; Positive, Confident"),
    ("en-US-AvaNeural", "Female, Conversation; Expressive, Caring"),
    ("en-US-BrianNeural", "Male, Conversation; Approachable, Casual"),
    ("en-US-ChristopherNeural", "Male, News, Novel; Reliable, Authority"),
    ("en-US-EmmaNeural", "Female, Conversation; Cheerful, Clear"),
    ("en-US-GuyNeural", "Male, News, Novel; Passion"),
    ("en-US-JennyNeural", "Female, General; Friendly, Considerate"),
)
"""Well-known voices offered when the voice list cannot be fetched."""


def check_voice_name(name: str) -> str:
    """`name` if it has the shape of an edge voice (xx-YY-NameNeural). Raises OptionError."""
    if not _VOICE_NAME.match(name):
        raise OptionError(
            f"--voice {name!r}: not an edge voice name; write it like zh-CN-YunjianNeural or "
            "en-US-AndrewNeural (list them with: deliver voices --engine edge)"
        )
    return name


def _language_of(locale: str) -> str:
    return locale.split("-", 1)[0]


def _builtin_voices() -> list[Voice]:
    return [Voice("edge", name, _language_of(name), label) for name, label in _BUILTIN]  # type: ignore[arg-type]


def _voice_from_listing(entry: dict[str, Any]) -> Voice:
    """One `edge_tts.list_voices()` entry as a Voice with a "Female, News; Warm" label."""
    tags = entry.get("VoiceTag") or {}
    label = ", ".join([str(entry.get("Gender", "")), *tags.get("ContentCategories", [])])
    personalities = ", ".join(tags.get("VoicePersonalities", []))
    language = _language_of(str(entry["Locale"]))
    return Voice("edge", str(entry["ShortName"]), language, f"{label}; {personalities}" if personalities else label)  # type: ignore[arg-type]


def _endpoint(url: str) -> tuple[str, int]:
    """(host, port) a TCP connection to `url` goes to first: its proxy when one applies, else itself."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    proxy = urllib.request.getproxies().get(scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxied = urllib.parse.urlsplit(proxy if "//" in proxy else f"http://{proxy}")
        return proxied.hostname or "", proxied.port or 80
    return host, parts.port or (443 if scheme == "https" else 80)


def _reachable(host: str, port: int, timeout: float) -> bool:
    """True when a TCP connection to host:port opens within `timeout` seconds (DNS included)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, name="edge-probe", daemon=True)
    thread.start()
    thread.join(timeout)  # a resolver that hangs on an offline machine must not hang us
    return bool(result and result[0])


class EdgeEngine:
    """The edge-tts engine. All arguments have defaults: the registry builds it bare.

    `timeout`: seconds one attempt may take from connect to the last byte.
    `probe_timeout`: seconds `available()` waits for a TCP connection.
    """

    name = "edge"
    online = True
    languages: frozenset[Language] = frozenset({"zh", "en"})
    max_chunk = 1000
    version = f"edge-tts {edge_tts.__version__}"

    def __init__(self, *, timeout: float = 30.0, probe_timeout: float = 1.5) -> None:
        self.timeout = timeout
        self.probe_timeout = probe_timeout
        self._available: bool | None = None
        self._voices: list[Voice] | None = None
        self._forbidden: dict[str, int] = {}
        """403 answers per chunk text since it last succeeded: the second one is not worth a retry."""

    # -- discovery

    def missing(self) -> str | None:
        """Why edge cannot be used here (its host does not answer), or None."""
        return None if self.available() else "edge: the online voices are not reachable from here"

    def available(self) -> bool:
        """Whether edge's host (or the proxy to it) accepts a TCP connection; asked once per instance."""
        if self._available is None:
            host, port = _endpoint(edge_tts.communicate.WSS_URL)  # type: ignore[attr-defined]  # read now: tests patch it
            self._available = bool(host) and _reachable(host, port, self.probe_timeout)
        return self._available

    def owns_voice(self, name: str) -> bool:
        """Whether `name` has the shape of an edge voice (xx-YY-NameNeural)."""
        return bool(_VOICE_NAME.match(name))

    def voice_ready(self, voice: Voice) -> bool:
        """Edge voices live on the service: nothing to install."""
        return True

    def voices(self, language: Language | None = None) -> list[Voice]:
        """Voices from edge's voice list when reachable, else a built-in list of well-known ones."""
        if self._voices is None:
            self._voices = self._listed() or _builtin_voices()
        return [v for v in self._voices if language is None or v.language == language]

    def _listed(self) -> list[Voice]:
        """edge's own list for our languages, or [] when it cannot be fetched within a few seconds."""
        if not self.available():
            return []
        found: list[list[dict[str, Any]]] = []

        def fetch() -> None:
            with contextlib.suppress(Exception):  # any failure: the built-in list will do
                found.append(asyncio.run(asyncio.wait_for(edge_tts.list_voices(), 5.0)))  # type: ignore[arg-type]

        thread = threading.Thread(target=fetch, name="edge-voices", daemon=True)
        thread.start()
        thread.join(6.0)  # works whether or not the caller is inside an event loop
        entries = found[0] if found else []
        voices = [_voice_from_listing(e) for e in entries if _language_of(str(e.get("Locale", ""))) in self.languages]
        return sorted(voices, key=lambda v: v.name)

    def default_voice(self, language: Language) -> Voice:
        """zh-CN-YunjianNeural or en-US-AndrewNeural. Raises EngineUnavailable for other languages."""
        if language not in DEFAULT_VOICES:
            raise EngineUnavailable(f"edge: no default voice for {language!r}; choose one with --voice")
        name = DEFAULT_VOICES[language]
        label = dict(_BUILTIN).get(name, "")
        return Voice("edge", name, language, label)

    def voice(self, name: str) -> Voice:
        """A Voice for an edge voice name, its language read from the name. Raises OptionError."""
        language = _language_of(check_voice_name(name))
        if language not in self.languages:
            raise OptionError(f"--voice {name!r}: deliver speaks zh and en; choose a zh-… or en-… voice")
        return Voice("edge", name, language)

    # -- synthesis

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """Speak one chunk over one connection, then check it is whole. Raises SynthesisError (transient
        failures with `retryable`), TruncatedAudio, OptionError.

        `duration` is len(audio) / 6000 s (exact for edge's CBR stream, trailing silence included);
        boundaries are word cues mapped onto `text` by `align`.
        """
        check_voice_name(voice.name)
        if not significant(text)[0]:
            raise SynthesisError(f"edge: nothing to speak in {text[:20]!r}; the chunk has no words", retryable=False)
        communicate = edge_tts.Communicate(
            text,
            voice.name,
            rate=f"{prosody.rate:+d}%",
            pitch=f"{prosody.pitch:+d}Hz",
            volume=f"{prosody.volume:+d}%",
            boundary=BOUNDARY,
        )
        try:
            audio, marks = await asyncio.wait_for(_collect(communicate), self.timeout)
        except (EdgeTTSException, aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            raise self._classified(error, text) from error
        self._forbidden.pop(text, None)
        return _rendition(text, audio, marks, prosody)

    def _classified(self, error: BaseException, text: str) -> SynthesisError:
        """`_classify`, with a 403 counted against this chunk: retryable only the first time it is met."""
        status = _status(error)
        if status != 403:
            return _classify(error, status, self.timeout)
        forbidden = self._forbidden.get(text, 0) + 1
        if forbidden < 2:
            self._forbidden[text] = forbidden
        else:
            self._forbidden.pop(text, None)
        return SynthesisError(
            f"edge refused the connection (403: Microsoft changed its handshake); {UPGRADE}", forbidden < 2
        )


async def _collect(communicate: edge_tts.Communicate) -> tuple[bytes, list[Mark]]:
    """All audio bytes and boundary marks of one stream; closes the stream on any exit."""
    audio = bytearray()
    marks: list[Mark] = []
    async with contextlib.aclosing(communicate.stream()) as stream:
        async for chunk in stream:
            if chunk["type"] == "audio":
                audio += chunk.get("data", b"")
            else:
                start = chunk.get("offset", 0) / TICKS_PER_SECOND
                marks.append(Mark(start, start + chunk.get("duration", 0) / TICKS_PER_SECOND, chunk.get("text", "")))
    return bytes(audio), marks


def _status(error: BaseException) -> int:
    """The HTTP status of a failed attempt (a failed clock-skew fix is edge-tts's answer to a 403), else 0."""
    if isinstance(error, SkewAdjustmentError):
        return 403
    return error.status if isinstance(error, aiohttp.ClientResponseError) else 0


def _classify(error: BaseException, status: int, timeout: float) -> SynthesisError:
    """The SynthesisError for a failed attempt other than a 403, with whether a retry may help."""
    if status == 429:
        return SynthesisError("edge is rate-limiting (429); lower --concurrency or try again later", True)
    if status >= 500:
        return SynthesisError(f"edge service error ({status}); try again later or use an offline engine", True)
    if status:
        return SynthesisError(f"edge rejected the request ({status}); {UPGRADE}", False)
    if isinstance(error, asyncio.TimeoutError):
        return SynthesisError(
            f"edge did not finish within {timeout:g} s; check the network or use an offline engine", True
        )
    if isinstance(error, NoAudioReceived):
        return SynthesisError("edge sent no audio; try again, or choose another --voice", True)
    if isinstance(error, EdgeTTSException):
        return SynthesisError(f"edge stream broke ({type(error).__name__}: {error}); try again", True)
    reason = type(error).__name__
    return SynthesisError(f"cannot reach edge ({reason}); check the network or use an offline engine", True)


def _minimum_seconds(text: str, prosody: Prosody) -> float:
    """The shortest audio (s) that can hold all of `text` at this rate."""
    han = sum(1 for c in text if c.isalnum() and is_han(c))
    other = len(significant(text)[0]) - han
    speed = max(0.5, 1.0 + prosody.rate / 100.0)
    return (han / MAX_CHARS_PER_SECOND["han"] + other / MAX_CHARS_PER_SECOND["other"]) / speed


def _rendition(text: str, audio: bytes, marks: list[Mark], prosody: Prosody) -> Rendition:
    """Audio and boundaries as a Rendition once the stream is proven whole. Raises TruncatedAudio."""
    duration = len(audio) / BYTES_PER_SECOND
    if duration < _minimum_seconds(text, prosody):
        raise TruncatedAudio(
            f"edge audio too short ({duration:.1f} s for {len(text)} characters): the stream was cut; try again"
        )
    boundaries, covered, total = align(text, marks, duration)
    slack = max(COVERAGE_SLACK[0], round(COVERAGE_SLACK[1] * total))
    if marks and total - covered > slack:
        raise TruncatedAudio(
            f"edge stopped after {covered} of {total} characters of the chunk: the stream was cut; try again"
        )
    return Rendition(audio=audio, format="mp3", duration=duration, boundaries=tuple(boundaries))
