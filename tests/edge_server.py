"""A loopback server speaking edge-tts 7.3.1's websocket protocol, with injectable faults.

It runs aiohttp.web on 127.0.0.1 (port 0) in a background thread, so synchronous tests, async
tests and benchmarks can all use it. Point edge-tts at it with `server.pointing()` (a context
manager) or `server.patch(monkeypatch)`: both set `edge_tts.communicate.WSS_URL`,
`edge_tts.voices.VOICE_LIST` and `NO_PROXY` (patching `edge_tts.constants` does nothing).

The protocol, as `edge_tts/communicate.py` speaks it:
- client → server, text: `Path:speech.config` (JSON with `sentenceBoundaryEnabled` /
  `wordBoundaryEnabled`), then `Path:ssml` (`<speak><voice><prosody rate pitch volume>TEXT`).
- server → client, text: `Path:turn.start`, `Path:response`, `Path:audio.metadata` (JSON
  `{"Metadata": [{"Type": "WordBoundary", "Data": {"Offset", "Duration", "text": {"Text"}}}]}`,
  offsets and durations in 100-ns ticks), `Path:turn.end`.
- server → client, binary: 2-byte big-endian header length, headers ending `Path:audio\\r\\n`,
  then mp3 bytes (24 kHz mono 48 kbit/s CBR: 144-byte frames, 6000 bytes per second).

Behaviours, one per request (the HTTP upgrade), taken in order from `script(...)`, then `ok`:
`ok`, `403` (with a skewed `Date`), `403_bare` (an unreadable `Date`), `429`, `503`, `drop`
(close the TCP connection before answering), `no_audio`, `disconnect` (abort the TCP connection
half way), `truncate` (half the words and audio, then a normal `turn.end`), `clip` (every word,
a third of the audio), `slow` (`slow_delay` s before every message), `stall` (turn.start, then
silence until the client leaves). `latency` (s) delays every request before its first answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import os
import re
import subprocess
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape, unescape

from aiohttp import WSMsgType, web

TICKS = 10_000_000
"""100-ns ticks per second."""
BYTES_PER_SECOND = 6000
"""48 kbit/s CBR mp3."""
FRAME = 144
"""Bytes per mp3 frame at 24 kHz, 48 kbit/s, MPEG-2 layer III (24 ms of audio)."""
HAN_SECONDS = 0.25
"""Speaking time per Han character (240 字/min)."""
LATIN_SECONDS = 0.065
"""Speaking time per Latin letter or digit (≈ 150 wpm)."""
LEAD, TAIL = 0.1, 0.4
"""Silence before the first word and after the last, seconds."""
PATH = "/consumer/speech/synthesize/readaloud"
SKEW = 3600.0
"""How far (s) the `Date` of a 403 is ahead of the clock."""
BEHAVIOURS = frozenset(
    {"ok", "403", "403_bare", "429", "503", "drop", "no_audio", "disconnect", "truncate", "clip", "slow", "stall"}
)

VOICES: list[dict[str, Any]] = [
    {
        "Name": f"Microsoft Server Speech Text to Speech Voice ({locale}, {short})",
        "ShortName": f"{locale}-{short}",
        "Gender": gender,
        "Locale": locale,
        "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
        "FriendlyName": f"Microsoft {short} Online (Natural)",
        "Status": "GA",
        "VoiceTag": {"ContentCategories": categories, "VoicePersonalities": ["Warm"]},
    }
    for locale, short, gender, categories in (
        ("zh-CN", "XiaoxiaoNeural", "Female", ["News", "Novel"]),
        ("zh-CN", "YunjianNeural", "Male", ["Sports", "Novel"]),
        ("en-US", "AndrewNeural", "Male", ["Conversation", "Copilot"]),
        ("en-US", "AriaNeural", "Female", ["News", "Novel"]),
        ("fr-FR", "DeniseNeural", "Female", ["General"]),
    )
]


# ---------------------------------------------------------------- audio


@functools.lru_cache(maxsize=1)
def mp3_frames() -> tuple[bytes, ...]:
    """Real 144-byte mp3 frames (a 220 Hz tone, no bit reservoir, no Xing/ID3) to slice from.

    Made once with imageio-ffmpeg's libmp3lame; falls back to silent frames (valid header,
    zero side information) when ffmpeg cannot run.
    """
    try:
        import imageio_ffmpeg

        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
        command += ["-i", "sine=frequency=220:sample_rate=24000:duration=4", "-ac", "1", "-ar", "24000"]
        command += ["-c:a", "libmp3lame", "-b:a", "48k", "-reservoir", "0", "-write_xing", "0"]
        command += ["-id3v2_version", "0", "-f", "mp3", "pipe:1"]
        data = subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
    except Exception:
        data = b""
    frames = tuple(data[i : i + FRAME] for i in range(0, len(data) - FRAME + 1, FRAME))
    if len(frames) < 10 or any(frame[:2] != b"\xff\xf3" for frame in frames):
        frames = (b"\xff\xf3\x64\xc4" + bytes(FRAME - 4),)
    return frames


def audio_bytes(first_frame: int, last_frame: int) -> bytes:
    """Frames [first_frame, last_frame) of an endless stream cycling `mp3_frames()`."""
    frames = mp3_frames()
    return b"".join(frames[i % len(frames)] for i in range(first_frame, last_frame))


def frames_for(seconds: float) -> int:
    """Number of whole frames that cover `seconds` of audio."""
    return math.ceil(seconds * BYTES_PER_SECOND / FRAME)


# ---------------------------------------------------------------- text → timed words

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(number: int) -> str:
    """English words for 0 … 999 (the kind of normalisation Microsoft applies), digits beyond."""
    if number < 20:
        return _ONES[number]
    if number < 100:
        return _TENS[number // 10] + ("" if number % 10 == 0 else " " + _ONES[number % 10])
    if number < 1000:
        rest = number % 100
        return _ONES[number // 100] + " hundred" + ("" if rest == 0 else " " + spell(rest))
    return " ".join(_ONES[int(digit)] for digit in str(number))


_WORD = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9]+(?:['’.,%][A-Za-z0-9]+)*%?")
_PAUSE = re.compile(r"[。！？!?.;；]\s*$|[，、,：:]\s*$")


@dataclass(frozen=True)
class Word:
    """One boundary as the service reports it."""

    text: str
    start: float
    """Seconds."""
    duration: float
    """Seconds."""
    sentence: int = 0
    """Index of the sentence the word belongs to."""


def words_of(text: str, *, normalise_numbers: bool) -> list[str]:
    """Split text into boundary words: Han runs in pairs (Chinese words come per word), Latin runs whole."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group()
        if re.fullmatch(r"[\u3400-\u9fff]+", token):
            words.extend(token[i : i + 2] for i in range(0, len(token), 2))
        elif normalise_numbers and token.isdigit():
            words.extend(spell(int(token)).split())
        else:
            words.append(token)
    return words


def timed_words(text: str, *, rate: float, normalise_numbers: bool) -> tuple[list[Word], float]:
    """Boundaries with times for `text` spoken at `rate` (1.0 = default), and the audio length (s)."""
    clock, sentence, words = LEAD, 0, []
    for match in _WORD.finditer(text):
        ends = re.match(r"\s*[。！？!?.;；]", text[match.end() :]) is not None
        for word in words_of(match.group(), normalise_numbers=normalise_numbers):
            per = HAN_SECONDS if re.match(r"[\u3400-\u9fff]", word) else LATIN_SECONDS
            duration = max(1, len(word)) * per / rate
            words.append(Word(word, clock, duration, sentence))
            clock += duration + 0.05 / rate
        clock += 0.3 / rate if ends else 0.0
        sentence += ends
    return words, clock + TAIL


def sentences_of(words: list[Word]) -> list[Word]:
    """Merge timed words into one boundary per sentence (SentenceBoundary mode)."""
    merged: list[Word] = []
    for word in words:
        if merged and merged[-1].sentence == word.sentence:
            last = merged[-1]
            glue = "" if re.match(r"[\u3400-\u9fff]", word.text) else " "
            end = word.start + word.duration
            merged[-1] = Word(last.text + glue + word.text, last.start, end - last.start, last.sentence)
        else:
            merged.append(word)
    return merged


# ---------------------------------------------------------------- wire format


def text_message(path: str, body: str, request_id: str) -> str:
    """A text frame as the service sends it: headers, blank line, body."""
    return f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\nPath:{path}\r\n\r\n{body}"


def audio_message(data: bytes, request_id: str) -> bytes:
    """A binary frame: 2-byte big-endian header length, headers, mp3 bytes (none = end marker)."""
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    headers = f"X-RequestId:{request_id}\r\n{content}X-StreamId:{request_id[:8]}\r\nPath:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + data


def metadata_message(word: Word, kind: str, request_id: str) -> str:
    """One `audio.metadata` frame for one boundary."""
    data = {
        "Offset": round(word.start * TICKS),
        "Duration": round(word.duration * TICKS),
        "text": {"Text": escape(word.text), "Length": len(word.text), "BoundaryType": kind},
    }
    return text_message("audio.metadata", json.dumps({"Metadata": [{"Type": kind, "Data": data}]}), request_id)


def parse_headers(message: str) -> tuple[dict[str, str], str]:
    """Split a client text frame into its headers and body."""
    head, _, body = message.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


def parse_ssml(ssml: str) -> tuple[str, float]:
    """The spoken text (unescaped) and the rate factor of an edge-tts SSML request."""
    match = re.search(r"<prosody[^>]*rate='([+-]\d+)%'[^>]*>(.*)</prosody>", ssml, re.S)
    if match is None:
        raise ValueError("no prosody element in ssml")
    return unescape(match.group(2)), max(0.1, 1.0 + int(match.group(1)) / 100.0)


# ---------------------------------------------------------------- pointing edge-tts here


def wss_url(port: int) -> str:
    """The `edge_tts.communicate.WSS_URL` for a server on `port` (edge-tts appends `&ConnectionId=…`)."""
    return f"ws://127.0.0.1:{port}{PATH}/edge/v1?TrustedClientToken=6A5AA1D4EAFF4E9FB37E23D68491D6F4"


def voices_url(port: int) -> str:
    """The `edge_tts.voices.VOICE_LIST` for a server on `port`."""
    return f"http://127.0.0.1:{port}{PATH}/voices/list?trustedclienttoken=6A5AA1D4EAFF4E9FB37E23D68491D6F4"


@contextlib.contextmanager
def pointing(port: int) -> Iterator[int]:
    """Point edge-tts at the server on `port` for the duration of the block, then restore."""
    import edge_tts.communicate
    import edge_tts.voices

    saved = edge_tts.communicate.WSS_URL, edge_tts.voices.VOICE_LIST, os.environ.get("NO_PROXY")
    edge_tts.communicate.WSS_URL, edge_tts.voices.VOICE_LIST = wss_url(port), voices_url(port)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    try:
        yield port
    finally:
        edge_tts.communicate.WSS_URL, edge_tts.voices.VOICE_LIST = saved[0], saved[1]
        if saved[2] is None:
            os.environ.pop("NO_PROXY", None)
        else:
            os.environ["NO_PROXY"] = saved[2]


# ---------------------------------------------------------------- the server


class EdgeServer:
    """Loopback edge endpoint in a background thread; counts requests and concurrency."""

    def __init__(self, *, latency: float = 0.0, slow_delay: float = 0.05, normalise_numbers: bool = False) -> None:
        self.latency = latency
        """Seconds before the first answer to every request."""
        self.slow_delay = slow_delay
        """Seconds before each message under `slow`."""
        self.normalise_numbers = normalise_numbers
        """Report English digits as words in boundaries, as Microsoft does (100 → one hundred)."""
        self.requests = 0
        self.active = 0
        self.max_concurrent = 0
        self.texts: list[str] = []
        """The text of every answered ssml request, in order."""
        self.behaviours: deque[str] = deque()
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # -- control

    def script(self, *behaviours: str) -> None:
        """Queue behaviours for the next requests, in order; later requests behave `ok`."""
        unknown = set(behaviours) - BEHAVIOURS
        if unknown:
            raise ValueError(f"unknown behaviours {sorted(unknown)}; known: {sorted(BEHAVIOURS)}")
        with self._lock:
            self.behaviours.extend(behaviours)

    def reset(self) -> None:
        """Forget counts and queued behaviours."""
        with self._lock:
            self.behaviours.clear()
            self.requests = self.max_concurrent = 0
            self.texts.clear()

    @property
    def wss_url(self) -> str:
        """What to put in `edge_tts.communicate.WSS_URL` (edge-tts appends `&ConnectionId=…`)."""
        return wss_url(self.port)

    @property
    def voices_url(self) -> str:
        """What to put in `edge_tts.voices.VOICE_LIST`."""
        return voices_url(self.port)

    def pointing(self) -> contextlib.AbstractContextManager[int]:
        """Point edge-tts at this server for the duration of the block, then restore."""
        return pointing(self.port)

    def patch(self, monkeypatch: Any) -> None:
        """Point edge-tts at this server with pytest's monkeypatch (undone after the test)."""
        import edge_tts.communicate
        import edge_tts.voices

        monkeypatch.setattr(edge_tts.communicate, "WSS_URL", self.wss_url)
        monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", self.voices_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")

    # -- lifecycle

    def __enter__(self) -> EdgeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving on a free loopback port (blocks until it listens)."""
        mp3_frames()
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="edge-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("edge test server did not start")

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None

    def _serve(self, ready: threading.Event) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._setup())
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._teardown())
        self._loop.close()

    async def _setup(self) -> None:
        app = web.Application()
        app.router.add_get(f"{PATH}/edge/v1", self._synthesis)
        app.router.add_get(f"{PATH}/voices/list", self._voices)
        app.router.add_get("/stats", self._stats)
        app.router.add_post("/reset", self._reset)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _teardown(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- handlers

    async def _voices(self, request: web.Request) -> web.Response:
        return web.json_response(VOICES)

    async def _stats(self, request: web.Request) -> web.Response:
        """Counts for a client in another process (the benchmark runs the server apart)."""
        return web.json_response({"requests": self.requests, "max_concurrent": self.max_concurrent})

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({})

    def _next(self) -> str:
        with self._lock:
            self.requests += 1
            return self.behaviours.popleft() if self.behaviours else "ok"

    async def _synthesis(self, request: web.Request) -> web.StreamResponse:
        behaviour = self._next()
        with self._lock:
            self.active += 1
            self.max_concurrent = max(self.max_concurrent, self.active)
        try:
            return await self._answer(request, behaviour)
        finally:
            with self._lock:
                self.active -= 1

    async def _answer(self, request: web.Request, behaviour: str) -> web.StreamResponse:
        if not {"TrustedClientToken", "ConnectionId", "Sec-MS-GEC", "Sec-MS-GEC-Version"} <= set(request.query):
            return web.Response(status=400, text="missing edge query parameters")
        await asyncio.sleep(self.latency)
        if behaviour == "403":
            return web.Response(status=403, headers={"Date": formatdate(time.time() + SKEW, usegmt=True)})
        if behaviour == "403_bare":
            response = web.Response(status=403)
            response.headers["Date"] = "not a date"  # edge-tts then cannot correct its clock
            return response
        if behaviour == "drop" and request.transport is not None:
            request.transport.abort()
            return web.Response(status=500)
        if behaviour in ("429", "503"):
            return web.Response(status=int(behaviour), headers={"Retry-After": "1"})
        socket = web.WebSocketResponse(compress=True)
        transport = request.transport
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            await self._converse(socket, behaviour, transport)
        finally:
            self._sockets.discard(socket)
        return socket

    async def _converse(self, socket: web.WebSocketResponse, behaviour: str, transport: Any) -> None:
        config, ssml = await self._request(socket)
        if ssml is None:
            return
        kind = "SentenceBoundary" if '"sentenceBoundaryEnabled":"true"' in config else "WordBoundary"
        text, rate = parse_ssml(ssml)
        with self._lock:
            self.texts.append(text)
        request_id = uuid.uuid4().hex
        delay = self.slow_delay if behaviour == "slow" else 0.0
        await self._send(socket, text_message("turn.start", '{"context":{"serviceTag":"x"}}', request_id), delay)
        if behaviour == "stall":
            await socket.receive()  # returns when the client gives up and closes
            return
        await self._send(socket, text_message("response", '{"context":{"serviceTag":"x"}}', request_id), delay)
        if behaviour != "no_audio":
            await self._stream(socket, text, rate, kind, behaviour, request_id, delay)
        if behaviour == "disconnect":
            if transport is not None:
                transport.abort()
            return
        await self._send(socket, text_message("turn.end", "{}", request_id), delay)
        await socket.close()

    async def _request(self, socket: web.WebSocketResponse) -> tuple[str, str | None]:
        """Read `speech.config` and `ssml`; (config body, ssml body or None if the client left)."""
        bodies: dict[str, str] = {}
        while "ssml" not in bodies:
            message = await socket.receive()
            if message.type != WSMsgType.TEXT:
                return bodies.get("speech.config", ""), None
            headers, body = parse_headers(message.data)
            bodies[headers.get("Path", "")] = body
        return bodies.get("speech.config", ""), bodies["ssml"]

    async def _stream(
        self,
        socket: web.WebSocketResponse,
        text: str,
        rate: float,
        kind: str,
        behaviour: str,
        request_id: str,
        delay: float,
    ) -> None:
        """Boundaries interleaved with the audio they cover, in time order."""
        words, total = timed_words(text, rate=rate, normalise_numbers=self.normalise_numbers)
        if kind == "SentenceBoundary":
            words = sentences_of(words)
        if behaviour in ("truncate", "disconnect"):
            words = words[: max(1, len(words) // 2)]
            total = words[-1].start + words[-1].duration if words else total / 2
        if behaviour == "clip":
            total /= 3
        sent = 0
        for word in words:
            await self._send(socket, metadata_message(word, kind, request_id), delay)
            upto = min(frames_for(word.start + word.duration), frames_for(total))
            if upto > sent:
                await self._send(socket, audio_message(audio_bytes(sent, upto), request_id), delay)
                sent = upto
        if frames_for(total) > sent:
            await self._send(socket, audio_message(audio_bytes(sent, frames_for(total)), request_id), delay)
        if behaviour != "disconnect":
            await self._send(socket, audio_message(b"", request_id), delay)

    @staticmethod
    async def _send(socket: web.WebSocketResponse, message: str | bytes, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if isinstance(message, bytes):
            await socket.send_bytes(message)
        else:
            await socket.send_str(message)


def main() -> None:
    """Serve in this process until stdin closes: `python tests/edge_server.py [--latency S]` prints the port."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with EdgeServer(latency=args.latency) as server:
        print(server.port, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
