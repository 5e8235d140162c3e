"""Rate limiting per API key, by a chosen model, and its headers."""

from __future__ import annotations

import math
from collections import deque
from typing import Literal, Protocol, get_args

import attrs

__all__ = [
    "DEFAULT_BUCKET_CAPACITY",
    "RATE_LIMIT_MODELS",
    "Decision",
    "FixedWindowLimiter",
    "Limiter",
    "RateLimitModel",
    "SlidingWindowLimiter",
    "TokenBucketLimiter",
    "new_limiter",
    "rate_headers",
    "retry_after_seconds",
]

RateLimitModel = Literal["sliding_window", "fixed_window", "token_bucket"]
RATE_LIMIT_MODELS: tuple[RateLimitModel, ...] = get_args(RateLimitModel)
DEFAULT_BUCKET_CAPACITY = 10

# Refills are float sums: a caller who waited exactly the advertised
# time must find a whole token, not 0.999... of one.
_EPSILON = 1e-9


@attrs.frozen
class Decision:
    """A limiter's verdict on one request, on the loop clock.

    `remaining` is how many more requests would be admitted now;
    `reset_at` is when that number next rises (the oldest request leaves
    a sliding window, a fixed window ends, a token drips into a bucket);
    `retry_after` is how long a rejected caller should wait (0 if
    allowed).
    """

    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    retry_after: float


class Limiter(Protocol):
    """Anything that can admit or refuse a key's next request.

    Each model sits behind this one method, so the server chooses one
    without touching the request pipeline.
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
        _check_rate(limit, window)
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


class FixedWindowLimiter:
    """At most `limit` requests per key in each aligned `window`.

    The windows are `[k * window, (k + 1) * window)` on the loop clock,
    and each starts with a fresh count. A burst at the end of one window
    and another at the start of the next pass up to twice `limit` within
    a few moments: the model's known weakness, kept so that a client can
    be tried against it. Refused requests are not counted.
    """

    def __init__(self, limit: int, window: float) -> None:
        _check_rate(limit, window)
        self._limit = limit
        self._window = window
        # Per key: the index of its current window and the count in it.
        self._counts: dict[str, tuple[int, int]] = {}

    def try_acquire(self, key: str, now: float) -> Decision:
        """Admit and count the request if there is room, else refuse it."""
        index = math.floor(now / self._window)
        counted, count = self._counts.get(key, (index, 0))
        if counted != index:
            count = 0

        allowed = count < self._limit
        if allowed:
            count += 1

        self._counts[key] = (index, count)
        reset_at = (index + 1) * self._window

        return Decision(
            allowed=allowed,
            limit=self._limit,
            remaining=self._limit - count,
            reset_at=reset_at,
            retry_after=0.0 if allowed else reset_at - now,
        )


class TokenBucketLimiter:
    """Bursts of up to `capacity` per key, refilled at `limit / window`.

    A key's bucket starts full; each admitted request takes a token and
    a refused one takes none. Over a long run the rate is `limit` per
    `window`, but an idle key may spend `capacity` at once, so a single
    window can pass `capacity + limit`. The decision's `limit` stays the
    documented `limit` per window; `remaining` is the whole tokens left.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        capacity: int = DEFAULT_BUCKET_CAPACITY,
    ) -> None:
        _check_rate(limit, window)
        _check_capacity(capacity)
        self._limit = limit
        self._rate = limit / window
        self._capacity = capacity
        # Per key: the tokens in its bucket and when they were counted.
        self._buckets: dict[str, tuple[float, float]] = {}

    def try_acquire(self, key: str, now: float) -> Decision:
        """Admit and count the request if there is room, else refuse it."""
        tokens = self._refill(key, now)
        allowed = tokens >= 1 - _EPSILON
        if allowed:
            tokens = max(0.0, tokens - 1)

        self._buckets[key] = (tokens, now)
        whole = math.floor(tokens + _EPSILON)
        # After any decision the bucket is short of full, so a next
        # token is always on its way.
        next_token = (whole + 1 - tokens) / self._rate

        return Decision(
            allowed=allowed,
            limit=self._limit,
            remaining=whole,
            reset_at=now + next_token,
            retry_after=0.0 if allowed else next_token,
        )

    def _refill(self, key: str, now: float) -> float:
        tokens, counted = self._buckets.get(key, (self._capacity, now))
        dripped = max(0.0, now - counted) * self._rate

        return min(float(self._capacity), tokens + dripped)


def new_limiter(
    model: str,
    rate_limit: tuple[int, float] | None,
    *,
    capacity: int = DEFAULT_BUCKET_CAPACITY,
) -> Limiter | None:
    """Build the `model` limiter for `rate_limit` (requests, seconds).

    Returns None when `rate_limit` is None. The model and the capacity
    are checked either way, so that a typo fails at once rather than on
    the day the limit is turned on.

    Raises ValueError for an unknown model, a limit below 1, a window
    not above 0, or a capacity below 1.
    """
    if model not in RATE_LIMIT_MODELS:
        known = ", ".join(RATE_LIMIT_MODELS)
        raise ValueError(f"rate_limit_model must be one of {known}: {model!r}")

    _check_capacity(capacity)
    if rate_limit is None:
        return None

    limit, window = rate_limit
    if model == "fixed_window":
        return FixedWindowLimiter(limit, window)

    if model == "token_bucket":
        return TokenBucketLimiter(limit, window, capacity)

    return SlidingWindowLimiter(limit, window)


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


def _check_rate(limit: int, window: float) -> None:
    if limit < 1 or window <= 0:
        raise ValueError("a rate limit needs limit >= 1 and window > 0")


def _check_capacity(capacity: int) -> None:
    if capacity < 1:
        raise ValueError("token_bucket_capacity must be at least 1")
