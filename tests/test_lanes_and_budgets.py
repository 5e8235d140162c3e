"""Lanes, fairness and the three budgets: queue wait, attempt, deadline."""

from __future__ import annotations

import asyncio
import random

import pytest
from conftest import MakeClient

from paradigm_async import (
    APITimeoutError,
    ConfigurationError,
    Lead,
    QueueTimeoutError,
    RateLimit,
)
from paradigm_async._ratelimit import Limiter
from paradigm_async.sandbox import Fault, Sandbox


async def test_1000_waiters_half_cancelled_the_rest_in_order() -> None:
    limiter = Limiter(RateLimit(requests=200, seconds=1.0, margin=0))
    served: list[int] = []

    async def call(n: int) -> None:
        await limiter.acquire()
        served.append(n)

    calls = [asyncio.ensure_future(call(n)) for n in range(1000)]
    await asyncio.sleep(0)
    dropped = set(random.Random(7).sample(range(1, 1000), 500))
    for n in dropped:
        calls[n].cancel()
    await asyncio.wait_for(
        asyncio.gather(*calls, return_exceptions=True), timeout=30
    )

    assert served == sorted(set(range(1000)) - dropped)
    assert not limiter._turn_taken
    assert not any(limiter._lanes.values())
    pending = [
        t for t in asyncio.all_tasks() if t is not asyncio.current_task()
    ]
    assert pending == []


async def test_interactive_calls_go_ahead_of_queued_bulk_ones() -> None:
    limiter = Limiter(RateLimit(requests=20, seconds=1.0, margin=0))
    served: list[str] = []

    async def call(lane: str) -> None:
        await limiter.acquire(lane)
        served.append(lane)

    bulk = [asyncio.ensure_future(call("bulk")) for _ in range(20)]
    await asyncio.sleep(0.12)
    interactive = asyncio.ensure_future(call("interactive"))
    await asyncio.wait_for(asyncio.gather(*bulk, interactive), timeout=5)

    assert served.index("interactive") <= 4


async def test_a_client_view_marks_its_calls_interactive(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(rate_limit=RateLimit(requests=10, seconds=1.0))
    web_page = client.with_options(priority="interactive")
    order: list[str] = []

    async def bulk_call() -> None:
        await client.jobs.list().collect()
        order.append("bulk")

    async def page_call() -> None:
        await web_page.jobs.list().collect()
        order.append("page")

    backlog = [asyncio.ensure_future(bulk_call()) for _ in range(10)]
    await asyncio.sleep(0.15)
    await page_call()
    await asyncio.gather(*backlog)

    assert order.index("page") <= 4
    assert web_page.credits is client.credits


async def test_queue_timeout_raises_its_own_error_and_sends_nothing(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(rate_limit=RateLimit(requests=1, seconds=10.0))
    hurried = client.with_options(queue_timeout=0.2)
    await client.jobs.list().collect()

    with pytest.raises(QueueTimeoutError, match="nothing was sent"):
        await hurried.jobs.create(Lead(email="a@example.com"))

    assert len(sandbox.requests) == 1
    assert client.credits.uncertain == 0


async def test_a_deadline_covers_retries_and_backoff(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(timeout=5.0).with_options(deadline=0.6)
    sandbox.inject(Fault.rate_limited(retry_after=3))

    with pytest.raises(APITimeoutError, match="deadline"):
        await client.jobs.list().collect()

    assert len(sandbox.requests) == 1


async def test_a_create_cut_by_its_deadline_is_uncertain(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client().with_options(deadline=0.3)
    sandbox.inject(Fault.delay(2.0), method="POST")

    with pytest.raises(APITimeoutError) as caught:
        await client.jobs.create(Lead(email="a@example.com"))

    assert caught.value.outcome_unknown
    assert client.credits.uncertain == 1


@pytest.mark.parametrize(
    "options",
    [
        {"priority": "urgent"},
        {"queue_timeout": 0},
        {"deadline": -1},
        {"deadline": "5"},
    ],
)
def test_bad_view_options_are_configuration_errors(
    make_client: MakeClient, options: dict[str, object]
) -> None:
    with pytest.raises(ConfigurationError):
        make_client().with_options(**options)  # type: ignore[arg-type]
