"""The fixed-window and token-bucket limiters on an explicit clock."""

from __future__ import annotations

import pytest

from paradigm_async.sandbox._limits import (
    RATE_LIMIT_MODELS,
    FixedWindowLimiter,
    SlidingWindowLimiter,
    TokenBucketLimiter,
    new_limiter,
    rate_headers,
)


def test_a_fixed_window_counts_afresh_at_each_aligned_boundary() -> None:
    limiter = FixedWindowLimiter(3, 10.0)
    times = [1.0, 2.0, 3.0, 4.0, 9.9, 10.0, 10.5, 11.0, 11.5, 25.0]
    accepted = [t for t in times if limiter.try_acquire("k", t).allowed]

    assert accepted == [1.0, 2.0, 3.0, 10.0, 10.5, 11.0, 25.0]


def test_a_fixed_window_passes_twice_the_limit_across_a_boundary() -> None:
    fixed = FixedWindowLimiter(3, 10.0)
    sliding = SlidingWindowLimiter(3, 10.0)
    times = [9.7, 9.8, 9.9, 10.0, 10.1, 10.2]

    assert [fixed.try_acquire("k", t).allowed for t in times] == [True] * 6
    assert [sliding.try_acquire("k", t).allowed for t in times] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_a_fixed_window_refusal_waits_for_the_boundary() -> None:
    limiter = FixedWindowLimiter(2, 60.0)
    first = limiter.try_acquire("k", 130.0)
    limiter.try_acquire("k", 140.0)
    refused = limiter.try_acquire("k", 150.5)

    assert (first.remaining, first.reset_at) == (1, 180.0)
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.reset_at == 180.0
    assert refused.retry_after == 29.5


def test_fixed_window_refusals_are_not_counted() -> None:
    limiter = FixedWindowLimiter(2, 1.0)
    for now in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        limiter.try_acquire("k", now)
    after = [limiter.try_acquire("k", now) for now in (1.1, 1.2, 1.3)]

    assert [d.allowed for d in after] == [True, True, False]
    assert after[0].remaining == 1


def test_a_token_bucket_starts_full_and_refills_at_the_rate() -> None:
    limiter = TokenBucketLimiter(5, 1.0, capacity=3)
    burst = [limiter.try_acquire("k", 0.0).allowed for _ in range(4)]
    at_half = [limiter.try_acquire("k", 0.5).allowed for _ in range(3)]
    refilled = [limiter.try_acquire("k", 0.9).allowed for _ in range(3)]

    assert burst == [True, True, True, False]
    assert at_half == [True, True, False]
    assert refilled == [True, True, False]


def test_a_token_bucket_never_holds_more_than_its_capacity() -> None:
    limiter = TokenBucketLimiter(5, 1.0, capacity=3)
    limiter.try_acquire("k", 0.0)
    later = [limiter.try_acquire("k", 100.0) for _ in range(4)]

    assert [d.allowed for d in later] == [True, True, True, False]
    assert [d.remaining for d in later] == [2, 1, 0, 0]


def test_a_token_bucket_refusal_waits_for_the_next_token() -> None:
    limiter = TokenBucketLimiter(1, 4.0, capacity=1)
    first = limiter.try_acquire("k", 10.0)
    refused = limiter.try_acquire("k", 11.0)
    headers = rate_headers(refused, now=11.0, wall=1000.0)

    assert first.limit == 1
    assert (first.remaining, first.reset_at) == (0, 14.0)
    assert not refused.allowed
    assert refused.retry_after == 3.0
    assert refused.reset_at == 14.0
    assert headers == {
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1003",
        "Retry-After": "3",
    }


def test_waiting_exactly_the_advertised_time_finds_a_token() -> None:
    limiter = TokenBucketLimiter(100, 60.0, capacity=1)
    limiter.try_acquire("k", 0.1)
    refused = limiter.try_acquire("k", 0.3)
    admitted = limiter.try_acquire("k", 0.3 + refused.retry_after)

    assert not refused.allowed
    assert admitted.allowed


def test_token_bucket_refusals_take_no_tokens() -> None:
    limiter = TokenBucketLimiter(2, 1.0, capacity=1)
    limiter.try_acquire("k", 0.0)
    refusals = [limiter.try_acquire("k", t) for t in (0.1, 0.2, 0.3, 0.4)]
    admitted = limiter.try_acquire("k", 0.5)

    assert not any(d.allowed for d in refusals)
    assert [d.retry_after for d in refusals] == pytest.approx(
        [0.4, 0.3, 0.2, 0.1]
    )
    assert admitted.allowed


def test_each_key_has_its_own_bucket_and_window() -> None:
    bucket = TokenBucketLimiter(1, 60.0, capacity=1)
    window = FixedWindowLimiter(1, 60.0)
    for limiter in (bucket, window):
        assert limiter.try_acquire("a", 1.0).allowed
        assert limiter.try_acquire("b", 1.0).allowed
        assert not limiter.try_acquire("a", 1.0).allowed


@pytest.mark.parametrize("model", RATE_LIMIT_MODELS)
def test_every_model_is_built_by_name(model: str) -> None:
    """Two per minute: the default bucket of 10 also admits a third."""
    limiter = new_limiter(model, (2, 60.0))
    assert limiter is not None

    third = [limiter.try_acquire("k", 1.0) for _ in range(3)][-1]

    assert third.allowed == (model == "token_bucket")
    assert new_limiter(model, None) is None


def test_an_unknown_model_is_refused_even_without_a_limit() -> None:
    with pytest.raises(ValueError, match="rate_limit_model must be one of"):
        new_limiter("leaky_bucket", None)


@pytest.mark.parametrize("capacity", [0, -1])
def test_a_bucket_needs_room_for_one_token(capacity: int) -> None:
    with pytest.raises(ValueError, match="token_bucket_capacity"):
        new_limiter("token_bucket", (100, 60.0), capacity=capacity)


@pytest.mark.parametrize("limiter", [FixedWindowLimiter, TokenBucketLimiter])
@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (1, 0.0)])
def test_every_model_needs_a_positive_limit_and_window(
    limiter: type[FixedWindowLimiter | TokenBucketLimiter],
    limit: int,
    window: float,
) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        limiter(limit, window)
