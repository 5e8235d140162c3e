"""The client's limiter keeps the server's ceiling, and queueing is free."""

from __future__ import annotations

import asyncio
import bisect
import time

import pytest
from conftest import MakeClient

from paradigm_async import Lead, ParadigmClient, RateLimit
from paradigm_async._ratelimit import Limiter
from paradigm_async.sandbox import Fault, Sandbox


def busiest(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    return max(
        bisect.bisect_left(stamps, t + window) - i
        for i, t in enumerate(stamps)
    )


def test_default_is_the_documented_ceiling() -> None:
    rate = RateLimit()

    assert (rate.requests, rate.seconds) == (100, 60.0)
    assert rate.interval * rate.requests > rate.seconds


@pytest.mark.parametrize(
    "options",
    [{"requests": 0}, {"seconds": 0}, {"seconds": -1}, {"margin": -0.1}],
)
def test_impossible_limits_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="RateLimit"):
        RateLimit(**options)  # type: ignore[arg-type]


async def test_limiter_never_passes_n_in_any_window_from_idle() -> None:
    """Unlike a bare AsyncLimiter(N, W), no burst from idle."""
    limiter = Limiter(RateLimit(requests=5, seconds=0.5))
    stamps: list[float] = []

    async def caller() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(caller() for _ in range(12)))
    await asyncio.sleep(0.6)
    await asyncio.gather(*(caller() for _ in range(8)))

    assert busiest(stamps, 0.5) <= 5


async def test_300_creates_at_once_under_10_per_2_seconds_all_succeed() -> (
    None
):
    """No 429 and no timeout: queued calls wait, their timeout unstarted."""
    async with Sandbox(rate_limit=(10, 2.0), processing_delay=0) as sandbox:
        async with ParadigmClient(
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            rate_limit=RateLimit(requests=10, seconds=2.0),
            max_retries=0,
            timeout=5.0,
        ) as client:
            leads = [Lead(email=f"lead{n}@example.com") for n in range(300)]
            made = await asyncio.gather(
                *(client.enrichments.create(lead) for lead in leads)
            )

        assert len({item.id for item in made}) == 300
        assert sandbox.account().charged == client.credits.spent == 300
        assert len(sandbox.requests) == 300


async def test_the_timeout_does_not_run_while_queued(sandbox: Sandbox) -> None:
    async with ParadigmClient(
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        rate_limit=RateLimit(requests=2, seconds=0.5, margin=0),
        timeout=0.2,
        max_retries=0,
    ) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.jobs.list().collect() for _ in range(6)))

    assert time.monotonic() - started > 1.0
    assert len(sandbox.requests) == 6


async def test_rate_limit_none_turns_the_limiter_off(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    assert client.limiter.rate is None
    assert await client.limiter.acquire() == 0.0


async def test_a_429_pauses_the_whole_client(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    """A call made after another drew a 429 waits out its Retry-After,
    instead of drawing its own 429."""
    client = make_client()
    sandbox.inject(Fault.rate_limited(retry_after=1))
    first = asyncio.ensure_future(client.jobs.list().collect())
    await asyncio.sleep(0.2)
    started = time.monotonic()

    await client.jobs.list().collect()
    await first

    assert time.monotonic() - started >= 0.7
    assert len(sandbox.requests) == 3


async def test_a_spent_budget_reported_by_the_server_is_waited_out() -> None:
    """Another consumer of the key used the budget: the headers say so,
    and the client holds back instead of drawing 429s."""
    async with Sandbox(rate_limit=(3, 2.0), processing_delay=0) as sandbox:
        async with ParadigmClient(
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            rate_limit=None,
            max_retries=0,
        ) as client:
            for _ in range(5):
                await client.jobs.list().collect()

        assert len(sandbox.requests) == 5
