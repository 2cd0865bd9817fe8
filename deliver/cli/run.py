"""`deliver`'s entry point: UTF-8 streams, stop signals, and the one place errors become a line and an exit code."""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import suppress
from typing import Any

import typer

from deliver.cli import common
from deliver.cli.common import say
from deliver.errors import DeliverError


def _utf8_streams() -> None:
    """A legacy console code page must not crash on Chinese: write UTF-8, replace what cannot be shown."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):  # a stream that cannot be reconfigured stays as it is
                reconfigure(encoding="utf-8", errors="replace")


_STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
"""Ctrl-C, `kill` and a closed terminal: each stops a build the same way."""


_stopped = False
"""A stop arrived. Python runs the handler between any two bytecodes, also inside a finalizer (`__del__` of a
pipe or a file the garbage collector is closing), where the KeyboardInterrupt it raises is dropped: the build
then checks this at its next step (`check_stopped`) instead of finishing as if nothing had happened."""


def _interrupted(signum: int, frame: object) -> None:
    """The first stop unwinds like Ctrl-C, so a build removes its staging folder on the way out; later ones
    are ignored until that clean-up is done (a second Ctrl-C would otherwise break it with a traceback)."""
    global _stopped
    _stopped = True
    for stop in _STOPS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def check_stopped() -> None:
    """Raise KeyboardInterrupt when a stop arrived whose own KeyboardInterrupt was dropped (see `_stopped`);
    only on the main thread, where the handler's would have been raised."""
    if _stopped and threading.current_thread() is threading.main_thread():
        raise KeyboardInterrupt


def _unraisable(hook: Any) -> Any:
    """sys.unraisablehook that stays silent after a stop and leaves everything else to `hook`. After a stop,
    what a finalizer raises is the stop itself (its KeyboardInterrupt dropped there is acted on at the build's
    next step) or what it broke: an interrupt that lands while a library builds an object (a module being
    imported, say) leaves it half made, and its `__del__` fails later. The user asked to stop and is told so
    in one line; --debug still shows them."""

    def unraisable(info: Any) -> None:
        if not _stopped or common.debug:
            hook(info)

    return unraisable


def main() -> None:
    """Entry point: one place maps errors to a one-line message and an exit code."""
    _utf8_streams()
    sys.unraisablehook = _unraisable(sys.unraisablehook)
    for stop in _STOPS:
        signal.signal(stop, _interrupted)
    if hasattr(signal, "pthread_sigmask"):  # a parent may have blocked them, and a blocked mask is inherited
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    try:
        code = common.app(standalone_mode=False)  # typer returns 130 when it caught the KeyboardInterrupt itself
    except DeliverError as exc:
        if common.debug:
            raise
        _exit(f"error: {exc}", exc.exit_code)
    except KeyboardInterrupt:
        _exit("error: interrupted", 130)
    except OSError as exc:  # one not turned into a DeliverError where it happened: still one line
        if common.debug:
            raise
        _exit(f"error: {exc.filename or 'deliver'}: {exc.strerror or exc}", 3)
    except Exception as exc:  # the click/typer family: usage errors, help, --help exits
        sys.exit(_command_line_exit(exc))
    if code == 130:
        _exit("error: interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)


def _exit(line: str, code: int) -> None:
    """Say `line` and exit with `code`; a stop arriving now changes neither. After a stop the build has
    cleaned up already: exit at once, so the interpreter's own shutdown (joining voice threads, and its
    rule of dying by SIGINT after a KeyboardInterrupt) cannot turn 130 into a death by signal."""
    for stop in _STOPS:
        signal.signal(stop, signal.SIG_IGN)
    say(line)
    if code == 130:
        sys.stdout.flush()
        os._exit(130)
    sys.exit(code)


def _command_line_exit(exc: Exception) -> int:
    """Exit code for what typer/click raise with standalone_mode=False; prints one line for usage errors."""
    clicks = _click_exceptions()
    if isinstance(exc, (typer.Exit, getattr(clicks, "Exit", typer.Exit))):
        return int(getattr(exc, "exit_code", 0))
    if isinstance(exc, (typer.Abort, getattr(clicks, "Abort", typer.Abort))):
        say("error: interrupted")
        return 130
    if isinstance(exc, clicks.NoArgsIsHelpError if hasattr(clicks, "NoArgsIsHelpError") else ()):
        exc.show()
        return 0
    if isinstance(exc, clicks.UsageError):
        command = exc.ctx.command_path if exc.ctx is not None else "deliver"
        say(f"error: {exc.format_message()} (see: {command} --help)")
        return 2
    if isinstance(exc, clicks.ClickException):
        say(f"error: {exc.format_message()}")
        return int(exc.exit_code)
    if common.debug:
        raise exc
    say(f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug and report it)")
    return 1


def _click_exceptions() -> Any:
    """click's exception classes: vendored inside typer from 0.28 on, the click package before."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - typer < 0.28
        from click import exceptions  # type: ignore[no-redef]
    return exceptions
