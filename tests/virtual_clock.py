"""An event loop on a virtual clock, for timing tests that cannot hang.

When nothing is ready, the loop's selector moves the clock to the next
timer instead of sleeping, so ten virtual minutes take a fraction of a
second. Every turn of the loop moves the clock by at least a
microsecond: a timer that float rounding re-arms at the current instant
(as aiolimiter's waker can be) still sees time pass. A loop with nothing
scheduled and nothing to read would sleep forever; this one raises
`Stalled` instead, and so does one that turns more than `max_turns`
times. Only loopback I/O that is already in flight is polled; a
simulation should not need any.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

__all__ = ["Stalled", "VirtualClockLoop", "run_virtual"]

T = TypeVar("T")

MIN_STEP = 1e-6
"""The least a turn of the loop moves the clock, in seconds."""


class Stalled(RuntimeError):
    """The virtual loop would wait forever, or spins without end."""


class _AdvancingSelector(selectors.BaseSelector):
    """Polls the real selector, and moves the clock where it would block."""

    def __init__(self, loop: VirtualClockLoop, max_turns: int) -> None:
        self._inner = selectors.DefaultSelector()
        self._loop = loop
        self.turns_left = max_turns

    def register(
        self, fileobj: Any, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(
        self, fileobj: Any, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(
        self, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        self.turns_left -= 1
        if self.turns_left < 0:
            raise Stalled("the virtual loop turned too often: a livelock")
        ready = self._inner.select(0)
        if ready:
            return ready
        if timeout is None:
            raise Stalled("nothing is scheduled: the loop would wait forever")
        self._loop.advance(max(timeout, MIN_STEP))

        return []

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` only moves when it would wait."""

    def __init__(self, *, max_turns: int = 2_000_000) -> None:
        self._virtual_now = 0.0
        self._advancing = _AdvancingSelector(self, max_turns)
        super().__init__(self._advancing)

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds`."""
        self._virtual_now += seconds

    def grant_turns(self, turns: int) -> None:
        """Allow `turns` more turns, to clean up after a failure."""
        self._advancing.turns_left = turns


def run_virtual(
    main: Coroutine[Any, Any, T],
    *,
    limit: float,
    max_turns: int = 2_000_000,
) -> T:
    """Run `main` on a fresh virtual loop; fail past `limit` virtual seconds.

    Raises TimeoutError past the limit and `Stalled` if the loop would
    wait forever or spin, so a broken limiter fails the test quickly.
    """

    async def bounded() -> T:
        async with asyncio.timeout(limit):
            return await main

    loop = VirtualClockLoop(max_turns=max_turns)
    try:
        return loop.run_until_complete(bounded())
    finally:
        _cancel_leftovers(loop)
        loop.close()


def _cancel_leftovers(loop: VirtualClockLoop) -> None:
    left = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in left:
        task.cancel()
    if left:
        loop.grant_turns(10_000)
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
