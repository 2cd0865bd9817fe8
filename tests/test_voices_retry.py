"""with_retries: which errors it retries, how long it waits, what it raises in the end."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliver.errors import SynthesisError, TruncatedAudio
from deliver.voices.retry import RetryPolicy, backoff_delay, with_retries


class Script:
    """An attempt that fails with the given errors in order, then returns "ok"; counts calls."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class FakeSleep:
    """Records the delays asked for instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def run(attempt: Script, sleep: FakeSleep, **policy: float) -> str:
    return asyncio.run(with_retries(attempt, RetryPolicy(**policy), sleep=sleep, rng=random.Random(7)))  # type: ignore[arg-type]


def test_it_returns_the_first_success_without_sleeping() -> None:
    attempt, sleep = Script(), FakeSleep()
    assert run(attempt, sleep) == "ok"
    assert attempt.calls == 1 and sleep.delays == []


def test_it_retries_retryable_errors_until_one_succeeds() -> None:
    attempt, sleep = Script(SynthesisError("429", retryable=True), TruncatedAudio("cut")), FakeSleep()
    assert run(attempt, sleep) == "ok"
    assert attempt.calls == 3 and len(sleep.delays) == 2


def test_it_reraises_the_last_error_when_every_attempt_fails() -> None:
    errors = [SynthesisError(f"fail {n}", retryable=True) for n in range(4)]
    attempt, sleep = Script(*errors), FakeSleep()
    with pytest.raises(SynthesisError, match="fail 3"):
        run(attempt, sleep, attempts=4)
    assert attempt.calls == 4 and len(sleep.delays) == 3


def test_it_does_not_retry_a_non_retryable_error() -> None:
    attempt, sleep = Script(SynthesisError("upgrade edge-tts", retryable=False)), FakeSleep()
    with pytest.raises(SynthesisError, match="upgrade"):
        run(attempt, sleep)
    assert attempt.calls == 1 and sleep.delays == []


@pytest.mark.parametrize("error", [ValueError("bug"), KeyError("x"), asyncio.CancelledError()])
def test_it_lets_other_exceptions_through_at_once(error: BaseException) -> None:
    attempt, sleep = Script(error), FakeSleep()
    with pytest.raises(type(error)):
        run(attempt, sleep)
    assert attempt.calls == 1


def test_delays_grow_exponentially_within_full_jitter_bounds() -> None:
    errors = [SynthesisError("503", retryable=True) for _ in range(5)]
    attempt, sleep = Script(*errors), FakeSleep()
    assert run(attempt, sleep, attempts=6, base=0.5, cap=3.0) == "ok"
    bounds = [0.5, 1.0, 2.0, 3.0, 3.0]
    assert all(0.0 <= delay <= bound for delay, bound in zip(sleep.delays, bounds, strict=True))


def test_it_refuses_fewer_than_one_attempt() -> None:
    with pytest.raises(ValueError):
        run(Script(), FakeSleep(), attempts=0)


def test_the_default_policy_tries_four_times() -> None:
    errors = [SynthesisError(f"fail {n}", retryable=True) for n in range(10)]
    attempt, sleep = Script(*errors), FakeSleep()
    with pytest.raises(SynthesisError, match="fail 3"):
        asyncio.run(with_retries(attempt, sleep=sleep))
    assert attempt.calls == RetryPolicy().attempts == 4 and len(sleep.delays) == 3


@given(retry=st.integers(0, 40), base=st.floats(0.0, 5.0), cap=st.floats(0.0, 60.0), seed=st.integers(0, 2**32))
def test_backoff_delay_is_never_negative_nor_above_the_cap(retry: int, base: float, cap: float, seed: int) -> None:
    delay = backoff_delay(retry, base, cap, random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2.0**retry)
