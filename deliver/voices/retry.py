"""Exponential backoff with full jitter for engine calls that may fail transiently."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from deliver.errors import SynthesisError

T = TypeVar("T")


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before retry number `retry` (0 for the first retry).

    Full jitter: uniform in [0, min(cap, base · 2**retry)], so clients that failed together
    do not come back together.
    """
    return rng.uniform(0.0, min(cap, base * (2.0**retry)))


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    attempts: int = 4,
    base: float = 0.5,
    cap: float = 8.0,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Run `attempt` up to `attempts` times, sleeping with backoff between tries.

    Only `SynthesisError` with `retryable=True` is retried; any other exception, and a
    non-retryable `SynthesisError`, propagates at once. When every try fails, the last error
    is re-raised. `base` and `cap` are seconds; `sleep` and `rng` are injectable for tests.

    Raises ValueError when `attempts` < 1.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    chooser = rng if rng is not None else random.Random()
    for retry in range(attempts):
        try:
            return await attempt()
        except SynthesisError as error:
            if not error.retryable or retry == attempts - 1:
                raise
        await sleep(backoff_delay(retry, base, cap, chooser))
    raise AssertionError("unreachable")  # pragma: no cover
