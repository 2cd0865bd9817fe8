"""`build()`: read → parse → plan deck → render → narrate → package. Owns ordering and progress; no stage prints."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deliver import defaults, package
from deliver.audio import Soundtrack
from deliver.errors import OptionError
from deliver.files import slug, write_json, write_text
from deliver.inputs import load, not_over_its_source, with_file_settings
from deliver.model import Notice, Speech, speech_to_dict
from deliver.package import Speaker, check_replaceable, inputs_digest, origin_of, up_to_date
from deliver.paths import user_cache_dir, user_data_dir
from deliver.speech import Source, settings_of
from deliver.timing import check_pace, check_target, estimate, timing_markdown, timing_to_dict
from deliver.voices import Folders, Prosody, RetryPolicy, check_engine_name
from deliver.voices.narrate import NarrationOptions, VoicedChunk, VoicedSection, check_concurrency, planned_keys

if TYPE_CHECKING:
    from deliver.audio import SectionVoice, SoundtrackWriter
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
    video: bool = False
    """Also write video.mp4 (slides drawn with Pillow + the narration + subtitles); needs audio."""
    video_size: tuple[int, int] = defaults.VIDEO_SIZE
    """Width × height of video.mp4 in px (even numbers)."""
    subtitles: str = defaults.SUBTITLES
    """In video.mp4: "soft" (a subtitle track the player can turn off) or "burn" (drawn into the picture too)."""
    deck_fonts: str = defaults.DECK_FONTS
    """East-Asian faces the deck names: "windows" (the theme's first names) or "installed" (see slides/fontmatch)."""

    def __post_init__(self) -> None:
        check_engine_name(self.engine)
        check_concurrency(self.concurrency)
        check_pace(self.pace)
        check_target(self.target_minutes)
        check_video(self.video, self.audio, self.video_size, self.subtitles)
        from deliver.slides import check_deck_fonts

        check_deck_fonts(self.deck_fonts)
        if self.voice is not None and not self.voice.strip():
            raise OptionError("--voice '': give a voice name (see: deliver voices) or leave it out")

    title: str | None = None
    """The speech's title, over the one the header zone finds (--title)."""


def check_video(video: bool, audio: bool, size: tuple[int, int], subtitles: str) -> None:
    """Refuse a video without narration, an odd or absurd frame size, an unknown subtitle mode."""
    if video and not audio:
        raise OptionError("--video needs the narration: drop --no-audio")
    width, height = size
    if not (160 <= width <= 7680 and 120 <= height <= 4320) or width % 2 or height % 2:
        raise OptionError(f"--video-size {width}x{height}: give even numbers from 160x120 to 7680x4320, e.g. 1920x1080")
    if subtitles not in ("soft", "burn"):
        raise OptionError(f"--subtitles {subtitles!r}: choose soft or burn")


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
    from deliver.slides import check_fonts, deck_faces, load_theme

    step = progress or (lambda *_: None)
    step("reading", 0, 0)
    source, speech, notices = load(path, stdin, options.title)
    options = with_file_settings(options, settings_of(source))
    if options.meta:
        speech = replace(speech, meta=speech.meta.merged(options.meta))
    timing = estimate(speech, options.pace, options.target_minutes)
    theme, font_notices = deck_faces(load_theme(options.theme), options.deck_fonts)
    notices += font_notices
    if options.video:
        check_fonts()  # before the narration, not after it
    voicing = narration_options(options) if options.audio else None
    target = options.out_dir / slug(speech.title)
    not_over_its_source(path, source, target)
    package.check_target(target, options.force)
    origin = origin_of(path)
    planned = inputs_digest(source.sha256, _options_record(options), theme, _words(voicing, speech),
                            planned_keys(speech, voicing) if voicing else None)  # fmt: skip
    with package.locked(options.out_dir, target.name):
        notices += tuple(Notice("package", done) for done in package.clear_debris(options.out_dir, target.name))
        unchanged = up_to_date(target, planned, options.zip)
        if unchanged is not None:
            notices += (
                Notice("package", "up to date: the speech, options and voices are those of the package already there"),
            )
            return BuildResult(target, speech, tuple(unchanged), notices, None, reused=True)
        said = Speaker(origin, source.name, "\n".join(p.text for p in speech.points))
        drop_zip = check_replaceable(target, said, options.zip, options.force)
        with package.building(options.out_dir, target.name) as stage:
            notices, soundtrack = _fill(stage, source, speech, timing, theme, voicing, options, notices, step, origin)
            files = (*tuple(e["path"] for e in package.file_entries(stage)), package.MANIFEST)
            step("zipping", 0, 0)
            package.publish(stage, target, options.zip, drop_zip)
    return BuildResult(target, speech, files, notices, soundtrack)


def _fill(
    stage: Path, source: Source, speech: Speech, timing: Timing, theme: Theme, voicing: NarrationOptions | None,
    options: BuildOptions, notices: tuple[Notice, ...], step: Progress, origin: str,
) -> tuple[tuple[Notice, ...], Soundtrack | None]:  # fmt: skip
    """Write every file of the package into `stage`; returns all notices so far and the narration."""
    from deliver.package import slide_windows, timeline_of, write_rehearsal, write_script
    from deliver.slides import font_record, plan_deck, render_deck, undrawn_notice
    from deliver.timing import CHART, timing_svg

    step("rendering deck.pptx", 0, 0)
    deck, deck_notices = plan_deck(speech, theme)
    render_deck(deck, theme, stage / "deck.pptx")
    notices += deck_notices + _template_checks(stage / "deck.pptx", theme)
    soundtrack, voiced, voice_notices = (
        _narrate(stage, speech, voicing, step, timing.total_seconds) if voicing else (None, (), ())
    )
    notices += voice_notices
    if soundtrack is not None and options.embed:
        step("embedding narration in deck-narrated.pptx", 0, 0)
        _narrated_deck(stage, deck, soundtrack)
    narrated = (
        [(t, s.duration) for s, t in zip(soundtrack.sections, soundtrack.starts, strict=True)] if soundtrack else None
    )
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
    windows = slide_windows(deck, timeline)
    write_script(stage, speech, deck, timing, timeline, windows)
    if soundtrack is not None and options.video:
        from deliver.showvideo import write_show_video

        write_show_video(stage, speech, deck, theme, windows, soundtrack, options.video_size, options.subtitles, step)
        notices += undrawn_notice(theme)  # a template's shapes the video's pictures leave out, said once
    step("writing manifest", 0, 0)
    slides = [window.to_dict() for window in windows]
    keys = [k for section in voiced for k in section.keys] if voicing else None
    inputs = inputs_digest(source.sha256, _options_record(options), theme, _words(voicing, speech), keys)
    _manifest(stage, source, speech, options, notices, soundtrack, slides, inputs, origin, font_record(theme))
    return notices, soundtrack


def _template_checks(deck: Path, theme: Theme) -> tuple[Notice, ...]:
    """A deck made from a template reopens before it ships (ThemeError if not); its macros were left out."""
    from deliver.slides import check_reopens, has_macros

    if theme.template is None:
        return ()
    check_reopens(deck, theme.template)
    if not has_macros(theme.template):
        return ()
    return (Notice("slides", f"template {theme.template.name}: its macros (VBA) were left out of the deck",
                   level="warning"),)  # fmt: skip


def _narrate(
    stage: Path, speech: Speech, voicing: NarrationOptions, step: Progress, audio_estimate: float
) -> tuple[Soundtrack, tuple[VoicedSection, ...], tuple[Notice, ...]]:
    from deliver.audio import Pauses, SoundtrackWriter
    from deliver.voices.eta import NarrationClock, forecast, remember
    from deliver.voices.narrate import narrate

    ahead = forecast(speech, voicing, audio_estimate)
    step(ahead.message(), round(ahead.seconds), 0)
    clock = NarrationClock(ahead)
    pauses = Pauses(voicing.sentence_pause, voicing.point_pause)
    # Each take goes to its section's encoder as soon as it and those before it are voiced.
    with SoundtrackWriter(stage, speech, pauses, voicing.cache_dir / "mp3") as writer:
        voiced, notices = narrate(speech, voicing, lambda done, total: step(clock.message(done), done, total),
                                  lambda section: writer.end(section_voice(section)), handing_to(writer))  # fmt: skip
        remember(ahead, [r.duration for v in voiced for r in v.renditions], clock.elapsed())
        soundtrack = writer.finish(lambda message: step(message, 0, 0))
    notices += (Notice("voice", f"{ahead.engine} version: {ahead.version}"),)  # the manifest records the model used
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
    return tuple(section_voice(v) for v in voiced)


def handing_to(writer: SoundtrackWriter) -> Callable[[VoicedChunk], None]:
    """What hands each voiced chunk to the writer as its section's next take (the first one opens the section)."""
    from deliver.audio import Said, SectionVoice, Take

    def hand(c: VoicedChunk) -> None:
        if c.position == 0:
            said = tuple(Said(u.point, u.text) for u in c.utterances)
            writer.begin(SectionVoice(c.section, said, (), c.voice.engine, c.voice.name, c.fallback_from))
        writer.take(c.section, Take(c.chunk.utterance, c.chunk.text, c.rendition, c.audio), c.stored)

    return hand


def section_voice(v: VoicedSection) -> SectionVoice:
    """One voiced section as the audio stage takes it."""
    from deliver.audio import Said, SectionVoice, Take

    takes = tuple(
        Take(c.utterance, c.text, r, read) for c, r, read in zip(v.chunks, v.renditions, v.audio, strict=True)
    )
    said = tuple(Said(u.point, u.text) for u in v.utterances)
    return SectionVoice(v.index, said, takes, v.voice.engine, v.voice.name, v.fallback_from)


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
        "meta": options.meta, "title": options.title, "engine": options.engine, "voice": options.voice,
        "lexicon": str(options.lexicon) if options.lexicon else None, "zip": options.zip, "embed": options.embed,
        "video": options.video, "video_size": list(options.video_size), "subtitles": options.subtitles,
        "deck_fonts": options.deck_fonts,
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
    origin: str,
    fonts: dict[str, Any],
) -> None:
    """manifest.json; `slides` is each slide's window on the timeline (the narration's, else the estimate's);
    `inputs` the digest of what the package is made from (see freshness.py); `origin` which speech file
    it was made from (see owned.py); `fonts` the faces deck.pptx names (see slides/fontmatch.py)."""
    data: dict[str, Any] = {
        "generator": package.generator(),
        "inputs": inputs,
        "source": {"name": source.name, "sha256": source.sha256, "encoding": source.encoding, "origin": origin},
        "options": _options_record(options),
        "speech": {"title": speech.title, "language": speech.language, "sections": len(speech.sections),
                   "points": len(speech.points)},
        "notices": [{"stage": n.stage, "level": n.level, "message": n.message} for n in notices],
        "fonts": fonts,
    }  # fmt: skip
    if soundtrack is not None:
        data["narration"] = _narration_manifest(speech, soundtrack, stage)
    data["slides"] = {"timeline": "audio/speech.mp3" if soundtrack is not None else "estimate", "windows": slides}
    data["files"] = package.file_entries(stage)
    write_json(stage / package.MANIFEST, data)
