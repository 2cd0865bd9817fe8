"""A stop signal whose KeyboardInterrupt Python drops (raised inside a finalizer) still stops the build."""

from __future__ import annotations

import gc
import signal
import sys
from collections.abc import Iterator

import pytest

from deliver.cli import run


@pytest.fixture
def handlers() -> Iterator[None]:
    saved = {stop: signal.getsignal(stop) for stop in run._STOPS}
    yield
    for stop, handler in saved.items():
        signal.signal(stop, handler)


def test_a_stop_dropped_in_a_finalizer_is_silent_and_acted_on_at_the_next_step(
    handlers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[object] = []
    monkeypatch.setattr(run, "_stopped", False)
    monkeypatch.setattr(sys, "unraisablehook", run._unraisable(reported.append))

    class Closing:
        def __del__(self) -> None:  # the handler runs here, as it may while the collector closes a pipe
            run._interrupted(signal.SIGTERM, None)

    Closing()  # dropped at once: its __del__ raises KeyboardInterrupt, which Python cannot propagate
    assert reported == []  # no "Exception ignored" traceback on the user's terminal
    with pytest.raises(KeyboardInterrupt):
        run.check_stopped()


def test_after_a_stop_a_finalizer_broken_by_it_prints_no_traceback(
    handlers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C that lands while a library builds an object leaves it half made; its __del__ fails later,
    under the build's one line (seen with pkg_resources' pyparsing grammars)."""
    reported: list[object] = []
    monkeypatch.setattr(run, "_stopped", False)
    monkeypatch.setattr(run.common, "debug", False)
    monkeypatch.setattr(sys, "unraisablehook", run._unraisable(reported.append))

    class HalfMade:
        def __init__(self) -> None:
            run._interrupted(signal.SIGINT, None)  # the stop lands before `expr` is set
            self.expr = None

        def __del__(self) -> None:
            print(self.expr)  # reads what __init__ never set, as pyparsing's Forward does

    with pytest.raises(KeyboardInterrupt):
        HalfMade()
    gc.collect()
    assert reported == []
    monkeypatch.setattr(run.common, "debug", True)  # --debug still shows it
    with pytest.raises(KeyboardInterrupt):
        HalfMade()
    gc.collect()
    assert [type(info.exc_value) for info in reported] == [AttributeError]  # type: ignore[attr-defined]


def test_without_a_stop_the_steps_go_on_and_other_dropped_errors_are_still_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[object] = []
    monkeypatch.setattr(run, "_stopped", False)
    monkeypatch.setattr(sys, "unraisablehook", run._unraisable(reported.append))

    class Broken:
        def __del__(self) -> None:
            raise ValueError("a real bug in a finalizer")

    Broken()
    run.check_stopped()
    assert [type(info.exc_value) for info in reported] == [ValueError]  # type: ignore[attr-defined]
