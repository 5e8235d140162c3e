"""Each rate-limit model over loopback: bursts, 429s, resets, headers."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

from ._api import Api, running

# Every test here finishes in a second or two; this only stops a hang.
_BOUND = 10.0


async def _statuses(api: Api, count: int) -> list[int]:
    return [(await api.call("GET", "/v1/jobs")).status for _ in range(count)]


async def _clear_of_boundary(window: float, needed: float) -> None:
    # A fixed window resets at multiples of its length on the loop clock:
    # a burst that straddled one would pass more than the limit.
    left = window - asyncio.get_running_loop().time() % window
    if left < needed:
        await asyncio.sleep(left + 0.02)


async def _at_phase(window: float, phase: float) -> None:
    now = asyncio.get_running_loop().time()
    await asyncio.sleep((phase - now % window) % window)


async def _past_boundary(window: float) -> None:
    left = window - asyncio.get_running_loop().time() % window
    await asyncio.sleep(left + 0.03)


@pytest.mark.parametrize(
    ("options", "burst"),
    [
        ({"rate_limit_model": "sliding_window"}, 5),
        ({"rate_limit_model": "fixed_window"}, 5),
        ({"rate_limit_model": "token_bucket", "token_bucket_capacity": 5}, 5),
        ({"rate_limit_model": "token_bucket"}, 10),
    ],
    ids=["sliding", "fixed", "bucket-of-5", "bucket-default"],
)
async def test_each_model_admits_exactly_its_burst_from_idle(
    options: dict[str, Any], burst: int
) -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(rate_limit=(5, 60.0), **options) as api,
    ):
        await _clear_of_boundary(60.0, 2.0)
        replies = [await api.call("GET", "/v1/jobs") for _ in range(burst + 1)]

    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in replies]
    assert [r.status for r in replies] == [200] * burst + [429]
    assert remaining == [*range(burst - 1, -1, -1), 0]
    assert {r.headers["X-RateLimit-Limit"] for r in replies} == {"5"}


@pytest.mark.parametrize(
    "model", ["sliding_window", "fixed_window", "token_bucket"]
)
async def test_each_model_refuses_in_the_documented_envelope(
    model: str,
) -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(
            rate_limit=(1, 60.0),
            rate_limit_model=model,
            token_bucket_capacity=1,
        ) as api,
    ):
        await _clear_of_boundary(60.0, 2.0)
        await api.call("GET", "/v1/jobs")
        refused = await api.call("GET", "/v1/jobs")

    assert refused.status == 429
    assert refused.json["error"]["code"] == "RATE_LIMITED"
    assert "rate limit of 1 requests" in refused.json["error"]["message"]
    assert refused.headers["X-RateLimit-Limit"] == "1"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    wait = int(refused.headers["Retry-After"])
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert 1 <= wait <= 60
    assert time.time() + wait - 2 <= reset <= time.time() + wait + 1


async def test_fixed_window_retry_after_counts_to_the_boundary() -> None:
    loop = asyncio.get_running_loop()
    async with (
        asyncio.timeout(_BOUND),
        running(rate_limit=(2, 60.0), rate_limit_model="fixed_window") as api,
    ):
        await _clear_of_boundary(60.0, 2.0)
        await _statuses(api, 2)
        before = loop.time()
        refused = await api.call("GET", "/v1/jobs")
        after = loop.time()

    boundary = (math.floor(before / 60.0) + 1) * 60.0
    wait = int(refused.headers["Retry-After"])
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert math.ceil(boundary - after) <= wait <= math.ceil(boundary - before)
    assert abs(reset - (time.time() + boundary - loop.time())) <= 1.5


async def test_bucket_retry_after_is_the_next_token_rounded_up() -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(
            rate_limit=(2, 5.0),
            rate_limit_model="token_bucket",
            token_bucket_capacity=2,
        ) as api,
    ):
        admitted = await _statuses(api, 2)
        refused = await api.call("GET", "/v1/jobs")

    # 2 tokens per 5 s: the next drips in 2.5 s, which rounds up to 3.
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert admitted == [200, 200]
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "3"
    assert time.time() + 1 <= reset <= time.time() + 4


async def test_a_token_bucket_refills_at_the_limits_rate() -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(
            rate_limit=(5, 1.0),
            rate_limit_model="token_bucket",
            token_bucket_capacity=2,
        ) as api,
    ):
        burst = await _statuses(api, 3)
        await asyncio.sleep(0.25)
        refilled = await _statuses(api, 2)

    assert burst == [200, 200, 429]
    assert refilled == [200, 429]


@pytest.mark.parametrize(
    ("model", "second_burst"),
    [
        ("fixed_window", [200, 200, 200, 429]),
        ("sliding_window", [429, 429, 429, 429]),
    ],
)
async def test_only_a_fixed_window_passes_a_second_burst_at_its_boundary(
    model: str, second_burst: list[int]
) -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(rate_limit=(3, 0.5), rate_limit_model=model) as api,
    ):
        await _at_phase(0.5, 0.3)
        first = await _statuses(api, 4)
        await _past_boundary(0.5)
        second = await _statuses(api, 4)

    assert first == [200, 200, 200, 429]
    assert second == second_burst


async def test_fixed_window_refusals_are_not_counted() -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(rate_limit=(2, 0.5), rate_limit_model="fixed_window") as api,
    ):
        await _clear_of_boundary(0.5, 0.3)
        statuses = await _statuses(api, 6)
        await _past_boundary(0.5)
        fresh = await api.call("GET", "/v1/jobs")

    assert statuses == [200, 200, 429, 429, 429, 429]
    assert fresh.status == 200
    assert fresh.headers["X-RateLimit-Remaining"] == "1"


async def test_token_bucket_refusals_take_no_tokens() -> None:
    async with (
        asyncio.timeout(_BOUND),
        running(
            rate_limit=(4, 1.0),
            rate_limit_model="token_bucket",
            token_bucket_capacity=1,
        ) as api,
    ):
        statuses = await _statuses(api, 5)
        await asyncio.sleep(0.3)
        again = await api.call("GET", "/v1/jobs")

    assert statuses == [200, 429, 429, 429, 429]
    assert again.status == 200
    assert again.headers["X-RateLimit-Remaining"] == "0"
