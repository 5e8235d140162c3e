"""The aiohttp session behind a client, one per running event loop.

The session is made lazily, inside the loop that first needs it, so a
client can be built at import time. A loop that ends without the client
being closed (the second of two `asyncio.run` calls, say) would strand the
session's sockets; a small keeper task closes the session when the loop
cancels its remaining tasks on the way out, and the next loop gets a
fresh session.

Each attempt's timeout is kept here too, by one timer per loop for all
the attempts of a client (`AttemptTimer`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import attrs

from ._errors import APIConnectionError, ConfigurationError
from ._validation import is_whole_number

__all__ = ["AttemptTimer", "ConnectionSlots", "LoopState", "SessionHolder"]

logger = logging.getLogger("paradigm_async.transport")

T = TypeVar("T")


class ConnectionSlots:
    """At most `size` attempts on the wire at once, first come first served.

    `asyncio.Semaphore` runs three coroutines on every use; here a free
    slot is taken with none (`take_now`), and only a caller that finds
    none free waits (`take`). A slot given back goes straight to the
    longest waiter, which is what keeps the order first come, first
    served.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    def take_now(self) -> bool:
        """Take a slot if one is free and nobody waits; say whether."""
        if self._free and not self._waiters:
            self._free -= 1
            return True

        return False

    async def take(self) -> None:
        """Wait for a slot, in turn."""
        if self.take_now():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if not waiter.cancelled():
                self.give_back()  # handed a slot as it was cancelled
            elif waiter in self._waiters:  # else a give_back passed it
                self._waiters.remove(waiter)
            raise

    def give_back(self) -> None:
        """Return a slot: to the longest waiter, else to the free ones."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class AttemptTimer:
    """Times out attempts of `seconds` each, with one timer handle.

    `asyncio.timeout` arms a timer handle for each attempt and cancels
    it after: some 5 us a call, a third of what the transport itself
    cost on a quick answer. Attempts that all last `seconds` reach their
    deadlines in the order they started, so one handle, armed for the
    oldest attempt still running, serves them all: an attempt that ends
    in time only leaves the queue. One that does not has its task
    cancelled, and its block raises `TimeoutError`, as `asyncio.timeout`
    would.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float):
        self.seconds = seconds
        self._loop = loop
        self._running: dict[_Deadline, None] = {}
        """In the order they started, which is their deadlines' order."""
        self._handle: asyncio.TimerHandle | None = None

    def limit(self) -> _Deadline:
        """A ``with`` block that raises `TimeoutError` after `seconds`."""
        return _Deadline(self)

    def _start(self, deadline: _Deadline) -> None:
        deadline.when = self._loop.time() + self.seconds
        self._running[deadline] = None
        if self._handle is None:
            self._arm(deadline.when)

    def _end(self, deadline: _Deadline) -> None:
        self._running.pop(deadline, None)

    def _arm(self, when: float) -> None:
        self._handle = self._loop.call_at(when, self._expire)

    def _expire(self) -> None:
        """Cancel the attempts past their deadline; wait for the next."""
        self._handle = None
        now = self._loop.time()
        while self._running:
            deadline = next(iter(self._running))
            if deadline.when > now:
                self._arm(deadline.when)
                return
            del self._running[deadline]
            deadline.expire()


class _Deadline:
    """One attempt's time limit in an `AttemptTimer`."""

    __slots__ = ("_cancelling", "_expired", "_task", "_timer", "when")

    def __init__(self, timer: AttemptTimer) -> None:
        self._timer = timer
        self._expired = False
        self.when = 0.0

    def __enter__(self) -> None:
        task = asyncio.current_task()
        assert task is not None, "an attempt runs in a task"
        self._task = task
        # A cancellation already under way is not ours to turn into a
        # timeout: the same rule `asyncio.timeout` keeps.
        self._cancelling = task.cancelling()
        self._timer._start(self)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._timer._end(self)
        if not self._expired:
            return
        ours = self._task.uncancel() <= self._cancelling
        if ours and kind is asyncio.CancelledError:
            raise TimeoutError

    def expire(self) -> None:
        """The time is up: cancel the attempt's task."""
        self._expired = True
        self._task.cancel()


@attrs.define
class LoopState:
    """What one event loop's calls share: the session, the connection
    slots and the attempt timers."""

    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession
    slots: ConnectionSlots
    keeper: asyncio.Task[None] | None
    closing: asyncio.Future[None]
    timers: dict[float, AttemptTimer] = attrs.field(factory=dict)

    def timer(self, seconds: float) -> AttemptTimer:
        """The timer for attempts of `seconds`, made on first use."""
        timer = self.timers.get(seconds)
        if timer is None:
            timer = self.timers[seconds] = AttemptTimer(self.loop, seconds)

        return timer


class SessionHolder:
    """Gives out the session and connection slots for the running loop.

    A caller's own session is used as it is and never closed. Otherwise
    the holder owns its sessions, with a pool of `max_connections`; the
    same number of slots keeps calls from queueing inside aiohttp's pool,
    where its timeout would already be running.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        max_connections: int,
    ) -> None:
        if not is_whole_number(max_connections) or max_connections < 1:
            raise ConfigurationError(
                "max_connections must be an integer of at least 1"
            )
        self._own = session is None
        self._given = session
        self._max_connections = max_connections
        self._state: LoopState | None = None
        self.closed = False
        self.generation = 0
        """Counts closes: a call begun before the latest close may not
        send, even if the client was entered again since."""

    def current(self, generation: int) -> LoopState:
        """The running loop's session, slots and timers, made if need be.

        Raises `APIConnectionError` once the client has closed since
        `generation`: a call begun before a close may not send.
        """
        if self.closed or generation != self.generation:
            raise _closed_error()
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop:
            state = self._state = self._open(loop, state)

        return state

    async def unless_closed(self, waiting: Awaitable[T], generation: int) -> T:
        """Await `waiting`, or give up with an error if the client closes.

        A call queued behind the rate limiter is woken by `close` at
        once, instead of failing only when its turn comes.
        """
        closing = self.current(generation).closing
        task = asyncio.ensure_future(waiting)
        racing: set[asyncio.Future[Any]] = {task, closing}
        try:
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():
                task.cancel()
        if not task.done() or task.cancelled():
            raise _closed_error()

        return task.result()

    def reopen(self) -> None:
        """Allow use again after `close` (``async with`` does this)."""
        self.closed = False

    async def close(self) -> None:
        """Close the session this holder made; idempotent.

        Calls still queued or in flight end with `APIConnectionError`, and
        new calls are refused until `reopen`.
        """
        self.closed = True
        self.generation += 1
        state, self._state = self._state, None
        if state is None:
            return
        if not state.closing.done():
            state.closing.set_result(None)
        if (
            state.keeper is not None
            and state.loop is asyncio.get_running_loop()
        ):
            state.keeper.cancel()
            await asyncio.wait([state.keeper])

    def _open(
        self,
        loop: asyncio.AbstractEventLoop,
        previous: LoopState | None,
    ) -> LoopState:
        if previous is not None and not previous.loop.is_closed():
            raise ConfigurationError(
                "this ParadigmClient is in use by another event loop; "
                "make one client per loop"
            )
        slots = ConnectionSlots(self._max_connections)
        closing = loop.create_future()
        if not self._own:
            assert self._given is not None
            return LoopState(loop, self._given, slots, None, closing)

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        _no_silent_resend(session)
        keeper = loop.create_task(
            _close_when_cancelled(session),
            name="paradigm-session-keeper",
            # A fresh context: the keeper outlives the call that made it,
            # and must not hold on to what that call's context holds.
            context=contextvars.Context(),
        )
        logger.debug("session.opened")

        return LoopState(loop, session, slots, keeper, closing)


def _closed_error() -> APIConnectionError:
    return APIConnectionError("the client is closed; nothing was sent")


async def _close_when_cancelled(session: aiohttp.ClientSession) -> None:
    """Wait until cancelled (a loop shutting down), then close `session`."""
    try:
        await asyncio.get_running_loop().create_future()
    finally:
        await session.close()


def _no_silent_resend(session: aiohttp.ClientSession) -> None:
    """Stop aiohttp resending a read on its own when a reused keep-alive
    connection drops.

    That resend bypasses the rate limiter and the retry count, and after a
    lost answer the server counts both sends; the transport's own retry
    does the same job through the limiter. aiohttp has no public switch
    for it, so this sets its private flag where it exists (pinned by
    ``tests/test_errors.py::test_a_lost_answer_to_a_read_is_resent_once``).
    """
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
