"""The client's limiter against the sandbox's server models, in virtual time.

Each simulated request takes a slot from a real `Limiter`, arrives at a
sandbox limiter model (`paradigm_async.sandbox._limits`) after a random
arrival delay, and its answer, rendered with the sandbox's own rate
headers, goes back through `Limiter.observe`: the same two calls the
transport makes around every request. Only the sockets are left out, so
that minutes of traffic run in virtual time (see `virtual_clock`).
"""

from __future__ import annotations

import asyncio
import bisect
import random
import time

import attrs

from paradigm_async import RateLimit
from paradigm_async._ratelimit import Limiter
from paradigm_async.sandbox._limits import new_limiter, rate_headers

__all__ = ["RunResult", "busiest", "saturate"]

RETURN_DELAY = 0.02
"""Seconds an answer takes to come back, after the server decided."""


def busiest(stamps: list[float], window: float) -> int:
    """The largest number of `stamps` in any half-open `window`."""
    ordered = sorted(stamps)

    return max(
        (
            bisect.bisect_left(ordered, start + window) - i
            for i, start in enumerate(ordered)
        ),
        default=0,
    )


@attrs.frozen
class RunResult:
    """What one saturated run sent, and what the server made of it."""

    sent: list[float]
    arrived: list[float]
    accepted: int
    rejected: int
    ceiling: float

    @property
    def share_of_ceiling(self) -> float:
        """Accepted requests as a share of the most the ceiling allows."""
        return self.accepted / self.ceiling


class SimulatedServer:
    """One sandbox limiter model behind a network with arrival jitter."""

    def __init__(
        self, model: str, rate: RateLimit, jitter: float, seed: int
    ) -> None:
        limiter = new_limiter(model, (rate.requests, rate.seconds))
        assert limiter is not None
        self._model = limiter
        self._jitter = jitter
        self._random = random.Random(seed)
        self.arrived: list[float] = []
        self.accepted = 0
        self.rejected = 0

    async def call(self, limiter: Limiter, granted: float) -> None:
        """Deliver one request granted at `granted` and answer it."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self._random.uniform(0.0, self._jitter))
        now = loop.time()
        decision = self._model.try_acquire("key", now)
        headers = rate_headers(decision, now, time.time())
        self.arrived.append(now)
        if decision.allowed:
            self.accepted += 1
        else:
            self.rejected += 1
        await asyncio.sleep(RETURN_DELAY)
        status = 200 if decision.allowed else 429
        limiter.observe(status, headers, loop.time() - granted)


async def saturate(
    model: str,
    *,
    rate: RateLimit,
    jitter: float,
    duration: float,
    seed: int = 0,
    workers: int = 10,
) -> RunResult:
    """Keep `workers` callers busy against `model` for `duration` seconds.

    Counts only requests that arrive within the run, and gives the share
    of the ceiling (N per W over the run's length) they reached.
    """
    limiter = Limiter(rate)
    server = SimulatedServer(model, rate, jitter, seed)
    sent: list[float] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + duration

    async def worker() -> None:
        while loop.time() < end:
            await limiter.acquire()
            granted = loop.time()
            if granted >= end:
                return
            sent.append(granted)
            await server.call(limiter, granted)

    await asyncio.gather(*(worker() for _ in range(workers)))
    in_run = [t for t in server.arrived if t < end]

    return RunResult(
        sent=sent,
        arrived=in_run,
        accepted=server.accepted,
        rejected=server.rejected,
        ceiling=rate.requests * duration / rate.seconds,
    )
