"""`build()`: read → parse → plan deck → render → narrate → package. Owns ordering and progress; no stage prints."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deliver import defaults, package
from deliver.audio import Soundtrack
from deliver.errors import OptionError, OutputError
from deliver.files import slug, write_json, write_text
from deliver.model import Notice, Speech, speech_to_dict
from deliver.package import inputs_digest, up_to_date
from deliver.paths import user_cache_dir, user_data_dir
from deliver.slides.readback import read_pptx
from deliver.speech import Source
from deliver.speech import load as load_speech
from deliver.speech.deckmd import read_deck, settings_of
from deliver.timing import check_pace, check_target, estimate, timing_markdown, timing_to_dict
from deliver.voices import Folders, Prosody, RetryPolicy, check_engine_name
from deliver.voices.narrate import NarrationOptions, VoicedSection, check_concurrency, planned_keys

if TYPE_CHECKING:
    from deliver.audio import SectionVoice
    from deliver.slides import Deck, Theme
    from deliver.timing import Timing

# `load` is the speech stage's (deliver.speech.load), named here too: read and parse, nothing built.
__all__ = ["BuildOptions", "BuildResult", "Progress", "build", "load"]

Progress = Callable[[str, int, int], None]
"""(what is happening, done, total); total 0 when the step has no count."""


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """Everything `build` needs besides the speech; every value is checked when the options are built
    (OptionError, one line), except that the theme is found when it is loaded."""

    out_dir: Path = defaults.OUT_DIR
    theme: str = defaults.THEME
    audio: bool = True
    force: bool = False
    pace: str | float | None = None
    """Human speaking rate for the estimate (字/min or words/min, or a preset name)."""
    target_minutes: float | None = None
    meta: dict[str, str] = field(default_factory=dict)
    """Title-slide details that override front matter: date, occasion, speaker."""
    engine: str = defaults.ENGINE
    voice: str | None = None
    prosody: Prosody = field(default_factory=Prosody)
    """Validated when built (see `Prosody`)."""
    concurrency: int = defaults.CONCURRENCY
    cache_dir: Path | None = None
    """Synthesis cache; None = the per-user cache folder."""
    zip: bool = True
    """Also write `<out>/<slug>.zip` of the package folder."""
    embed: bool = True
    """With narration, also write deck-narrated.pptx (audio on every slide, auto-advance)."""
    lexicon: Path | None = None
    """A pronunciation lexicon (TOML) over the per-user one; see `voices/lexicon.py`."""
    folders: Folders | None = None
    """Where engines keep voices and models; None = the per-user folders (`engine_folders()`)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """How a failed engine call is tried again when its error says a retry may help."""

    def __post_init__(self) -> None:
        check_engine_name(self.engine)
        check_concurrency(self.concurrency)
        check_pace(self.pace)
        check_target(self.target_minutes)
        if self.voice is not None and not self.voice.strip():
            raise OptionError("--voice '': give a voice name (see: deliver voices) or leave it out")


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    speech: Speech
    files: tuple[str, ...]
    notices: tuple[Notice, ...]
    soundtrack: Soundtrack | None = None
    reused: bool = False
    """The package already there was up to date and was left as it is (`soundtrack` is then None)."""


def engine_folders() -> Folders:
    """The per-user folders engines keep their files in: installed voices under the data folder, derived
    models under the cache folder ($DELIVER_DATA_DIR, $DELIVER_CACHE_DIR; see `paths.py`)."""
    return Folders(voices=user_data_dir() / "voices", models=user_cache_dir())


def load(path: str | Path, stdin: BinaryIO | None = None) -> tuple[Source, Speech, tuple[Notice, ...]]:
    """Read and parse a speech; the notices say what was dropped as web noise."""
    edited = read_deck(path)  # a deck Markdown file (`deliver outline --md`) is taken as written
    if edited is not None:
        return edited[0], edited[1].speech, ()
    deck = read_pptx(path)  # a deck deliver made (perhaps edited in PowerPoint), read back
    if deck is not None:
        return deck[0], deck[1], ()
    return load_speech(path, stdin)


def with_file_settings(options: BuildOptions, settings: dict[str, str]) -> BuildOptions:
    """A deck Markdown file's own settings (theme, target, engine, voice, pace) stand wherever the
    command line left an option at its default: explicit options win."""
    names = {"theme": "theme", "target": "target_minutes", "engine": "engine", "voice": "voice", "pace": "pace"}
    unset = {f.name: f.default for f in fields(BuildOptions)}
    given: dict[str, Any] = {names[k]: float(v) if k == "target" else v for k, v in settings.items() if k in names}
    return replace(options, **{k: v for k, v in given.items() if getattr(options, k) == unset[k]})


def narration_options(options: BuildOptions) -> NarrationOptions:
    from deliver.voices.lexicon import load_lexicon

    return NarrationOptions(
        cache_dir=options.cache_dir or user_cache_dir() / "voices",
        folders=options.folders or engine_folders(),
        engine=options.engine,
        voice=options.voice,
        prosody=options.prosody,
        concurrency=options.concurrency,
        lexicon=load_lexicon(options.lexicon),
        retry=options.retry,
    )


def build(
    path: str | Path, options: BuildOptions, progress: Progress | None = None, stdin: BinaryIO | None = None
) -> BuildResult:
    """Build the package for one speech into `options.out_dir/<slug>/`, replacing a previous one whole.

    Holds the package's lock throughout; a second build of the same package fails with OutputError."""
    from deliver.slides import load_theme

    step = progress or (lambda *_: None)
    step("reading", 0, 0)
    source, speech, notices = load(path, stdin)
    options = with_file_settings(options, settings_of(source))
    if options.meta:
        speech = replace(speech, meta={**speech.meta, **options.meta})
    timing = estimate(speech, options.pace, options.target_minutes)
    theme = load_theme(options.theme)
    voicing = narration_options(options) if options.audio else None
    target = options.out_dir / slug(speech.title)
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
            files = (*(e["path"] for e in package.file_entries(stage)), package.MANIFEST)
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
    from deliver.package import slide_windows, timeline_of, write_rehearsal
    from deliver.slides import plan_deck, render_deck
    from deliver.timing import CHART, timing_svg

    step("rendering deck.pptx", 0, 0)
    deck, deck_notices = plan_deck(speech, theme)
    render_deck(deck, theme, stage / "deck.pptx")
    notices += deck_notices
    soundtrack, voiced, voice_notices = _narrate(stage, speech, voicing, step) if voicing else (None, (), ())
    notices += voice_notices
    if soundtrack is not None and options.embed:
        step("embedding narration in deck-narrated.pptx", 0, 0)
        _narrated_deck(stage, deck, soundtrack)
    narrated = (
        [(t, s.duration) for s, t in zip(soundtrack.sections, soundtrack.starts, strict=True)] if soundtrack else None
    )
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
    slides = [window.to_dict() for window in slide_windows(deck, timeline)]
    keys = [k for section in voiced for k in section.keys] if voicing else None
    inputs = inputs_digest(source.sha256, _options_record(options), theme, _words(voicing, speech), keys)
    _manifest(stage, source, speech, options, notices, soundtrack, slides, inputs)
    return notices, soundtrack


def _narrate(
    stage: Path, speech: Speech, voicing: NarrationOptions, step: Progress
) -> tuple[Soundtrack, tuple[VoicedSection, ...], tuple[Notice, ...]]:
    from deliver.audio import Pauses, write_soundtrack
    from deliver.voices.narrate import narrate

    voiced, notices = narrate(speech, voicing, lambda done, total: step("narrating", done, total))
    pauses = Pauses(voicing.sentence_pause, voicing.point_pause)
    soundtrack = write_soundtrack(stage, speech, section_voices(voiced), pauses, lambda message: step(message, 0, 0))
    used = {(v.voice.engine, v.voice.name) for v in voiced}
    fresh = sum(v.synthesized for v in voiced)
    chunks = sum(len(v.chunks) for v in voiced)
    summary = ", ".join(f"{e} ({n})" for e, n in sorted(used))
    notices += (
        Notice(
            "voice",
            f"narrated with {summary}: {fresh} chunks synthesized, {chunks - fresh} from cache",
        ),
    )
    words = len(voicing.lexicon.words(speech.language))
    for path in voicing.lexicon.sources:
        notices += (
            Notice(
                "voice",
                f"pronunciation lexicon: {path} ({words} {speech.language} words)",
            ),
        )
    return soundtrack, voiced, notices


def section_voices(voiced: tuple[VoicedSection, ...]) -> tuple[SectionVoice, ...]:
    """The narration as the audio stage takes it: per section what is said and each chunk's take."""
    from deliver.audio import Said, SectionVoice, Take

    return tuple(
        SectionVoice(
            v.index,
            tuple(Said(u.point, u.text) for u in v.utterances),
            tuple(
                Take(c.utterance, c.text, r, read) for c, r, read in zip(v.chunks, v.renditions, v.audio, strict=True)
            ),
            v.voice.engine,
            v.voice.name,
            v.fallback_from,
        )
        for v in voiced
    )


def _risky(speech: Speech, voicing: NarrationOptions | None, options: BuildOptions) -> str:
    """timing.md's list of what to check in the voice's reading (see `deliver said`)."""
    from deliver.voices.lexicon import load_lexicon
    from deliver.voices.said import risky_markdown, what_is_said

    lexicon = voicing.lexicon if voicing else load_lexicon(options.lexicon)
    listed = risky_markdown(what_is_said(speech, lexicon), speech.language)
    return "\n" + listed if listed else ""


def _words(voicing: NarrationOptions | None, speech: Speech) -> dict[str, str]:
    return voicing.lexicon.words(speech.language) if voicing else {}


def _narrated_deck(stage: Path, deck: Deck, soundtrack: Soundtrack) -> None:
    from deliver.slides import write_narrated_deck

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
            for s, start in zip(soundtrack.sections, soundtrack.starts, strict=True)
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
        "speech": {"title": speech.title, "language": speech.language, "sections": len(speech.sections),
                   "points": len(speech.points)},
        "notices": [{"stage": n.stage, "level": n.level, "message": n.message} for n in notices],
    }  # fmt: skip
    if soundtrack is not None:
        data["narration"] = _narration_manifest(speech, soundtrack, stage)
    data["slides"] = {"timeline": "audio/speech.mp3" if soundtrack is not None else "estimate", "windows": slides}
    data["files"] = package.file_entries(stage)
    write_json(stage / package.MANIFEST, data)
