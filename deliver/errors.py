"""One error family; `cli.py` maps it to messages and exit codes in one place."""

from __future__ import annotations


class DeliverError(Exception):
    """Base of every error deliver raises on purpose. The message is one line: what and how to fix it."""

    exit_code = 1


class InputError(DeliverError):
    """The speech given cannot be read or makes no speech (missing, binary, undecodable, empty)."""

    exit_code = 2


class OptionError(DeliverError):
    """An option value is out of range or malformed."""

    exit_code = 2


class ThemeError(DeliverError):
    """A theme file is missing, malformed or names an unknown key."""

    exit_code = 2


class OutputError(DeliverError):
    """The output folder cannot be written safely."""

    exit_code = 3


class EngineUnavailable(DeliverError):
    """A voice engine cannot run here (not installed, offline, library failing to load). Says how to fix it."""

    exit_code = 4


class SynthesisError(DeliverError):
    """Synthesis of one chunk failed. `retryable` says whether trying again may help (429/503/timeouts)."""

    exit_code = 4

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class TruncatedAudio(SynthesisError):
    """A stream ended before the end of its text without saying so (edge's silent truncation)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class MissingTool(DeliverError):
    """A program or library deliver needs at run time is missing (ffmpeg, a font). Names it and how to install it."""

    exit_code = 4
