"""A send schedule kept in Redis, shared by every process using one key.

Each request makes one atomic call of a server-side script that reserves
the next free send time and answers how long to wait for it. Times are
read from the Redis server's own clock, so skew between hosts cannot
break the ceiling, and reservations are granted in the order the calls
reach Redis: first come, first served across processes, with no polling.
Sends are spaced one interval apart, as the local limiter spaces them,
so N of them span at least the window plus its margin.

Why not `limits` or `pyrate-limiter`: both answer "allowed now?" and
leave a caller that is refused to poll; a reservation is one call and no
retry loop. A cancelled call's reserved time is left unused: it can only
make the schedule slower, never faster.

Needs the ``redis`` extra. If Redis cannot be reached, calls fail with
`RateLimiterUnavailable`; nothing is ever sent unlimited.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from typing import Any

from yarl import URL

from ._errors import ConfigurationError, RateLimiterUnavailable

__all__ = ["SharedSchedule", "schedule_key"]

_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, next_free)
redis.call('SET', KEYS[1], string.format('%.6f', at + interval),
           'PX', tonumber(ARGV[2]))
return string.format('%.6f', at - now)
"""
"""Reserve the next send time; answer the wait in seconds, as text (Redis
would truncate a Lua number to an integer)."""


def schedule_key(api_key: str) -> str:
    """The Redis key of one API key's schedule: a digest, never the key."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()[:32]

    return f"paradigm_async:schedule:{digest}"


class SharedSchedule:
    """Reservations of send times from one Redis server, one per request."""

    def __init__(self, url: str, key: str) -> None:
        try:
            import redis.asyncio
        except ImportError:
            raise ConfigurationError(
                "a Redis-shared rate limit needs the redis extra: "
                "pip install 'paradigm-async[redis]'"
            ) from None
        self._module = redis.asyncio
        self._url = url
        self._where = _without_credentials(url)
        self._key = key
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Any = None
        self._script: Any = None

    async def reserve(self, interval: float) -> float:
        """Reserve the next send time, `interval` before the one after it;
        return the seconds until it."""
        from redis.exceptions import RedisError

        script = self._script_for_running_loop()
        expire_ms = math.ceil(1000 * max(60.0, 10 * interval))
        try:
            wait = await script(keys=[self._key], args=[interval, expire_ms])
        except (RedisError, OSError) as exc:
            raise RateLimiterUnavailable(
                f"the shared rate limiter at {self._where} did not answer "
                f"({type(exc).__name__}); nothing was sent"
            ) from exc

        return max(0.0, float(wait))

    async def close(self) -> None:
        """Close the connections to Redis of the running loop."""
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()

    def _script_for_running_loop(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is None or loop is not self._loop:
            self._client = self._module.Redis.from_url(
                self._url, socket_timeout=5.0, socket_connect_timeout=5.0
            )
            self._script = self._client.register_script(_RESERVE)
            self._loop = loop

        return self._script


def _without_credentials(url: str) -> str:
    parsed = URL(url)

    return f"{parsed.scheme}://{parsed.host}:{parsed.port}"
