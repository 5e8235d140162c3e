"""Rate limiting per API key, and the headers that report it."""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol

import attrs

__all__ = [
    "Decision",
    "Limiter",
    "SlidingWindowLimiter",
    "rate_headers",
    "retry_after_seconds",
]


@attrs.frozen
class Decision:
    """A limiter's verdict on one request, on the loop clock.

    `reset_at` is when the oldest request in the window leaves it;
    `retry_after` is how long a rejected caller should wait (0 if allowed).
    """

    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    retry_after: float


class Limiter(Protocol):
    """Anything that can admit or refuse a key's next request.

    Another model (a fixed window, a token bucket) can sit beside the
    sliding log and be chosen by the server without touching the
    request pipeline.
    """

    def try_acquire(self, key: str, now: float) -> Decision:
        """Admit and count the request if there is room, else refuse it."""
        ...


class SlidingWindowLimiter:
    """At most `limit` requests per key in any `window` seconds.

    A strict log of accepted request times: a request is admitted only
    if fewer than `limit` accepted requests lie in `(now - window, now]`.
    Refused requests are not logged, so hammering does not extend the
    wait.
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")

        self._limit = limit
        self._window = window
        self._logs: dict[str, deque[float]] = {}

    def try_acquire(self, key: str, now: float) -> Decision:
        """Admit and count the request if there is room, else refuse it."""
        log = self._logs.setdefault(key, deque())
        while log and log[0] <= now - self._window:
            log.popleft()

        allowed = len(log) < self._limit
        if allowed:
            log.append(now)

        reset_at = log[0] + self._window

        return Decision(
            allowed=allowed,
            limit=self._limit,
            remaining=self._limit - len(log),
            reset_at=reset_at,
            retry_after=0.0 if allowed else reset_at - now,
        )


def rate_headers(
    decision: Decision, now: float, wall: float
) -> dict[str, str]:
    """Render a decision as X-RateLimit-* (and Retry-After) headers.

    `now` is the loop clock the decision was made on and `wall` the unix
    time at that moment, used only to express the reset as unix seconds.
    """
    reset = math.ceil(wall + (decision.reset_at - now))
    headers = {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
        "X-RateLimit-Reset": str(reset),
    }
    if not decision.allowed:
        headers["Retry-After"] = str(retry_after_seconds(decision.retry_after))

    return headers


def retry_after_seconds(wait: float) -> int:
    """Round a wait up to the whole seconds Retry-After carries, at least 1."""
    return max(1, math.ceil(wait))
