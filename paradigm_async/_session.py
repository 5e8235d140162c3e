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
import logging

import aiohttp
import attrs

from ._errors import ConfigurationError

__all__ = ["SessionHolder"]

logger = logging.getLogger("paradigm_async.transport")


@attrs.define
class _LoopState:
    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession
    slots: asyncio.Semaphore
    keeper: asyncio.Task[None] | None


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
        if max_connections < 1:
            raise ConfigurationError("max_connections must be at least 1")
        self._own = session is None
        self._given = session
        self._max_connections = max_connections
        self._state: _LoopState | None = None

    def current(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        """The session and slots of the running loop, made if need be."""
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop:
            state = self._state = self._open(loop, state)

        return state.session, state.slots

    async def close(self) -> None:
        """Close the session this holder made; idempotent.

        A later call opens a new session, so a client closed at the end of
        one `asyncio.run` serves the next.
        """
        state, self._state = self._state, None
        if state is None or state.keeper is None:
            return
        if state.loop is asyncio.get_running_loop():
            state.keeper.cancel()
            await asyncio.wait([state.keeper])

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
        if not self._own:
            assert self._given is not None
            return _LoopState(loop, self._given, slots, keeper=None)

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        keeper = loop.create_task(
            _close_when_cancelled(session), name="paradigm-session-keeper"
        )
        logger.debug("session.opened")

        return _LoopState(loop, session, slots, keeper)


async def _close_when_cancelled(session: aiohttp.ClientSession) -> None:
    """Wait until cancelled (a loop shutting down), then close `session`."""
    try:
        await asyncio.get_running_loop().create_future()
    finally:
        await session.close()
