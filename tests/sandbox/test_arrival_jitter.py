"""Arrival jitter: delayed, reordered arrivals that a seed repeats."""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from paradigm_async.sandbox import Sandbox

from ._api import Api, running

_BOUND = 10.0
# Loopback and scheduling time on top of the drawn delay.
_SLACK = 0.15


async def _timed_call(api: Api, path: str) -> float:
    loop = asyncio.get_running_loop()
    sent = loop.time()
    reply = await api.call("GET", path)
    assert reply.status == 200

    return loop.time() - sent


async def test_each_arrival_waits_its_seeded_draw() -> None:
    draws = random.Random(7)
    expected = [draws.uniform(0.0, 0.2) for _ in range(8)]
    async with (
        asyncio.timeout(_BOUND),
        running(arrival_jitter=0.2, seed=7) as api,
    ):
        elapsed = [await _timed_call(api, "/v1/jobs") for _ in expected]

    for delay, took in zip(expected, elapsed, strict=True):
        assert delay - 0.005 <= took <= delay + _SLACK
    assert max(elapsed) <= 0.2 + _SLACK


async def test_jitter_reorders_arrivals_and_the_limit_counts_them() -> None:
    """With seed 15 the first request draws 0.193 s, the second 0.002 s."""
    draws = random.Random(15)
    assert draws.uniform(0.0, 0.2) > 0.15 > 0.05 > draws.uniform(0.0, 0.2)

    outcomes = []
    for _ in range(2):
        async with (
            asyncio.timeout(_BOUND),
            running(rate_limit=(1, 60.0), arrival_jitter=0.2, seed=15) as api,
        ):
            first = asyncio.create_task(api.call("GET", "/v1/jobs?limit=1"))
            await asyncio.sleep(0.02)
            second = await api.call("GET", "/v1/jobs?limit=2")
            statuses = ((await first).status, second.status)
            order = [r.query_string for r in api.sandbox.requests]
            outcomes.append((statuses, order))

    assert outcomes == [((429, 200), ["limit=2", "limit=1"])] * 2


async def test_the_sandbox_controls_are_not_delayed() -> None:
    async with running(arrival_jitter=60.0, seed=1) as api:
        async with asyncio.timeout(2.0):
            reply = await api.call("GET", "/_sandbox/account")

    assert reply.status == 200


@pytest.mark.parametrize("jitter", [-0.1, math.inf, math.nan])
def test_arrival_jitter_must_be_finite_and_not_negative(
    jitter: float,
) -> None:
    with pytest.raises(ValueError, match="arrival_jitter"):
        Sandbox(arrival_jitter=jitter)


def test_an_unknown_rate_limit_model_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_limit_model must be one of"):
        Sandbox(rate_limit_model="leaky_bucket")  # type: ignore[arg-type]


def test_a_token_bucket_needs_a_capacity_of_at_least_one() -> None:
    with pytest.raises(ValueError, match="token_bucket_capacity"):
        Sandbox(rate_limit_model="token_bucket", token_bucket_capacity=0)
