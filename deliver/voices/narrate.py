"""Narration: the speech's points → voiced chunks per section, through the cache, with fallback.

Owns concurrency (one semaphore for the whole build) and the per-section fallback decision;
engines only synthesize. Every engine call is retried here by one policy (`retry.py`) when the
error says a retry may help. A section is voiced by one engine and voice throughout: when a chunk
still fails, the whole section moves to the next candidate engine and the notice says so. A section
that no engine can voice fails the build: it never ships silent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple, TypeVar

from deliver import defaults
from deliver.errors import EngineUnavailable, OptionError, SynthesisError
from deliver.model import Language, Notice, Speech
from deliver.speech.text import pack, pieces_within, sentences
from deliver.voices import candidates, check_engine_name, passed_over, resolve_voice
from deliver.voices.base import Engine, Folders, Prosody, Rendition, Voice
from deliver.voices.cache import AudioRef, Cache, Stored, cache_key
from deliver.voices.inorder import InOrder, Refused
from deliver.voices.lexicon import EMPTY, Lexicon
from deliver.voices.normalize import Spoken, normalize
from deliver.voices.retry import RetryPolicy, with_retries

T = TypeVar("T")


def check_concurrency(concurrency: int) -> int:
    """`concurrency` when it is a usable number of chunks at once. Raises OptionError."""
    if not 1 <= concurrency <= defaults.MAX_CONCURRENCY:
        raise OptionError(f"--concurrency {concurrency}: must be between 1 and {defaults.MAX_CONCURRENCY}")
    return concurrency


@dataclass(frozen=True)
class NarrationOptions:
    """How to voice the speech; validated at construction."""

    cache_dir: Path
    folders: Folders
    """Where engines keep their voices and models (chosen at the edge)."""
    engine: str = defaults.ENGINE
    voice: str | None = None
    prosody: Prosody = field(default_factory=Prosody)
    concurrency: int = defaults.CONCURRENCY
    sentence_pause: float = defaults.SENTENCE_PAUSE
    """Seconds of silence between chunks of one point (chunks end at sentence ends)."""
    point_pause: float = defaults.POINT_PAUSE
    """Seconds of silence between points (slides)."""
    lexicon: Lexicon = EMPTY
    """How to say names and 多音字 (applied for every engine)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """How every engine call is tried again when its error is retryable."""

    def __post_init__(self) -> None:
        check_engine_name(self.engine)
        check_concurrency(self.concurrency)
        for name in ("sentence_pause", "point_pause"):
            if not 0 <= getattr(self, name) <= 10:
                raise OptionError(f"--{name.replace('_', '-')} {getattr(self, name)}: must be between 0 and 10 seconds")


@dataclass(frozen=True)
class Utterance:
    """One thing said in a section: a point's text, or the salutation (point None)."""

    point: int | None
    text: str


@dataclass(frozen=True)
class Chunk:
    """A piece of an utterance sent to the engine in one call (ends at a sentence end)."""

    utterance: int
    offset: int
    """Character offset of this chunk in its utterance's text."""
    text: str


@dataclass(frozen=True)
class VoicedSection:
    """A section's chunks and their renditions, and who voiced them. Its repr leaves the chunks out (asyncio
    3.11 computes the repr of the narration's result as its run ends: a long section's took seconds)."""

    index: int
    voice: Voice
    utterances: tuple[Utterance, ...] = field(repr=False)
    chunks: tuple[Chunk, ...] = field(repr=False)
    renditions: tuple[Rendition, ...] = field(repr=False)
    """Parallel to `chunks`: durations and boundaries; the audio stays in the cache (see `audio`), so a
    long speech's narration is never held in memory whole."""
    fallback_from: tuple[str, ...] = ()
    """Engines tried first that failed for this section, with their reason."""
    synthesized: int = 0
    """Chunks that were not in the cache."""
    keys: tuple[str, ...] = field(default=(), repr=False)
    """Cache key of each chunk (what was said, by whom, how): a rebuild with the same keys sounds the same."""
    audio: tuple[Callable[[], bytes], ...] = field(default=(), compare=False, repr=False)
    """Parallel to `chunks`: each call reads that chunk's audio bytes back from the cache (raises
    SynthesisError when its file was removed meanwhile), so whoever joins the audio knows nothing of the cache."""


def _reader(cache: Cache, ref: AudioRef, section: int) -> Callable[[], bytes]:
    """A function that reads the audio `ref` names (one chunk of section `section`): the very audio whose
    durations the section was given, even when another build sharing the cache stored the same words since."""

    def read() -> bytes:
        audio = cache.read(ref)
        if audio is None:
            raise SynthesisError(f"section {section + 1}: a cached chunk was removed during the build; build again")
        return audio

    return read


@dataclass(frozen=True)
class VoicedChunk:
    """One chunk of a section, told of as soon as it and every chunk before it in its section are voiced."""

    section: int
    position: int
    """Index into the section's chunks; 0 opens it, again when its engine failed (what came before is void)."""
    voice: Voice
    utterances: tuple[Utterance, ...]
    fallback_from: tuple[str, ...]
    """Engines that failed for this section before `voice`'s, with their reasons."""
    chunk: Chunk
    rendition: Rendition
    """Durations and boundaries; its audio is empty (`audio` reads it back from the cache)."""
    audio: Callable[[], bytes] = field(compare=False, repr=False)
    stored: bool = False
    """It was in the cache before this narration began (a section of such chunks may sound as it did before)."""


Tick = Callable[[int, int], None]
"""Progress: (chunks done, chunks in total)."""
Voiced = Callable[["VoicedSection"], None]
"""Told of each section as soon as all its chunks are voiced (in the order they finish), so its audio can
be encoded while the rest is synthesized; what it raises stops the narration."""
Heard = Callable[[VoicedChunk], None]
"""Told of each section's chunks in order, each as soon as it and those before it are voiced, so a section's
audio can be encoded while the section itself is still being synthesized; what it raises stops the narration."""


def utterances_of(speech: Speech) -> list[tuple[Utterance, ...]]:
    """Per section: what is said, in order (the salutation opens the first section)."""
    out: list[tuple[Utterance, ...]] = []
    index = 0
    for i, section in enumerate(speech.sections):
        said = [Utterance(None, speech.salutation)] if i == 0 and speech.salutation else []
        for point in section.points:
            said.append(Utterance(index, point.text))
            index += 1
        out.append(tuple(said))
    return out


def chunks_of(utterances: tuple[Utterance, ...], max_chars: int) -> tuple[Chunk, ...]:
    """One chunk per sentence of each utterance (a sentence over `max_chars` broken at clauses and packed
    back within it), trimmed of the whitespace around it. A chunk's text then depends on its sentence
    alone, so moving a slide break or editing a neighbouring sentence never changes it (nor its cache
    key): the narrated deck and the page re-cut the same audio at the new breaks."""
    chunks: list[Chunk] = []
    for u, utterance in enumerate(utterances):
        offset = 0
        for sentence in sentences(utterance.text):
            for run in pack(pieces_within(sentence, max_chars, len), max_chars, len):
                if run.strip():
                    chunks.append(Chunk(u, offset + len(run) - len(run.lstrip()), run.strip()))
                offset += len(run)
    return tuple(chunks)


def narrate(
    speech: Speech, options: NarrationOptions, tick: Tick | None = None, on_voiced: Voiced | None = None,
    heard: Heard | None = None,
) -> tuple[tuple[VoicedSection, ...], tuple[Notice, ...]]:  # fmt: skip
    """Voice every section (synchronous entry; runs its own event loop)."""
    return asyncio.run(narrate_async(speech, options, tick, on_voiced, heard))


async def narrate_async(
    speech: Speech, options: NarrationOptions, tick: Tick | None = None, on_voiced: Voiced | None = None,
    heard: Heard | None = None,
) -> tuple[tuple[VoicedSection, ...], tuple[Notice, ...]]:  # fmt: skip
    engines = candidates(speech.language, options.folders, options.engine, options.voice)
    notices = _selection_notices(engines, options, speech.language)
    said = utterances_of(speech)
    total = sum(len(chunks_of(u, engines[0].max_chunk)) for u in said)
    cache = Cache(options.cache_dir)
    shared = _Shared(cache, asyncio.Semaphore(options.concurrency), _Progress(total, tick))
    jobs = [_told(_voice_section(i, u, engines, speech.language, options, shared, heard), on_voiced)
            for i, u in enumerate(said)]  # fmt: skip
    try:
        sections = tuple(await _all_or_cancel(jobs))
    except Refused as refused:
        raise refused.error from None
    for voiced in sections:
        if voiced.fallback_from:
            title = speech.sections[voiced.index].title
            why = "; ".join(voiced.fallback_from)
            message = f"section {voiced.index + 1} «{title}»: {why} — voiced with {voiced.voice.engine} instead"
            notices += (Notice("voice", message, "warning"),)
    if cache.problem:  # the cache is an optimisation: this build keeps its narration in memory instead
        message = f"synthesis cache skipped ({cache.problem}): this build kept its narration in memory"
        notices += (Notice("voice", message, "warning"),)
    return sections, notices


def planned_keys(speech: Speech, options: NarrationOptions) -> list[str]:
    """The cache key of every chunk as the first-choice engine would voice it (nothing is synthesized):
    what a build would say, so an unchanged speech can be recognised before any work."""
    engine = candidates(speech.language, options.folders, options.engine, options.voice)[0]
    voice = resolve_voice(engine, speech.language, options.voice)
    words = options.lexicon.words(speech.language)
    return [cache_key(engine, voice, options.prosody, normalize(c.text, speech.language, words).text)
            for said in utterances_of(speech) for c in chunks_of(said, engine.max_chunk)]  # fmt: skip


def _selection_notices(engines: list[Engine], options: NarrationOptions, language: Language) -> tuple[Notice, ...]:
    """What `auto` chose when it could not use the best voices: said once per build."""
    chosen = engines[0]
    notices: tuple[Notice, ...] = ()
    if options.voice is not None:
        if chosen.owns_voice(options.voice):
            return notices  # the voice asked for chose the engine, not the network
        notices += (Notice("voice", f"--voice {options.voice} cannot be used here: narrating with "
                                    f"{chosen.name}'s {chosen.default_voice(language).name}", "warning"),)  # fmt: skip
    if options.engine != "auto" or chosen.online:
        return notices
    notices += (Notice("voice", f"online voices not reachable: narrating offline with {chosen.name}", "info"),)
    reasons = passed_over(language, chosen, options.folders)
    return notices + tuple(Notice("voice", reason, "warning") for reason in reasons)


class _Progress:
    def __init__(self, total: int, tick: Tick | None) -> None:
        self.total, self.done, self.tick = total, 0, tick

    def step(self) -> None:
        self.done += 1
        if self.tick is not None:
            self.tick(min(self.done, self.total), self.total)


class _Shared:
    """What every chunk of one narration shares: the cache, the semaphore, progress, and the syntheses
    under way by cache key. A sentence said twice in a speech is synthesized once and its cache entry
    written once, so a section being encoded never reads an entry while another section rewrites it
    (and the audio read back is the one whose durations and boundaries the section was given)."""

    def __init__(self, cache: Cache, semaphore: asyncio.Semaphore, progress: _Progress) -> None:
        self.cache, self.semaphore, self.progress = cache, semaphore, progress
        self.running: dict[str, asyncio.Future[Stored]] = {}
        self.waiting: dict[str, int] = {}

    def start(self, key: str, job: Awaitable[Stored]) -> asyncio.Future[Stored]:
        """`job` run once for `key`, forgotten when done (its rendition is in the cache by then, so the
        narration never holds more than the chunks under way)."""
        future = self.running[key] = asyncio.ensure_future(job)

        def done(finished: asyncio.Future[Stored]) -> None:
            self.running.pop(key, None)
            self.waiting.pop(key, None)
            if not finished.cancelled():
                finished.exception()  # retrieved: every caller that still waits gets it raised

        future.add_done_callback(done)
        return future

    async def wait(self, key: str, job: asyncio.Future[Stored]) -> Stored:
        """`job`'s rendition; a caller cancelled (its section failed) leaves it to the others still waiting,
        and the last one to leave cancels it, as a chunk of its own would have been."""
        self.waiting[key] = self.waiting.get(key, 0) + 1
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            self.waiting[key] = self.waiting.get(key, 1) - 1
            if self.waiting[key] <= 0:
                job.cancel()
            raise


async def _all_or_cancel(jobs: Sequence[Awaitable[T]]) -> list[T]:
    """Run all; on the first failure cancel the rest (asyncio.TaskGroup needs Python 3.11)."""
    tasks = [asyncio.ensure_future(j) for j in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _told(job: Awaitable[VoicedSection], voiced: Voiced | None) -> VoicedSection:
    """`job`'s section, handed to `voiced` once it is whole (outside the engine fallback: a failure there
    is not the engine's)."""
    section = await job
    if voiced is not None:
        voiced(section)
    return section


async def _voice_section(
    index: int, said: tuple[Utterance, ...], engines: list[Engine], language: Language,
    options: NarrationOptions, shared: _Shared, heard: Heard | None = None,
) -> VoicedSection:  # fmt: skip
    failures: list[str] = []
    for engine in engines:
        try:
            voice = resolve_voice(engine, language, options.voice)
            chunks = chunks_of(said, engine.max_chunk)
            words = options.lexicon.words(language)
            jobs = [_one(engine, voice, normalize(c.text, language, words), options, shared) for c in chunks]
            if heard is not None:
                told = InOrder(_teller(heard, index, voice, said, tuple(failures), chunks, shared.cache))
                jobs = [told.after(n, job) for n, job in enumerate(jobs)]
            results = await _all_or_cancel(jobs)
        except (SynthesisError, EngineUnavailable) as exc:
            if len(engines) == 1:
                raise
            failures.append(f"{engine.name} failed ({exc})")
            continue
        renditions = tuple(r.rendition for r in results)
        keys = tuple(r.key for r in results)
        new = sum(r.fresh for r in results)
        audio = tuple(_reader(shared.cache, r.ref, index) for r in results)
        return VoicedSection(index, voice, said, chunks, renditions, tuple(failures), new, keys, audio)
    raise SynthesisError(f"section {index + 1} could not be voiced by any engine: {'; '.join(failures)}")


def _teller(
    heard: Heard, index: int, voice: Voice, said: tuple[Utterance, ...], failures: tuple[str, ...],
    chunks: tuple[Chunk, ...], cache: Cache,
) -> Callable[[int, _Got], None]:  # fmt: skip
    """What tells `heard` of chunk `n` of section `index` as `voice` said it."""

    def tell(n: int, got: _Got) -> None:
        heard(VoicedChunk(index, n, voice, said, failures, chunks[n], got.rendition, _reader(cache, got.ref, index),
                          got.stored))  # fmt: skip

    return tell


class _Got(NamedTuple):
    """A chunk's rendition, its cache key, and where it came from."""

    rendition: Rendition
    fresh: bool
    """Synthesized by this call (not another chunk's synthesis of the same words, not the cache)."""
    ref: AudioRef
    stored: bool
    """Found in the cache."""

    @property
    def key(self) -> str:
        return self.ref.key


async def _one(engine: Engine, voice: Voice, spoken: Spoken, options: NarrationOptions, shared: _Shared) -> _Got:
    """One chunk from the cache, or synthesized (retried by `options.retry`) and then cached, or the same
    synthesis another chunk of this narration started; its boundaries are returned on the chunk's own text
    (the engine and the cache see the spoken form)."""
    key = cache_key(engine, voice, options.prosody, spoken.text)
    job = shared.running.get(key)
    fresh = job is None
    if job is None:
        cached = shared.cache.find(key)
        if cached is not None:
            shared.progress.step()
            return _Got(_on_source(cached.rendition, spoken), False, cached.ref, True)
        job = shared.start(key, _synthesized(engine, voice, spoken, options, shared, key))
    made = await shared.wait(key, job)
    shared.progress.step()
    return _Got(_on_source(made.rendition, spoken), fresh, made.ref, False)


async def _synthesized(
    engine: Engine, voice: Voice, spoken: Spoken, options: NarrationOptions, shared: _Shared, key: str
) -> Stored:
    async with shared.semaphore:  # held through the backoff too: a rate-limited service gets fewer calls, not more
        rendition = await with_retries(lambda: engine.synthesize(spoken.text, voice, options.prosody), options.retry)
    if not rendition.audio or rendition.duration <= 0:
        raise SynthesisError(f"{engine.name} returned no audio for: {spoken.source[:30]}…", retryable=False)
    return Stored(rendition, shared.cache.put(key, rendition))


def _on_source(rendition: Rendition, spoken: Spoken) -> Rendition:
    """The rendition without its audio (read back from the cache when joined: a section's chunks wait for
    the whole section, and 15 hours of them held 2.4 GB), its boundaries on the chunk's own text."""
    if not spoken.edits:
        return replace(rendition, audio=b"")
    bounds = tuple(
        replace(b, text_start=spoken.to_source(b.text_start), text_end=spoken.to_source(b.text_end))
        for b in rendition.boundaries
    )
    return replace(rendition, audio=b"", boundaries=bounds)
