"""The aiohttp session behind a client, one per running event loop.

The session is made lazily, inside the loop that first needs it, so a
client can be built at import time. A loop that ends without the client
being closed (the second of two `asyncio.run` calls, say) would strand the
session's sockets; a small keeper task closes the session when the loop
cancels its remaining tasks on the way out, and the next loop gets a
fresh session.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import attrs

from ._errors import APIConnectionError, ConfigurationError
from ._validation import is_whole_number

__all__ = ["SessionHolder"]

logger = logging.getLogger("paradigm_async.transport")

T = TypeVar("T")


@attrs.define
class _LoopState:
    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession
    slots: asyncio.Semaphore
    keeper: asyncio.Task[None] | None
    closing: asyncio.Future[None]


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
        self._state: _LoopState | None = None
        self.closed = False
        self.generation = 0
        """Counts closes: a call begun before the latest close may not
        send, even if the client was entered again since."""

    def slots(self, generation: int) -> asyncio.Semaphore:
        """The running loop's connection slots; take one before a send."""
        return self._current(generation).slots

    def session(self, generation: int) -> aiohttp.ClientSession:
        """The running loop's session, made if need be."""
        return self._current(generation).session

    async def unless_closed(self, waiting: Awaitable[T], generation: int) -> T:
        """Await `waiting`, or give up with an error if the client closes.

        A call queued behind the rate limiter is woken by `close` at
        once, instead of failing only when its turn comes.
        """
        closing = self._current(generation).closing
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

    def _current(self, generation: int) -> _LoopState:
        if self.closed or generation != self.generation:
            raise _closed_error()
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop:
            state = self._state = self._open(loop, state)

        return state

    def _open(
        self,
        loop: asyncio.AbstractEventLoop,
        previous: _LoopState | None,
    ) -> _LoopState:
        if previous is not None and not previous.loop.is_closed():
            raise ConfigurationError(
                "this ParadigmClient is in use by another event loop; "
                "make one client per loop"
            )
        slots = asyncio.Semaphore(self._max_connections)
        closing = loop.create_future()
        if not self._own:
            assert self._given is not None
            return _LoopState(loop, self._given, slots, None, closing)

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

        return _LoopState(loop, session, slots, keeper, closing)


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
