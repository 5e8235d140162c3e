"""The client's rate limiter: at most N requests in any W-second window.

Two rules pace every send. One interval, ``(W + margin) / N``, separates
two sends, so they never burst after an idle spell (aiolimiter's leaky
bucket of capacity 1 keeps it). And no send goes out before ``W +
margin`` has passed since the N-th send before it: whatever happened to
the pacing, N + 1 sends never fall in one window. The plain
``AsyncLimiter(100, 60)`` admits up to 199 in its first minute from idle
instead (``benchmarks/limiter_window.py`` measures it).

The margin is there because the server counts arrivals, not sends: two
requests sent one interval apart can arrive closer than that. By default
it follows the answers: a request cannot arrive later than its answer
does, so the margin is a quarter more than the slowest answer of the
last N, kept between a floor of 0.25 s and a ceiling of 5% of the window.
On a quick network that is 0.25 s a minute, 99.6% of the ceiling; under
0.8 s of arrival jitter, about 1 s, 98.4%. A fixed `margin` turns this
off.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import ConfigurationError
from ._exchange import REMAINING_HEADER, RESET_HEADER
from ._retry import parse_reset, parse_retry_after
from ._shared_limit import SharedSchedule

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["LANES", "Limiter", "RateLimit"]

logger = logging.getLogger("paradigm_async.ratelimit")

LANES = ("interactive", "bulk")
"""The priority lanes, served in this order."""

_LONGEST_PAUSE = 120.0
"""The longest the server may hold the client back in one go, seconds."""

_MIN_MARGIN = 0.25
"""The adaptive margin's floor in seconds: scheduling and the network
add some jitter to every request, however quick the answers."""

_MAX_MARGIN_SHARE = 0.05
"""The adaptive margin's ceiling as a share of the window: 3 s a minute.
A network slower than that costs a 429 now and then, not a crawl."""

_LATENCY_SAFETY = 1.25
"""How much more than the slowest recent answer the margin keeps."""


def _positive(
    instance: object, attribute: attrs.Attribute[Any], value: float
) -> None:
    if isinstance(value, bool) or not value > 0:
        raise ConfigurationError(
            f"RateLimit.{attribute.name} must be positive"
        )


@attrs.frozen(kw_only=True)
class RateLimit:
    """A ceiling of `requests` in any window of `seconds`.

    The default is the API's documented 100 requests per minute per key.
    `margin` is slack for arrival jitter, in seconds: sends are paced so
    that N of them span ``seconds + margin``. None (the default) adapts
    it to how late answers come back, from 0.25 s up to 5% of the
    window. `redis_url` shares the ceiling between every process and
    host that uses the same API key and Redis (the ``redis`` extra);
    give them all the same numbers.
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
            raise ConfigurationError(
                "RateLimit.redis_url must start with redis://, rediss:// "
                "or unix://"
            )

    @margin.validator
    def _check_margin(
        self, attribute: attrs.Attribute[float | None], value: float | None
    ) -> None:
        if value is not None and not value >= 0:
            raise ConfigurationError("RateLimit.margin must be zero or more")

    @property
    def interval(self) -> float:
        """Seconds between two sends before any answer has come back."""
        return self.interval_for(self.margin_for(None))

    def margin_for(self, slowest_answer: float | None) -> float:
        """The margin to keep when the slowest recent answer took so long."""
        if self.margin is not None:
            return self.margin
        if slowest_answer is None:
            return _MIN_MARGIN
        ceiling = max(_MIN_MARGIN, self.seconds * _MAX_MARGIN_SHARE)
        wanted = _LATENCY_SAFETY * slowest_answer

        return min(ceiling, max(_MIN_MARGIN, wanted))

    def interval_for(self, margin: float) -> float:
        """Seconds between two sends when N sends span W plus `margin`."""
        return (self.seconds + margin) / self.requests


class Limiter:
    """Grants send slots to every request of one client.

    One per client, shared by all its resources and tasks. Slots are
    granted first come, first served within a lane, and the interactive
    lane goes ahead of the bulk one, under the same ceiling: a page
    request of a web app does not wait behind a 10,000-lead job. A call
    cancelled while waiting gives its place back. The send log follows
    the client from one event loop to the next, so a second
    `asyncio.run` cannot send a burst the first one already spent. Times
    are read from the running loop's clock, which a test can make
    virtual.

    `observe` reads every answer: a 429 holds every slot back until its
    ``Retry-After``, even with the pacing turned off, so one 429 stops
    the whole client instead of each queued call drawing its own.
    """

    def __init__(
        self, rate: RateLimit | None, *, shared_key: str | None = None
    ) -> None:
        self.rate = rate
        self._shared: SharedSchedule | None = None
        if rate is not None and rate.redis_url is not None:
            assert shared_key is not None
            self._shared = SharedSchedule(rate.redis_url, shared_key)
        self._bucket: AsyncLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._carry = 0.0
        self._paused_until = 0.0
        self._sent: deque[float] = deque(maxlen=rate.requests if rate else 1)
        self._answers: deque[float] = deque(
            maxlen=rate.requests if rate else 1
        )
        self.margin = rate.margin_for(None) if rate else 0.0
        self._lanes: dict[str, deque[asyncio.Future[None]]] = {
            lane: deque() for lane in LANES
        }
        self._turn_taken = False

    @property
    def interval(self) -> float:
        """Seconds between two sends at the current margin (0 unpaced)."""
        return self.rate.interval_for(self.margin) if self.rate else 0.0

    def observe(
        self, status: int, headers: Mapping[str, str], seconds: float
    ) -> None:
        """Learn from one answer, which came `seconds` after its slot.

        A 429 pauses every call for its ``Retry-After`` (1 s if absent).
        Rate headers saying less is left than this client's own sends
        explain pause them until ``X-RateLimit-Reset``: another consumer
        spends the same key. The answer's delay feeds the margin.
        """
        self._note_answer(seconds)
        if status == 429:
            wait = parse_retry_after(headers.get("Retry-After"))
            self.pause(1.0 if wait is None else wait)
            return
        remaining = headers.get(REMAINING_HEADER, "").strip()
        if not remaining.isdigit() or self._enough_left(int(remaining)):
            return
        reset = parse_reset(headers.get(RESET_HEADER))
        if reset is not None:
            self.heed_remaining(int(remaining), reset)

    def pause(self, seconds: float) -> None:
        """Grant no slot for the next `seconds` (a later end wins)."""
        until = _clock() + min(seconds, _LONGEST_PAUSE)
        if until > self._paused_until:
            self._paused_until = until
            logger.debug(
                "ratelimit.paused",
                extra={"paradigm.pause_seconds": round(seconds, 3)},
            )

    def heed_remaining(self, remaining: int, reset_in: float) -> None:
        """The server says `remaining` requests are left until `reset_in`.

        Pause until the reset when that is both fewer than this client's
        own sends leave and too few for the sends not yet arrived: only
        then would the next request be refused. The sends of the last
        window and margin count, as any of them may still count at the
        server; a token bucket's small but steady `remaining` is no
        alarm. A shared (Redis) limiter already counts every process, so
        it does not second-guess; without pacing, only an empty budget
        pauses.
        """
        if self._shared is not None:
            return
        if self.rate is None:
            if remaining < 1:
                self.pause(reset_in)
            return
        now = _clock()
        counted = self._sends_since(now - self.rate.seconds - self.margin)
        arriving = self._sends_since(now - self.margin)
        if remaining < self.rate.requests - counted and remaining <= arriving:
            self.pause(reset_in)

    def unpaced_now(self) -> bool:
        """Whether a send may go now with no slot taken: there is no
        pacing and no pause holds. `acquire` would return at once and
        record nothing, so the transport skips it."""
        return self.rate is None and _clock() >= self._paused_until

    def _enough_left(self, remaining: int) -> bool:
        """Whether `heed_remaining` could not pause for `remaining`,
        whatever the reset: the reset is then not even read."""
        if self._shared is not None:
            return True

        return remaining >= (self.rate.requests if self.rate else 1)

    def ready(self) -> bool:
        """Whether `acquire` would grant a slot at once, without waiting."""
        now = _clock()
        if now < self._paused_until:
            return False
        if self.rate is None:
            return True
        if self._shared is not None:
            return False
        bucket = self._bucket_for(asyncio.get_running_loop())
        queued = any(self._lanes.values())

        return not (self._carry or self._turn_taken or queued) and (
            bucket.has_capacity() and self._window_opens_in(now) <= 0
        )

    async def acquire(self, lane: str = "bulk") -> float:
        """Wait for a send slot in `lane`; return the seconds waited."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self.rate is None:
            paused = await self._wait_out_pause()
            return loop.time() - started if paused else 0.0
        self._adopt(loop)
        await self._take_turn(lane)
        try:
            # Paused or not, the turn is kept: the order survives a 429.
            await self._wait_out_pause()
            if self._shared is not None:
                await asyncio.sleep(await self._shared.reserve(self.interval))
            else:
                await self._space(self._bucket_for(loop))
            # A pause may have begun while this call was being spaced.
            await self._wait_out_pause()
        finally:
            self._pass_turn()
        now = loop.time()
        self._sent.append(now)
        waited = now - started
        if waited > 0.001 and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "ratelimit.waited",
                extra={"paradigm.wait_seconds": round(waited, 4)},
            )

        return waited

    async def _wait_out_pause(self) -> bool:
        """Sleep until no pause holds; return whether one did."""
        paused = False
        # A loop, not one sleep: a later answer can push the pause's end.
        while (left := self._paused_until - _clock()) > 0:
            paused = True
            await asyncio.sleep(left)

        return paused

    async def _space(self, bucket: AsyncLimiter) -> None:
        """Wait one interval after the last send and a window after the
        N-th last."""
        if self._carry:
            carry, self._carry = self._carry, 0.0
            await bucket.acquire(carry)
        await bucket.acquire()
        if (wait := self._window_opens_in(_clock())) > 0:
            await asyncio.sleep(wait)

    def _window_opens_in(self, now: float) -> float:
        """Seconds until a send would not make N + 1 in a window."""
        if self.rate is None or len(self._sent) < self.rate.requests:
            return 0.0

        return self._sent[0] + self.rate.seconds + self.margin - now

    def _sends_since(self, since: float) -> int:
        count = 0
        for sent in reversed(self._sent):
            if sent <= since:
                break
            count += 1

        return count

    def _note_answer(self, seconds: float) -> None:
        if self.rate is None or self.rate.margin is not None:
            return
        self._answers.append(seconds)
        self.margin = self.rate.margin_for(max(self._answers))

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

    def _adopt(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start afresh on a new loop: the old one's waiters are gone."""
        if loop is not self._loop:
            self._lanes = {lane: deque() for lane in LANES}
            self._turn_taken = False
            self._bucket = None
            self._loop = loop

    def _bucket_for(self, loop: asyncio.AbstractEventLoop) -> AsyncLimiter:
        """The spacing bucket for this loop and the current interval.

        A new loop, or a margin that moved, gets a new bucket; the last
        send carries over as the new bucket's level.
        """
        self._adopt(loop)
        interval = self.interval
        if self._bucket is not None and self._bucket.time_period == interval:
            return self._bucket
        # Imported on first use: aiolimiter reads its package metadata as
        # it loads, some 5 ms that importing the SDK need not cost.
        from aiolimiter import AsyncLimiter

        self._bucket = AsyncLimiter(1, interval)
        if self._sent:
            since = loop.time() - self._sent[-1]
            self._carry = max(0.0, 1.0 - since / interval)

        return self._bucket


def _clock() -> float:
    """The running loop's clock, which the send log is kept on."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()
