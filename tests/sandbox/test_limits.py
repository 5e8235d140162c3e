"""The sliding-window limiter on its own, on an explicit clock."""

from __future__ import annotations

import pytest

from paradigm_async.sandbox._limits import (
    SlidingWindowLimiter,
    rate_headers,
)


def test_no_window_ever_holds_more_than_the_limit() -> None:
    limiter = SlidingWindowLimiter(3, 10.0)
    times = [0.0, 1.0, 2.0, 3.0, 9.9, 10.0, 10.5, 11.0, 11.5, 12.0, 20.0]
    accepted = [t for t in times if limiter.try_acquire("k", t).allowed]

    assert accepted == [0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 20.0]
    for start in accepted:
        inside = [t for t in accepted if start <= t < start + 10.0]
        assert len(inside) <= 3


def test_refusal_says_when_the_oldest_request_leaves() -> None:
    limiter = SlidingWindowLimiter(2, 60.0)
    limiter.try_acquire("k", 100.0)
    limiter.try_acquire("k", 110.0)
    refused = limiter.try_acquire("k", 130.0)

    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.reset_at == 160.0
    assert refused.retry_after == 30.0


def test_headers_round_the_wait_up_to_whole_seconds() -> None:
    limiter = SlidingWindowLimiter(1, 60.0)
    limiter.try_acquire("k", 0.0)
    refused = limiter.try_acquire("k", 0.5)
    headers = rate_headers(refused, now=0.5, wall=1000.0)

    assert headers == {
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1060",
        "Retry-After": "60",
    }


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (1, 0.0)])
def test_a_limiter_needs_a_positive_limit_and_window(
    limit: int, window: float
) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        SlidingWindowLimiter(limit, window)
