"""Retrying engine calls that may fail transiently: the policy, and exponential backoff with full jitter.

The narration layer wraps every engine call in `with_retries`, so every engine gets the same policy;
an engine only says, through `SynthesisError.retryable`, whether trying again may help.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from deliver import defaults
from deliver.errors import SynthesisError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try one chunk again; validated at construction."""

    attempts: int = defaults.RETRY_ATTEMPTS
    """Tries in all, the first included (1 = no retry)."""
    base: float = defaults.RETRY_BASE
    """Seconds: the backoff before retry n is at most base · 2**n …"""
    cap: float = defaults.RETRY_CAP
    """… and never more than this many seconds."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if not (0 <= self.base <= self.cap):
            raise ValueError(f"backoff must satisfy 0 <= base <= cap, got base {self.base}, cap {self.cap}")


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry number `retry` (0 for the first retry).

    Full jitter: uniform in [0, min(cap, base · 2**retry)], so clients that failed together
    do not come back together.
    """
    return rng.uniform(0.0, min(cap, base * (2.0**retry)))


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None = None,
    *,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Run `attempt` up to `policy.attempts` times, sleeping with backoff between tries.

    Only `SynthesisError` with `retryable=True` is retried; any other exception, and a
    non-retryable `SynthesisError`, propagates at once. When every try fails, the last error
    is re-raised. `sleep` and `rng` are injectable for tests.
    """
    rules = policy if policy is not None else RetryPolicy()
    chooser = rng if rng is not None else random.Random()
    for retry in range(rules.attempts):
        try:
            return await attempt()
        except SynthesisError as error:
            if not error.retryable or retry == rules.attempts - 1:
                raise
        await sleep(backoff_delay(retry, rules.base, rules.cap, chooser))
    raise AssertionError("unreachable")  # pragma: no cover
