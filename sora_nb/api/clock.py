"""Time as the client sees it: injectable, so tests and benchmarks run in simulated time."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What the client needs of time: a monotonic reading, wall time, and a way to sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for deadlines)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (for ``Retry-After`` given as an HTTP date)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; must be cancellable like ``asyncio.sleep``."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SimulatedClock:
    """A clock whose sleeps return at once and advance its time: for tests and benchmarks.

    ``sleeps`` records every sleep requested, in order.
    """

    def __init__(self, start: float = 1_000_000.0, *, wall: float = 1_790_000_000.0) -> None:
        self.now = start
        self._wall_offset = wall - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now + self._wall_offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        # Yield to the loop, as a real sleep would, so cancellation can land here.
        await asyncio.sleep(0)
