"""Hybrid logical clock: stamps that order edits across machines with skewed clocks.

A stamp is ``(wall_ms, counter)``; its text form sorts the same way as the tuple, so
stamps can be compared as strings in per-field stamp maps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int

    def encode(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:06d}"

    @classmethod
    def decode(cls, text: str) -> Stamp:
        wall, counter = text.split("-")
        return cls(int(wall), int(counter))


class HybridClock:
    """Issues stamps that never go backwards, even when the wall clock does."""

    def __init__(self, last: Stamp | None = None,
                 now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000) -> None:
        self._last = last or Stamp(0, 0)
        self._now_ms = now_ms

    @property
    def last(self) -> Stamp:
        return self._last

    def tick(self) -> Stamp:
        wall = self._now_ms()
        if wall > self._last.wall_ms:
            self._last = Stamp(wall, 0)
        else:
            self._last = Stamp(self._last.wall_ms, self._last.counter + 1)
        return self._last

    def observe(self, remote: Stamp) -> Stamp:
        """Merge a stamp seen from elsewhere so that later local stamps follow it."""
        wall = self._now_ms()
        top = max(wall, self._last.wall_ms, remote.wall_ms)
        if top == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter) + 1
        elif top == self._last.wall_ms:
            counter = self._last.counter + 1
        elif top == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self._last = Stamp(top, counter)
        return self._last
