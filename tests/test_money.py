"""The ledger never loses a charge and never counts one twice."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from conftest import MakeClient
from lying_server import lying_server

from paradigm_async import (
    APIConnectionError,
    DecodeError,
    Lead,
    ParadigmClient,
    RateLimit,
)
from paradigm_async.sandbox import Fault, Sandbox

LEAD = Lead(email="ada@example.com", company_domain="stripe.com")


async def test_an_idempotent_replay_is_counted_once(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    first = await client.jobs.create(LEAD, idempotency_key="order-1")
    again = await client.jobs.create(LEAD, idempotency_key="order-1")

    assert first.id == again.id
    assert client.credits.spent == sandbox.account().charged == 1


async def test_reconciling_an_unknown_outcome_settles_it(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """The README's advice: retry with the error's key."""
    sandbox.inject(Fault.drop_after(), method="POST")
    with pytest.raises(APIConnectionError) as caught:
        await client.enrichments.create(LEAD)
    key = caught.value.idempotency_key
    assert key is not None
    assert client.credits.uncertain == 1

    await client.enrichments.create(LEAD, idempotency_key=key)

    assert client.credits.uncertain == 0
    assert client.credits.spent == sandbox.account().charged == 1


async def test_cancelled_creates_that_were_sent_are_uncertain(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    sandbox.inject(Fault.delay(5.0), method="POST", count=20)
    async with make_client() as client:
        calls = [
            asyncio.ensure_future(client.jobs.create(LEAD)) for _ in range(20)
        ]
        await asyncio.sleep(0.3)
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)

        assert client.credits.spent == 0
        assert client.credits.uncertain == 20


async def test_creates_cancelled_before_sending_cost_nothing(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    async with make_client(
        rate_limit=RateLimit(requests=1, seconds=10.0)
    ) as client:
        await client.jobs.create(LEAD)
        queued = asyncio.ensure_future(client.jobs.create(LEAD))
        await asyncio.sleep(0.1)
        queued.cancel()
        await asyncio.gather(queued, return_exceptions=True)

        assert client.credits.uncertain == 0
        assert len(sandbox.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"job_id": "job_1", "status": "queued"}}',
        b'{"data": {"id": "job_1", "status": "queued", "created_at": 17}}',
        b"created",
    ],
)
async def test_an_unreadable_answer_to_a_create_is_uncertain(
    body: bytes,
) -> None:
    async def created(request: web.Request) -> web.Response:
        return web.Response(status=201, body=body)

    async with (
        lying_server(created) as (url, _),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None
        ) as client,
    ):
        with pytest.raises(DecodeError) as caught:
            await client.jobs.create(LEAD, research_mode="premium")

    assert caught.value.idempotency_key is not None
    assert caught.value.idempotency_key in str(caught.value)
    assert client.credits.uncertain == 2
