"""Voice engines: registration, selection (`auto`) and voice-name resolution.

Engines register here by name; `auto` walks them in preference order (online first, then the
most natural offline voice) and keeps those that speak the language and are available, reading
each engine's declared flags rather than special-casing names.
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import Final

from deliver.errors import EngineUnavailable, OptionError
from deliver.model import Language
from deliver.voices.base import Engine, Prosody, Voice

_FACTORIES: Final = {
    "edge": "deliver.voices.edge:EdgeEngine",
    "kokoro": "deliver.voices.kokoro:KokoroEngine",
    "piper": "deliver.voices.piper:PiperEngine",
    "espeak": "deliver.voices.espeak:EspeakEngine",
}
"""name → "module:Class"; order is the `auto` preference among available engines."""
ENGINE_CHOICES: Final = ("auto", *_FACTORIES)
_instances: dict[str, Engine] = {}
_lock = threading.Lock()

__all__ = [
    "ENGINE_CHOICES",
    "Engine",
    "Prosody",
    "Voice",
    "candidates",
    "get_engine",
    "parse_prosody",
    "passed_over",
    "resolve_voice",
    "why_unavailable",
]


def get_engine(name: str) -> Engine:
    """The engine registered as `name` (one instance per process). Raises OptionError for unknown names."""
    if name not in _FACTORIES:
        raise OptionError(f"--engine {name!r}: unknown engine; choose one of: {', '.join(ENGINE_CHOICES)}")
    with _lock:
        if name not in _instances:
            module, cls = _FACTORIES[name].split(":")
            try:
                _instances[name] = getattr(importlib.import_module(module), cls)()
            except ImportError as exc:
                raise EngineUnavailable(
                    f"{name}: cannot be loaded ({exc}); reinstall deliver with its dependencies"
                ) from None
        return _instances[name]


def register(name: str, engine: Engine) -> None:
    """Use `engine` for `name` in this process (tests register fakes this way)."""
    with _lock:
        _instances[name] = engine


def candidates(language: Language, requested: str = "auto") -> list[Engine]:
    """Engines to try for `language`, best first. A named engine is the only candidate (no fallback)."""
    if requested != "auto":
        engine = get_engine(requested)
        if language not in engine.languages:
            raise OptionError(f"--engine {requested}: has no {language} voice; use --engine auto or another engine")
        return [engine]
    found: list[Engine] = []
    for name in _FACTORIES:
        try:
            engine = get_engine(name)
        except EngineUnavailable:
            continue
        if language in engine.languages and engine.available() and _has_voice(engine, language):
            found.append(engine)
    if not found:
        raise EngineUnavailable(
            f"no voice engine can speak {language} here; reinstall deliver (espeakng-loader is the offline fallback)"
        )
    return found


def passed_over(language: Language, chosen: Engine) -> list[str]:
    """Why each offline engine preferred to `chosen` for `language` is not used here (e.g. kokoro's voices
    are not installed), so `auto` can say so once instead of silently sounding worse."""
    reasons = []
    for name in _FACTORIES:
        if name == chosen.name:
            break
        try:
            engine = get_engine(name)
        except EngineUnavailable as exc:
            reasons.append(str(exc))
            continue
        if (
            not engine.online
            and language in engine.languages
            and not (engine.available() and _has_voice(engine, language))
        ):
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


_EDGE_VOICE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(?:-\w+)?-\w+Neural$")
_KOKORO_VOICE = re.compile(r"^[a-z][fm]_[a-z]+$")


def engine_for_voice(voice: str) -> str | None:
    """Which engine a voice name belongs to: a .onnx file → piper, xx-YY-…Neural → edge, zf_xiaoxiao → kokoro;
    None when unclear."""
    if voice.endswith(".onnx"):
        return "piper"
    if _EDGE_VOICE.match(voice):
        return "edge"
    if _KOKORO_VOICE.match(voice):
        return "kokoro"
    return None


def why_unavailable(engine: Engine) -> str:
    """The engine's own reason it cannot run here (engines that know say how to fix it)."""
    missing = getattr(engine, "missing", None)
    reason = missing() if callable(missing) else None
    return reason or f"{engine.name} is not available here"


def resolve_voice(engine: Engine, language: Language, name: str | None) -> Voice:
    """The voice to use on `engine`: the one asked for when it belongs to this engine, else its default."""
    if name and engine_for_voice(name) in (engine.name, None):
        if engine_for_voice(name) == engine.name or any(v.name == name for v in engine.voices(language)):
            return Voice(engine.name, name, language)
    return engine.default_voice(language)


_SIGNED = re.compile(r"^([+-]?\d{1,3})\s*(%|hz)?$", re.IGNORECASE)


def parse_prosody(rate: str | None, pitch: str | None, volume: str | None) -> Prosody:
    """ "+10%", "-5Hz", "0" → Prosody. Raises OptionError for anything else."""
    values = {}
    for name, raw, unit in (("rate", rate, "%"), ("pitch", pitch, "hz"), ("volume", volume, "%")):
        if raw is None:
            continue
        match = _SIGNED.match(raw.strip())
        if not match or (match.group(2) and match.group(2).lower() != unit):
            raise OptionError(f"--{name} {raw!r}: write it like {'+10%' if unit == '%' else '-5Hz'}")
        values[name] = int(match.group(1))
    return Prosody(**values)


def voice_table(engine: str | None = None, language: Language | None = None) -> list[tuple[str, str, str, str, str]]:
    """(engine, voice, language, description, status) for every engine, or one."""
    names = [engine] if engine else list(_FACTORIES)
    rows: list[tuple[str, str, str, str, str]] = []
    for name in names:
        try:
            instance = get_engine(name)
            ready = instance.available()
            found = instance.voices(language)
        except EngineUnavailable as exc:
            rows.append((name, "", "", str(exc), "unavailable"))
            continue
        status = "ready" if ready else ("offline: not reachable" if instance.online else "not installed")
        voice_ready = getattr(instance, "voice_ready", None)
        for voice in found:
            here = (
                status if voice_ready is None or voice_ready(voice) else f"not installed: deliver voices install {name}"
            )
            rows.append((name, voice.name, voice.language, voice.label, here))
    return rows
