"""The client's rate limiter: at most N requests in any W-second window.

Built on aiolimiter's leaky bucket. `AsyncLimiter(b, T)` admits up to
``b + ceil(W * b / T) - 1`` acquisitions in a window of W seconds, so the
plain ``AsyncLimiter(100, 60)`` passes 199 in its first minute from idle
(``benchmarks/limiter_window.py`` measures it). A bucket of capacity 1 is
the one that keeps the documented ceiling: it spaces sends evenly, one per
``(W + margin) / N`` seconds, and never bursts after an idle spell.

The margin is there because the server counts arrivals, not sends: two
requests sent one interval apart can arrive closer than that. With N
sends spanning at least ``W + margin`` seconds, the server never sees
N + 1 in a window unless arrival jitter exceeds the margin.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

import attrs
from aiolimiter import AsyncLimiter

from ._shared_limit import SharedSchedule

__all__ = ["LANES", "Limiter", "RateLimit"]

logger = logging.getLogger("paradigm_async.ratelimit")

_DEFAULT_MARGIN_SHARE = 0.02
"""Default margin as a share of the window: 1.2 s of a minute."""

LANES = ("interactive", "bulk")
"""The priority lanes, served in this order."""

_LONGEST_PAUSE = 120.0
"""The longest the server may hold the client back in one go, seconds."""

_MIN_MARGIN = 0.25
"""The default margin's floor in seconds: arrival jitter does not shrink
with the window, so short test windows keep a usable margin too."""


def _positive(
    instance: object, attribute: attrs.Attribute[Any], value: float
) -> None:
    if isinstance(value, bool) or not value > 0:
        raise ValueError(f"RateLimit.{attribute.name} must be positive")


@attrs.frozen(kw_only=True)
class RateLimit:
    """A ceiling of `requests` in any window of `seconds`.

    The default is the API's documented 100 requests per minute per key.
    `margin` is slack for arrival jitter, in seconds: sends are paced so
    that N of them span ``seconds + margin``. By default it is 2% of the
    window and at least 0.25 s (1.2 s for a minute). `redis_url` shares
    the ceiling between every process and host that uses the same API key
    and Redis (the ``redis`` extra); give them all the same numbers.
    """

    requests: int = attrs.field(default=100, validator=_positive)
    seconds: float = attrs.field(default=60.0, validator=_positive)
    margin: float | None = attrs.field(default=None)
    redis_url: str | None = attrs.field(default=None, repr=False)

    @redis_url.validator
    def _check_redis_url(
        self, attribute: attrs.Attribute[str | None], value: str | None
    ) -> None:
        schemes = ("redis://", "rediss://", "unix://")
        if value is not None and not str(value).startswith(schemes):
            raise ValueError(
                "RateLimit.redis_url must start with redis://, rediss:// "
                "or unix://"
            )

    @margin.validator
    def _check_margin(
        self, attribute: attrs.Attribute[float | None], value: float | None
    ) -> None:
        if value is not None and not value >= 0:
            raise ValueError("RateLimit.margin must be zero or more")

    @property
    def interval(self) -> float:
        """Seconds between two sends at the paced rate."""
        margin = self.margin
        if margin is None:
            margin = max(_MIN_MARGIN, self.seconds * _DEFAULT_MARGIN_SHARE)

        return (self.seconds + margin) / self.requests


class Limiter:
    """Grants send slots to every request of one client.

    One per client, shared by all its resources and tasks. Slots are
    granted first come, first served within a lane, and the interactive
    lane goes ahead of the bulk one, under the same ceiling: a page
    request of a web app does not wait behind a 10,000-lead job. A call
    cancelled while waiting gives its place back. The bucket follows the
    client from one event loop to the next, carrying its level over, so a
    second `asyncio.run` cannot send a burst the first one already spent.

    `pause` holds every slot back until a moment the server named (a 429's
    ``Retry-After``, or the reset of a budget it says is spent), even with
    the pacing turned off: one 429 then stops the whole client, instead of
    each queued call drawing its own.
    """

    def __init__(
        self, rate: RateLimit | None, *, shared_key: str | None = None
    ) -> None:
        self.rate = rate
        self._shared: SharedSchedule | None = None
        if rate is not None and rate.redis_url is not None:
            assert shared_key is not None
            self._shared = SharedSchedule(
                rate.redis_url, shared_key, rate.interval
            )
        self._bucket: AsyncLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._carry = 0.0
        self._paused_until = 0.0
        self._sent: deque[float] = deque(maxlen=rate.requests if rate else 1)
        self._lanes: dict[str, deque[asyncio.Future[None]]] = {
            lane: deque() for lane in LANES
        }
        self._turn_taken = False

    def pause(self, seconds: float) -> None:
        """Grant no slot for the next `seconds` (a later end wins)."""
        until = time.monotonic() + min(seconds, _LONGEST_PAUSE)
        if until > self._paused_until:
            self._paused_until = until
            logger.debug(
                "ratelimit.paused",
                extra={"paradigm.pause_seconds": round(seconds, 3)},
            )

    def heed_remaining(self, remaining: int, reset_in: float) -> None:
        """The server says `remaining` requests are left until `reset_in`.

        Pause until the reset if that is fewer than this client's own
        sends leave: someone else is spending the same key. A shared
        (Redis) limiter already counts every process, so it does not
        second-guess; without pacing, only an empty budget pauses.
        """
        if self._shared is not None:
            return
        if self.rate is None:
            expected = 1
        else:
            since = time.monotonic() - self.rate.seconds
            ours = sum(1 for sent in self._sent if sent > since)
            expected = self.rate.requests - ours
        if remaining < expected:
            self.pause(reset_in)

    def ready(self) -> bool:
        """Whether `acquire` would grant a slot at once, without waiting."""
        if time.monotonic() < self._paused_until:
            return False
        if self.rate is None:
            return True
        if self._shared is not None:
            return False
        bucket = self._bucket_for_running_loop()
        queued = any(self._lanes.values())

        return not (self._carry or self._turn_taken or queued) and (
            bucket.has_capacity()
        )

    async def acquire(self, lane: str = "bulk") -> float:
        """Wait for a send slot in `lane`; return the seconds waited."""
        started = time.monotonic()
        paused = False
        # A loop, not one sleep: a later answer can push the pause's end.
        while (left := self._paused_until - time.monotonic()) > 0:
            paused = True
            await asyncio.sleep(left)
        if self.rate is None:
            return time.monotonic() - started if paused else 0.0
        bucket = self._bucket_for_running_loop()
        await self._take_turn(lane)
        try:
            if self._shared is not None:
                await asyncio.sleep(await self._shared.reserve())
            else:
                if self._carry:
                    carry, self._carry = self._carry, 0.0
                    await bucket.acquire(carry)
                await bucket.acquire()
        finally:
            self._pass_turn()
        now = time.monotonic()
        self._sent.append(now)
        waited = now - started
        if waited > 0.001 and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "ratelimit.waited",
                extra={"paradigm.wait_seconds": round(waited, 4)},
            )

        return waited

    async def _take_turn(self, lane: str) -> None:
        """Wait until this caller is the one to ask the bucket next.

        Only one caller at a time waits in the bucket, so the order among
        the others is ours to keep: interactive first, then bulk, each in
        arrival order.
        """
        if not self._turn_taken and not any(self._lanes.values()):
            self._turn_taken = True
            return
        turn = asyncio.get_running_loop().create_future()
        self._lanes[lane].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._pass_turn()  # given the turn as it was cancelled
            else:
                self._lanes[lane].remove(turn)
            raise

    def _pass_turn(self) -> None:
        for lane in LANES:
            waiting = self._lanes[lane]
            while waiting:
                turn = waiting.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._turn_taken = False

    async def close(self) -> None:
        """Close the connections of a shared limiter, if any."""
        if self._shared is not None:
            await self._shared.close()

    def _bucket_for_running_loop(self) -> AsyncLimiter:
        loop = asyncio.get_running_loop()
        if self._bucket is not None and loop is self._loop:
            return self._bucket

        assert self.rate is not None
        interval = self.rate.interval
        self._bucket = AsyncLimiter(1, interval)
        self._loop = loop
        self._lanes = {lane: deque() for lane in LANES}
        self._turn_taken = False
        if self._sent:
            since = time.monotonic() - self._sent[-1]
            self._carry = max(0.0, 1.0 - since / interval)

        return self._bucket
