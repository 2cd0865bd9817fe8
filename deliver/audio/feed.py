"""A section's takes handed to its encoder one by one while the section is still being voiced: the
narration puts them (in order), a worker thread takes them as they come."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator

from deliver.audio.takes import SectionVoice, Take


class Abandoned(Exception):
    """The takes given so far are void: the section is voiced again by another engine, or the build stops."""


class Feed:
    """The takes of section `head.index` as voiced by `head.engine` (`head.takes` is empty: they come here).
    Safe between threads; holds takes (durations, boundaries and a reader), never their audio."""

    def __init__(self, head: SectionVoice) -> None:
        self.head = head
        self.count = 0
        """Takes put so far."""
        self._queue: deque[tuple[Take, bool]] = deque()
        self._closed = self._abandoned = False
        self._ready = threading.Condition()

    def put(self, take: Take, stored: bool) -> None:
        """The section's next take; `stored`: its audio was in the synthesis cache before this build."""
        with self._ready:
            self._queue.append((take, stored))
            self.count += 1
            self._ready.notify()

    def close(self) -> None:
        """Every take is in."""
        with self._ready:
            self._closed = True
            self._ready.notify()

    def abandon(self) -> None:
        """Make the worker stop (it raises Abandoned) and drop the takes not taken yet."""
        with self._ready:
            self._abandoned = True
            self._queue.clear()
            self._ready.notify()

    def takes(self) -> Iterator[tuple[Take, bool]]:
        """Each take and its `stored` flag as it comes, until the feed is closed. Raises Abandoned."""
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._abandoned or self._closed or bool(self._queue))
                if self._abandoned:
                    raise Abandoned(f"section {self.head.index + 1}: voiced again")
                if not self._queue:
                    return
                item = self._queue.popleft()
            yield item
