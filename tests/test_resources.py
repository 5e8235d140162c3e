"""Jobs and enrichments against the sandbox: the lifecycle and credits."""

from __future__ import annotations

import asyncio

import pytest

from paradigm_async import (
    Enrichment,
    Job,
    Lead,
    NotFoundError,
    ParadigmClient,
    ResearchMode,
    Status,
    WaitTimeoutError,
)
from paradigm_async.sandbox import Sandbox

LEAD = Lead(
    email="ada.lovelace@example.com",
    first_name="Ada",
    last_name="Lovelace",
    title="VP Engineering",
    company_name="Stripe",
    company_domain="stripe.com",
    custom_fields={"source": "webinar"},
)
FAILING = Lead(email="bob@example.com", company_domain="nowhere.invalid")


def test_costs_are_readable_without_calling(client: ParadigmClient) -> None:
    for group in (client.jobs, client.enrichments):
        assert group.prices["create"].credits("standard") == 1
        assert group.prices["create"].credits(ResearchMode.PREMIUM) == 2
        for free in ("list", "get", "delete"):
            assert group.prices[free].is_free


async def test_enrichment_create_wait_get_delete_then_404(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    created = await client.enrichments.create(LEAD)
    done = await client.enrichments.wait(created.id, poll_interval=0.02)
    fetched = await client.enrichments.get(created.id)
    await client.enrichments.delete(created.id)

    assert isinstance(done, Enrichment)
    assert done.status is Status.COMPLETED
    assert done.company is not None
    assert done.company.domain == "stripe.com"
    assert done.person is not None
    assert fetched == done
    assert done.lead == LEAD
    with pytest.raises(NotFoundError):
        await client.enrichments.get(created.id)


async def test_job_create_wait_result(client: ParadigmClient) -> None:
    created = await client.jobs.create(
        LEAD,
        research_mode="premium",
        customization_template_id="ct_1",
    )
    done = await client.jobs.wait(created.id, poll_interval=0.02)

    assert isinstance(done, Job)
    assert done.status is Status.COMPLETED
    assert done.customization_template_id == "ct_1"
    assert done.result is not None
    assert done.result.subject
    assert done.error is None


async def test_a_write_returns_its_charge(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    standard = await client.jobs.create(LEAD)
    premium = await client.enrichments.create(LEAD, research_mode="premium")

    assert standard.charge is not None
    assert standard.charge.credits == 1
    assert standard.charge.source == "server"
    assert standard.charge.research_mode is ResearchMode.STANDARD
    assert premium.charge is not None
    assert premium.charge.credits == 2
    assert premium.charge.credits_remaining == sandbox.account().balance


async def test_failed_research_is_refunded_and_the_ledger_agrees(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    ok = await client.enrichments.create(LEAD, research_mode="premium")
    bad = await client.enrichments.create(FAILING)
    done = await client.enrichments.wait(bad.id, poll_interval=0.02)
    await client.enrichments.wait(ok.id, poll_interval=0.02)

    assert done.status is Status.FAILED
    assert done.error is not None
    assert done.error.code
    account = sandbox.account()
    assert (client.credits.spent, client.credits.refunded) == (3, 1)
    assert (account.charged, account.refunded) == (3, 1)
    assert client.credits.net == account.net == 2


async def test_a_refund_is_counted_once_however_often_it_is_seen(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    bad = await client.jobs.create(FAILING)
    await client.jobs.wait(bad.id, poll_interval=0.02)
    await client.jobs.get(bad.id)
    await client.jobs.list(status="failed").collect()

    assert client.credits.refunded == 1
    assert client.credits.net == sandbox.account().net == 0


async def test_a_refund_seen_only_on_a_list_page_is_counted(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """The ledger reads each page's statuses, not only single gets."""
    running = await client.jobs.create(LEAD)
    bad = await client.jobs.create(FAILING)
    failed: list[str] = []
    for _ in range(200):
        failed = [job.id async for job in client.jobs.list(status="failed")]
        if bad.id in failed:
            break
        await asyncio.sleep(0.02)

    assert failed == [bad.id]
    assert client.credits.refunded == 1
    assert client.credits.net == sandbox.account().net
    await client.jobs.wait(running.id, poll_interval=0.02)
    await client.jobs.list().collect()
    assert client.credits.refunded == 1
    assert client.credits.net == sandbox.account().net == 1


async def test_wait_gives_up_with_a_typed_timeout(sandbox: Sandbox) -> None:
    slow = Sandbox(rate_limit=None, processing_delay=30)
    async with (
        slow,
        ParadigmClient(
            api_key=slow.api_key, base_url=slow.url, rate_limit=None
        ) as client,
    ):
        job = await client.jobs.create(LEAD)
        with pytest.raises(WaitTimeoutError) as caught:
            await client.jobs.wait(job.id, timeout=0.2, poll_interval=0.05)

    assert caught.value.resource_id == job.id
    assert caught.value.last_status in {"queued", "processing"}


async def test_a_given_idempotency_key_is_sent_and_replayed(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    first = await client.enrichments.create(LEAD, idempotency_key="order-7")
    again = await client.enrichments.create(LEAD, idempotency_key="order-7")

    assert first.id == again.id
    assert sandbox.requests[0].headers["Idempotency-Key"] == "order-7"
    assert sandbox.account().charged == 1


async def test_many_concurrent_creates_share_one_client(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    leads = [Lead(email=f"lead{n}@example.com") for n in range(200)]

    made = await asyncio.gather(*(client.enrichments.create(x) for x in leads))

    assert len({item.id for item in made}) == 200
    assert client.credits.spent == sandbox.account().charged == 200
