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
