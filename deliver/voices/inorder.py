"""Results handed on in order of position, each as soon as it and every one before it are in: how a
section's chunks, voiced concurrently and finishing in any order, reach its encoder in the order heard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Refused(Exception):
    """What the receiver of the results raised, carried as it is past whoever catches the jobs' own errors
    (narration's engine fallback: a listener's failure is not the engine's)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class InOrder(Generic[T]):
    """Calls `hand(position, result)` in order of position (0, 1, …), each as soon as that result and every
    one before it are in: a result in early waits for those before it."""

    def __init__(self, hand: Callable[[int, T], None]) -> None:
        self.hand, self.next = hand, 0
        self.waiting: dict[int, T] = {}

    async def after(self, position: int, job: Awaitable[T]) -> T:
        """`job`'s result, once it and any it held up are handed on. Raises Refused when `hand` raised."""
        result = self.waiting[position] = await job
        while self.next in self.waiting:
            self.next += 1
            try:
                self.hand(self.next - 1, self.waiting.pop(self.next - 1))
            except Exception as exc:
                raise Refused(exc) from exc
        return result
