"""`build()`: read → parse → plan deck → render → narrate → package. Owns ordering and progress; no stage prints."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deliver.audio.soundtrack import Soundtrack
from deliver.errors import OutputError
from deliver.files import write_json, write_text
from deliver.model import Notice, Speech, speech_to_dict
from deliver.package import folder as package
from deliver.package.freshness import inputs_digest, up_to_date
from deliver.paths import user_cache_dir
from deliver.slides.readback import read_pptx
from deliver.speech.deckmd import read_deck, settings_of
from deliver.speech.reading import Source, read_source
from deliver.speech.structure import parse
from deliver.timing.estimate import estimate, timing_markdown, timing_to_dict
from deliver.voices.base import Prosody
from deliver.voices.narrate import DEFAULT_CONCURRENCY, NarrationOptions, VoicedSection, planned_keys

if TYPE_CHECKING:
    from deliver.slides import Deck
    from deliver.slides.theme import Theme
    from deliver.timing.estimate import Timing

Progress = Callable[[str, int, int], None]
"""(what is happening, done, total); total 0 when the step has no count."""


@dataclass(frozen=True)
class BuildOptions:
    """Everything `build` needs besides the speech; values are validated where they are first used."""

    out_dir: Path = Path("output")
    theme: str = "default"
    audio: bool = True
    force: bool = False
    pace: str | float | None = None
    """Human speaking rate for the estimate (字/min or words/min, or a preset name)."""
    target_minutes: float | None = None
    meta: dict[str, str] = field(default_factory=dict)
    """Title-slide details that override front matter: date, occasion, speaker."""
    engine: str = "auto"
    voice: str | None = None
    prosody: Prosody = field(default_factory=Prosody)
    concurrency: int = DEFAULT_CONCURRENCY
    cache_dir: Path | None = None
    """Synthesis cache; None = the per-user cache folder."""
    zip: bool = True
    """Also write `<out>/<slug>.zip` of the package folder."""
    embed: bool = True
    """With narration, also write deck-narrated.pptx (audio on every slide, auto-advance)."""
    lexicon: Path | None = None
    """A pronunciation lexicon (TOML) over the per-user one; see `voices/lexicon.py`."""


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    speech: Speech
    files: tuple[str, ...]
    notices: tuple[Notice, ...]
    soundtrack: Soundtrack | None = None
    reused: bool = False
    """The package already there was up to date and was left as it is (`soundtrack` is then None)."""


def load(path: str | Path, stdin: BinaryIO | None = None) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech; the notices say what was dropped as web noise."""
    edited = read_deck(path)  # a deck Markdown file (`deliver outline --md`) is taken as written
    if edited is not None:
        return edited[0], edited[1].speech, ()
    deck = read_pptx(path)  # a deck deliver made (perhaps edited in PowerPoint), read back
    if deck is not None:
        return deck[0], deck[1], ()
    source = read_source(path, stdin)
    notices = tuple(Notice("read", f"dropped web noise: {line}") for line in source.removed)
    return source, parse(source), notices


def with_file_settings(options: BuildOptions, settings: dict[str, str]) -> BuildOptions:
    """A deck Markdown file's own settings (theme, target, engine, voice, pace) stand wherever the
    command line left an option at its default: explicit options win."""
    names = {"theme": "theme", "target": "target_minutes", "engine": "engine", "voice": "voice", "pace": "pace"}
    defaults = {f.name: f.default for f in fields(BuildOptions)}
    given: dict[str, Any] = {names[k]: float(v) if k == "target" else v for k, v in settings.items() if k in names}
    return replace(options, **{k: v for k, v in given.items() if getattr(options, k) == defaults[k]})


def narration_options(options: BuildOptions) -> NarrationOptions:
    from deliver.voices.lexicon import load_lexicon

    cache = options.cache_dir or user_cache_dir() / "voices"
    lexicon = load_lexicon(options.lexicon)
    return NarrationOptions(cache, options.engine, options.voice, options.prosody, options.concurrency, lexicon=lexicon)


def build(
    path: str | Path, options: BuildOptions, progress: Progress | None = None, stdin: BinaryIO | None = None
) -> BuildResult:
    """Build the package for one speech into `options.out_dir/<slug>/`, replacing a previous one whole.

    Holds the package's lock throughout; a second build of the same package fails with OutputError."""
    from deliver.slides.theme import load_theme

    step = progress or (lambda *_: None)
    step("reading", 0, 0)
    source, speech, notices = load(path, stdin)
    options = with_file_settings(options, settings_of(source))
    if options.meta:
        speech = replace(speech, meta={**speech.meta, **options.meta})
    timing = estimate(speech, options.pace, options.target_minutes)
    theme = load_theme(options.theme)
    voicing = narration_options(options) if options.audio else None
    target = options.out_dir / package.slug(speech.title)
    package.check_target(target, options.force)
    _not_over_its_source(path, source, target)
    planned = inputs_digest(source.sha256, _options_record(options), theme, _words(voicing, speech),
                            planned_keys(speech, voicing) if voicing else None)  # fmt: skip
    with package.locked(options.out_dir, target.name):
        notices += tuple(Notice("package", f"removed what an interrupted build left: {name}")
                         for name in package.clear_debris(options.out_dir, target.name))  # fmt: skip
        unchanged = up_to_date(target, planned, options.zip)
        if unchanged is not None:
            notices += (
                Notice("package", "up to date: the speech, options and voices are those of the package already there"),
            )
            return BuildResult(target, speech, tuple(unchanged), notices, None, reused=True)
        stage = package.staging(options.out_dir, target.name)
        try:
            notices, soundtrack = _fill(stage, source, speech, timing, theme, voicing, options, notices, step)
            files = tuple(e["path"] for e in package.file_entries(stage)) + (package.MANIFEST,)
            step("zipping", 0, 0)
            archive = package.zip_to_temp(stage, target.name) if options.zip else None
            package.swap_in(stage, target, archive)
        except BaseException:
            package.discard(stage)
            raise
    return BuildResult(target, speech, files, notices, soundtrack)


def _not_over_its_source(path: str | Path, source: Source, target: Path) -> None:
    """Building from a deck inside the package it makes would replace that deck, and the edits in it."""
    if source.encoding == "pptx" and Path(path).resolve().is_relative_to(target.resolve()):
        raise OutputError(f"{path}: building would replace the deck it is read from; "
                          f"run `deliver outline {path} --md -o deck.md` and build deck.md")  # fmt: skip


def _fill(
    stage: Path, source: Source, speech: Speech, timing: Timing, theme: Theme, voicing: NarrationOptions | None,
    options: BuildOptions, notices: tuple[Notice, ...], step: Progress,
) -> tuple[tuple[Notice, ...], Soundtrack | None]:  # fmt: skip
    """Write every file of the package into `stage`; returns all notices so far and the narration."""
    from deliver.package.rehearsal import slide_windows, timeline_of, write_rehearsal
    from deliver.slides import plan_deck, render_deck
    from deliver.timing.chart import CHART, timing_svg

    step("rendering deck.pptx", 0, 0)
    deck, deck_notices = plan_deck(speech, theme)
    render_deck(deck, theme, stage / "deck.pptx")
    notices += deck_notices
    soundtrack, voiced, voice_notices = _narrate(stage, speech, voicing, step) if voicing else (None, (), ())
    notices += voice_notices
    if soundtrack is not None and options.embed:
        step("embedding narration in deck-narrated.pptx", 0, 0)
        _narrated_deck(stage, deck, soundtrack)
    narrated = [(t, s.duration) for s, t in zip(soundtrack.sections, soundtrack.starts)] if soundtrack else None
    step("writing timing.md", 0, 0)
    write_json(stage / "outline.json", speech_to_dict(speech))
    write_json(stage / "timing.json", timing_to_dict(timing, narrated))
    chart = timing_svg(timing, narrated)
    write_text(stage / CHART, chart)
    report = timing_markdown(timing, speech.title, narrated, chart=CHART)
    write_text(stage / "timing.md", report + _risky(speech, voicing, options))
    step("writing rehearsal.html", 0, 0)
    timeline = timeline_of(speech, timing, soundtrack)
    write_rehearsal(stage, speech, deck, theme, timing, timeline, chart)
    step("writing manifest", 0, 0)
    slides = [
        {"slide": i + 1, "kind": s.kind, "point": s.point_index, "page": s.page, "start": start, "end": end}
        for i, (s, (_, start, end)) in enumerate(zip(deck.slides, slide_windows(deck, timeline)))
    ]
    keys = [k for section in voiced for k in section.keys] if voicing else None
    inputs = inputs_digest(source.sha256, _options_record(options), theme, _words(voicing, speech), keys)
    _manifest(stage, source, speech, options, notices, soundtrack, slides, inputs)
    return notices, soundtrack


def _narrate(
    stage: Path, speech: Speech, voicing: NarrationOptions, step: Progress
) -> tuple[Soundtrack, tuple[VoicedSection, ...], tuple[Notice, ...]]:
    from deliver.audio.soundtrack import write_soundtrack
    from deliver.voices.narrate import narrate

    voiced, notices = narrate(speech, voicing, lambda done, total: step("narrating", done, total))
    soundtrack = write_soundtrack(stage, speech, voiced, voicing, lambda message: step(message, 0, 0))
    used = {(v.voice.engine, v.voice.name) for v in voiced}
    fresh = sum(v.synthesized for v in voiced)
    summary = ", ".join(f"{e} ({n})" for e, n in sorted(used))
    notices += (
        Notice(
            "voice",
            f"narrated with {summary}: {fresh} chunks synthesized, {sum(len(v.chunks) for v in voiced) - fresh} from cache",
        ),
    )
    for path in voicing.lexicon.sources:
        notices += (
            Notice(
                "voice",
                f"pronunciation lexicon: {path} ({len(voicing.lexicon.words(speech.language))} {speech.language} words)",
            ),
        )
    return soundtrack, voiced, notices


def _risky(speech: Speech, voicing: NarrationOptions | None, options: BuildOptions) -> str:
    """timing.md's list of what to check in the voice's reading (see `deliver said`)."""
    from deliver.voices.lexicon import load_lexicon
    from deliver.voices.said import risky_report

    lexicon = voicing.lexicon if voicing else load_lexicon(options.lexicon)
    listed = risky_report(speech, lexicon, (options.cache_dir or user_cache_dir() / "voices") / "said")
    return "\n" + listed if listed else ""


def _words(voicing: NarrationOptions | None, speech: Speech) -> dict[str, str]:
    return voicing.lexicon.words(speech.language) if voicing else {}


def _narrated_deck(stage: Path, deck: Deck, soundtrack: Soundtrack) -> None:
    from deliver.slides.narrated import write_narrated_deck

    clips = stage / ".clips"
    clips.mkdir()
    write_narrated_deck(stage / "deck.pptx", stage / ".deck-narrated.pptx", deck, soundtrack, clips)
    shutil.rmtree(clips)
    os.replace(stage / ".deck-narrated.pptx", stage / "deck-narrated.pptx")


def _narration_manifest(speech: Speech, soundtrack: Soundtrack, stage: Path) -> dict[str, Any]:
    return {
        "duration": round(soundtrack.duration, 3),
        "sections": [
            {
                "index": s.index,
                "title": speech.sections[s.index].title,
                "engine": s.engine,
                "voice": s.voice,
                "fallback_from": list(s.fallback_from),
                "file": s.path.relative_to(stage).as_posix(),
                "start": round(start, 3),
                "duration": round(s.duration, 3),
                "points": [{"point": c.point, "start": c.start, "end": c.end} for c in s.points],
            }
            for s, start in zip(soundtrack.sections, soundtrack.starts)
        ],
    }


def _options_record(options: BuildOptions) -> dict[str, Any]:
    """The options that shape the package, as the manifest records them."""
    return {
        "theme": options.theme, "audio": options.audio, "pace": options.pace, "target_minutes": options.target_minutes,
        "meta": options.meta, "engine": options.engine, "voice": options.voice,
        "lexicon": str(options.lexicon) if options.lexicon else None, "zip": options.zip, "embed": options.embed,
        "prosody": {"rate": options.prosody.rate, "pitch": options.prosody.pitch, "volume": options.prosody.volume},
    }  # fmt: skip


def _manifest(
    stage: Path,
    source: Source,
    speech: Speech,
    options: BuildOptions,
    notices: tuple[Notice, ...],
    soundtrack: Soundtrack | None,
    slides: list[dict[str, Any]],
    inputs: str,
) -> None:
    """manifest.json; `slides` is each slide's window on the timeline (the narration's, else the estimate's);
    `inputs` the digest of what the package is made from (see freshness.py)."""
    data: dict[str, Any] = {
        "generator": package.generator(),
        "inputs": inputs,
        "source": {"name": source.name, "sha256": source.sha256, "encoding": source.encoding},
        "options": _options_record(options),
        "speech": {"title": speech.title, "language": speech.language, "sections": len(speech.sections), "points": len(speech.points)},
        "notices": [{"stage": n.stage, "level": n.level, "message": n.message} for n in notices],
    }  # fmt: skip
    if soundtrack is not None:
        data["narration"] = _narration_manifest(speech, soundtrack, stage)
    data["slides"] = {"timeline": "audio/speech.mp3" if soundtrack is not None else "estimate", "windows": slides}
    data["files"] = package.file_entries(stage)
    write_json(stage / package.MANIFEST, data)
