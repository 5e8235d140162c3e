"""How many requests each limiter lets through in its busiest window.

Saturates each limiter from idle for a few windows (no server involved)
and prints the largest count of grants in any window of W seconds. The
window is scaled down (100 per 3 s) so the run takes seconds; the counts
scale with it. Run: ``python benchmarks/limiter_window.py``.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter

from paradigm_async import RateLimit
from paradigm_async._ratelimit import Limiter

REQUESTS = 100
WINDOW = 3.0
WINDOWS = 3


async def grants(acquire: Callable[[], Awaitable[object]]) -> list[float]:
    """Grant times while 400 callers compete for `WINDOWS` windows."""
    stamps: list[float] = []
    deadline = time.monotonic() + WINDOW * WINDOWS

    async def caller() -> None:
        while time.monotonic() < deadline:
            await acquire()
            stamps.append(time.monotonic())

    tasks = [asyncio.create_task(caller()) for _ in range(400)]
    await asyncio.sleep(WINDOW * WINDOWS)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    return sorted(stamps)


def busiest_window(stamps: list[float]) -> int:
    """The most grants in any half-open window of `WINDOW` seconds."""
    return max(
        bisect.bisect_left(stamps, t + WINDOW) - i
        for i, t in enumerate(stamps)
    )


def first_window(stamps: list[float]) -> int:
    return bisect.bisect_left(stamps, stamps[0] + WINDOW)


async def main() -> None:
    naive = AsyncLimiter(REQUESTS, WINDOW)
    ours = Limiter(RateLimit(requests=REQUESTS, seconds=WINDOW))
    rows = [
        (f"AsyncLimiter({REQUESTS}, {WINDOW:g})", await grants(naive.acquire)),
        ("paradigm_async Limiter (default)", await grants(ours.acquire)),
    ]
    print(f"ceiling: {REQUESTS} per {WINDOW:g} s, saturated from idle\n")
    print(f"{'limiter':<36} {'first window':>12} {'busiest':>8} {'per W':>7}")
    for name, stamps in rows:
        rate = len(stamps) / (stamps[-1] - stamps[0]) * WINDOW
        print(
            f"{name:<36} {first_window(stamps):>12} "
            f"{busiest_window(stamps):>8} {rate:>7.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
