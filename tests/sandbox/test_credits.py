"""Credits: charged at request time, refunded once when research fails."""

from __future__ import annotations

import asyncio

import pytest

from paradigm_async.sandbox import Account

from ._api import FAILING_LEAD, LEAD, Api, running


async def test_create_deducts_the_price_at_request_time(api: Api) -> None:
    await api.create()
    await api.create("/v1/enrichments", research_mode="premium")

    assert api.sandbox.account() == Account(997, charged=3, refunded=0)


async def test_reads_lists_and_deletes_are_free(api: Api) -> None:
    job = await api.create()
    await api.call("GET", f"/v1/jobs/{job['id']}")
    await api.call("GET", "/v1/jobs")
    await api.call("DELETE", f"/v1/jobs/{job['id']}")

    assert api.sandbox.account().charged == 1


async def test_short_balance_is_402_and_stores_nothing(api: Api) -> None:
    api.sandbox.set_credits(1)
    body = {"lead": LEAD, "research_mode": "premium"}
    reply = await api.call("POST", "/v1/jobs", json=body)
    listed = await api.call("GET", "/v1/jobs")

    assert reply.status == 402
    assert reply.json["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert listed.json["data"] == []
    assert api.sandbox.account() == Account(1, charged=0, refunded=0)


async def test_the_last_credit_can_be_spent(api: Api) -> None:
    api.sandbox.set_credits(1)
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 201
    assert reply.json["meta"]["credits_remaining"] == 0


async def test_failed_research_is_refunded_exactly_once(api: Api) -> None:
    job = await api.create(lead=FAILING_LEAD)
    for _ in range(3):
        await api.call("GET", f"/v1/jobs/{job['id']}")

    assert job["status"] == "failed"
    assert job["result"] is None
    assert job["error"]["code"] == "RESEARCH_FAILED"
    assert job["credits_charged"] == 1
    account = api.sandbox.account()
    assert account == Account(1000, charged=1, refunded=1)
    assert account.net == 0


async def test_company_domain_decides_before_the_email(api: Api) -> None:
    ok = await api.create(
        lead={"email": "a@x.invalid", "company_domain": "x.io"}
    )
    bad = await api.create(
        lead={"email": "a@x.io", "company_domain": "x.invalid"}
    )

    assert ok["status"] == "completed"
    assert bad["status"] == "failed"


async def test_refund_arrives_when_the_record_fails_later() -> None:
    async with running(processing_delay=0.1) as api:
        job = await api.create("/v1/enrichments", lead=FAILING_LEAD)
        before = api.sandbox.account()
        await asyncio.sleep(0.15)
        after = api.sandbox.account()
        reply = await api.call("GET", f"/v1/enrichments/{job['id']}")

    assert job["status"] == "queued"
    assert before == Account(999, charged=1, refunded=0)
    assert after == Account(1000, charged=1, refunded=1)
    assert reply.json["data"]["status"] == "failed"
    assert reply.json["data"]["company"] is None


async def test_a_deleted_record_is_never_refunded() -> None:
    async with running(processing_delay=0.1) as api:
        job = await api.create(lead=FAILING_LEAD)
        await api.call("DELETE", f"/v1/jobs/{job['id']}")
        await asyncio.sleep(0.15)
        await api.call("GET", "/v1/jobs")

        assert api.sandbox.account() == Account(999, charged=1, refunded=0)


async def test_set_credits_keeps_the_history(api: Api) -> None:
    await api.create()
    api.sandbox.set_credits(5)

    assert api.sandbox.account() == Account(5, charged=1, refunded=0)


async def test_unknown_key_in_the_test_api_is_a_key_error(api: Api) -> None:
    with pytest.raises(KeyError):
        api.sandbox.account("pk_live_other")


async def test_account_endpoint_shows_the_ledger(api: Api) -> None:
    await api.create(lead=FAILING_LEAD)
    reply = await api.call("GET", "/_sandbox/account")

    assert reply.status == 200
    assert reply.json == {
        "data": {"balance": 1000, "charged": 1, "refunded": 1}
    }


async def test_account_endpoint_needs_a_valid_key(api: Api) -> None:
    missing = await api.call("GET", "/_sandbox/account", key=None)
    invalid = await api.call("GET", "/_sandbox/account", key="pk_live_x")
    posted = await api.call("POST", "/_sandbox/account")

    assert missing.json["error"]["code"] == "MISSING_API_KEY"
    assert invalid.json["error"]["code"] == "INVALID_API_KEY"
    assert posted.status == 405
