"""Hybrid logical clocks: wall time that never runs backwards and orders every edit.

An ``Hlc`` encodes as a fixed-width string so that string order is clock order; last-writer-wins
compares ``(hlc, device_id)``, which is a total order across every device.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Hlc:
    wall_ms: int
    counter: int

    def encode(self) -> str:
        return f"{self.wall_ms:015d}.{self.counter:06d}"

    @classmethod
    def decode(cls, text: str) -> Hlc:
        wall, _, counter = text.partition(".")
        if len(wall) != 15 or len(counter) != 6 or not (wall + counter).isdigit():
            raise ValueError(f"not a clock value: {text!r}")
        return cls(int(wall), int(counter))

    @classmethod
    def zero(cls) -> Hlc:
        return cls(0, 0)

    def as_datetime(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.wall_ms / 1000, tz=datetime.UTC)


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """Issues strictly increasing clocks; ``observe`` folds in clocks seen from elsewhere."""

    def __init__(self, last: Hlc | None = None, now_ms: Callable[[], int] = _wall_ms) -> None:
        self._last = last or Hlc.zero()
        self._now_ms = now_ms

    @property
    def last(self) -> Hlc:
        return self._last

    def tick(self) -> Hlc:
        wall = self._now_ms()
        if wall > self._last.wall_ms:
            self._last = Hlc(wall, 0)
        else:
            self._last = Hlc(self._last.wall_ms, self._last.counter + 1)
        return self._last

    def observe(self, seen: Hlc) -> None:
        if seen > self._last:
            self._last = seen
