"""Voice engines: the registry (name → factory), selection (`auto`) and voice-name resolution.

Engines register here by name with a factory that is handed the `Folders` they may use; the table's
order is `auto`'s preference (online first, then the most natural offline voice). Selection reads
each engine's declared flags (`online`, `languages`) and asks the engine itself whether it can run
(`missing`) and whether a voice name is one of its own (`owns_voice`): nothing here knows the shape
of any engine's voice names. Tests swap an engine with `registered(name, factory)`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from deliver.errors import EngineUnavailable, OptionError
from deliver.model import Language
from deliver.voices.base import RATE_RANGE, Engine, Factory, Folders, Prosody, Voice
from deliver.voices.retry import RetryPolicy

__all__ = [
    "Engine",
    "Factory",
    "Folders",
    "Prosody",
    "RetryPolicy",
    "Voice",
    "candidates",
    "check_engine_name",
    "engine_names",
    "get_engine",
    "parse_prosody",
    "passed_over",
    "register",
    "registered",
    "resolve_voice",
    "voice_table",
    "why_unavailable",
]


def _edge(folders: Folders) -> Engine:
    from deliver.voices.edge import EdgeEngine

    return EdgeEngine()


def _kokoro(folders: Folders) -> Engine:
    from deliver.voices.kokoro import KokoroEngine
    from deliver.voices.kokoro_voices import folder_in

    return KokoroEngine(voice_folder=folder_in(folders.voices), model_folder=folders.models / "kokoro")


def _piper(folders: Folders) -> Engine:
    from deliver.voices.piper import PiperEngine

    return PiperEngine()


def _espeak(folders: Folders) -> Engine:
    from deliver.voices.espeak import EspeakEngine

    return EspeakEngine()


_factories: dict[str, Factory] = {"edge": _edge, "kokoro": _kokoro, "piper": _piper, "espeak": _espeak}
"""name → factory; the order is the `auto` preference among available engines."""
_instances: dict[tuple[str, Folders], Engine] = {}
_lock = threading.RLock()


def engine_names() -> tuple[str, ...]:
    """The registered engines in `auto`'s order of preference."""
    with _lock:
        return tuple(_factories)


def check_engine_name(name: str) -> str:
    """`name` when it is "auto" or a registered engine. Raises OptionError listing the choices."""
    if name != "auto" and name not in engine_names():
        choices = ", ".join(("auto", *engine_names()))
        raise OptionError(f"--engine {name!r}: unknown engine; choose one of: {choices}")
    return name


def get_engine(name: str, folders: Folders) -> Engine:
    """The engine registered as `name` for these folders (one instance per process).

    Raises OptionError for an unknown name, EngineUnavailable when its module cannot be imported."""
    if name not in engine_names():
        check_engine_name(name)
        raise OptionError(
            f"--engine auto: names a choice among engines, not one engine; choose one of: {', '.join(engine_names())}"
        )
    with _lock:
        key = (name, folders)
        if key not in _instances:
            try:
                _instances[key] = _factories[name](folders)
            except ImportError as exc:
                raise EngineUnavailable(
                    f"{name}: cannot be loaded ({exc}); reinstall deliver with its dependencies"
                ) from None
        return _instances[key]


def register(name: str, factory: Factory) -> None:
    """Build engine `name` with `factory` from now on (a new name joins the end of `auto`'s order)."""
    with _lock:
        _factories[name] = factory
        for key in [k for k in _instances if k[0] == name]:
            del _instances[key]


@contextmanager
def registered(name: str, factory: Factory) -> Iterator[None]:
    """`register(name, factory)` for the duration of the block, then what was there before (tests swap
    engines this way: `with registered("edge", lambda folders: fake): ...`)."""
    with _lock:
        previous = _factories.get(name)
        saved = {k: v for k, v in _instances.items() if k[0] == name}
        register(name, factory)
    try:
        yield
    finally:
        with _lock:
            if previous is None:
                del _factories[name]
            else:
                _factories[name] = previous
            for key in [k for k in _instances if k[0] == name]:
                del _instances[key]
            _instances.update(saved)


def candidates(language: Language, folders: Folders, requested: str = "auto", voice: str | None = None) -> list[Engine]:
    """Engines to try for `language`, best first. A named engine is the only candidate (no fallback);
    under `auto` the engine that owns `voice` goes first when it can run here.

    Raises OptionError for a voice no engine (or not the named one) owns, EngineUnavailable when none can run."""
    if requested != "auto":
        engine = get_engine(requested, folders)
        if voice is not None:
            if not engine.owns_voice(voice):
                raise OptionError(
                    f"--voice {voice!r}: not one of {requested}'s voices; "
                    f"list them with: deliver voices --engine {requested}"
                )
            engine.voice(voice)  # checked now (a piper voice file adds its language)
        if language not in engine.languages:
            raise OptionError(f"--engine {requested}: has no {language} voice; use --engine auto or another engine")
        return [engine]
    owner = _owner(voice, folders) if voice is not None else None
    found = [engine for engine in _loadable(folders) if _usable(engine, language)]
    if owner is not None and owner in found:
        found.remove(owner)
        found.insert(0, owner)
    if not found:
        raise EngineUnavailable(
            f"no voice engine can speak {language} here; reinstall deliver (espeakng-loader is the offline fallback)"
        )
    return found


def _loadable(folders: Folders) -> Iterator[Engine]:
    for name in engine_names():
        try:
            yield get_engine(name, folders)
        except EngineUnavailable:
            continue


def _usable(engine: Engine, language: Language) -> bool:
    return language in engine.languages and engine.available() and _has_voice(engine, language)


def _owner(voice: str, folders: Folders) -> Engine:
    """The engine whose voice `voice` is, the voice checked. Raises OptionError when no engine owns it."""
    for engine in _loadable(folders):
        if engine.owns_voice(voice):
            engine.voice(voice)
            return engine
    raise OptionError(f"--voice {voice!r}: no engine has a voice of that name; list them with: deliver voices")


def passed_over(language: Language, chosen: Engine, folders: Folders) -> list[str]:
    """Why each offline engine preferred to `chosen` for `language` is not used here (e.g. kokoro's voices
    are not installed), so `auto` can say so once instead of silently sounding worse."""
    reasons = []
    for name in engine_names():
        if name == chosen.name:
            break
        try:
            engine = get_engine(name, folders)
        except EngineUnavailable as exc:
            reasons.append(str(exc))
            continue
        if not engine.online and language in engine.languages and not _usable(engine, language):
            reasons.append(
                why_unavailable(engine) if not engine.available() else f"{name}: no {language} voice installed"
            )
    return reasons


def _has_voice(engine: Engine, language: Language) -> bool:
    try:
        engine.default_voice(language)
    except (EngineUnavailable, OptionError):
        return False
    return True


def why_unavailable(engine: Engine) -> str:
    """The engine's own reason it cannot run here, with how to fix it."""
    return engine.missing() or f"{engine.name} is not available here"


def resolve_voice(engine: Engine, language: Language, name: str | None) -> Voice:
    """The voice to use on `engine`: the one asked for when it is this engine's, else its default voice
    (a section that falls back to another engine is voiced by that engine's default)."""
    if name and engine.owns_voice(name):
        asked = engine.voice(name)
        return Voice(engine.name, asked.name, language, asked.label)
    return engine.default_voice(language)


_SIGNED = re.compile(r"^([+-]?\d{1,3})\s*(%|hz)?$", re.IGNORECASE)


def parse_prosody(rate: str | None, pitch: str | None, volume: str | None, speed: float | None = None) -> Prosody:
    """ "+10%", "-5Hz", "0" (and a speed factor, 1.1 = "+10%") → Prosody. Raises OptionError for anything else."""
    values = {}
    if speed is not None:
        if rate is not None:
            raise OptionError("--speed and --voice-rate say the same thing: give one of them")
        values["rate"] = _speed_to_rate(speed)
    for name, raw, unit in (("voice-rate", rate, "%"), ("pitch", pitch, "hz"), ("volume", volume, "%")):
        if raw is None:
            continue
        match = _SIGNED.match(raw.strip())
        if not match or (match.group(2) and match.group(2).lower() != unit):
            raise OptionError(f"--{name} {raw!r}: write it like {'+10%' if unit == '%' else '-5Hz'}")
        values[name.removeprefix("voice-")] = int(match.group(1))
    return Prosody(**values)


def _speed_to_rate(speed: float) -> int:
    """A speed factor as the rate change in percent. Raises OptionError outside 0.5 … 2.0 (and for nan)."""
    low, high = (1 + limit / 100 for limit in RATE_RANGE)
    if not (math.isfinite(speed) and low <= speed <= high):
        raise OptionError(f"--speed {speed:g}: must be between {low:g} and {high:g} (1 = the voice's own speed)")
    return round((speed - 1) * 100)


def voice_table(
    folders: Folders, engine: str | None = None, language: Language | None = None
) -> list[tuple[str, str, str, str, str]]:
    """(engine, voice, language, description, status) for every engine, or one."""
    names = [engine] if engine and check_engine_name(engine) != "auto" else list(engine_names())
    rows: list[tuple[str, str, str, str, str]] = []
    for name in names:
        try:
            instance = get_engine(name, folders)
            ready = instance.available()
            found = instance.voices(language)
        except EngineUnavailable as exc:
            rows.append((name, "", "", str(exc), "unavailable"))
            continue
        status = "ready" if ready else ("offline: not reachable" if instance.online else "not installed")
        for voice in found:
            here = status if instance.voice_ready(voice) else f"not installed: deliver voices install {name}"
            rows.append((name, voice.name, voice.language, voice.label, here))
    return rows
