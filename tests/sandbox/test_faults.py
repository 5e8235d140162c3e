"""Scripted faults: each kind answers, hangs up or waits as documented."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from paradigm_async.sandbox import Account, Fault, FaultKind

from ._api import LEAD, Api

UNTOUCHED = Account(1000, charged=0, refunded=0)


async def test_html_503_answers_heroku_style_and_charges_nothing(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.html_503())
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 503
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<title>Application Error</title>" in reply.text
    assert "Application error" in reply.text  # the SDK tests read it
    assert reply.headers["X-Request-Id"].startswith("req_")
    assert api.sandbox.account() == UNTOUCHED


async def test_json_500_answers_internal_error_and_charges_nothing(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.json_500())
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/jobs")

    assert reply.status == 500
    assert reply.json["error"]["code"] == "INTERNAL_ERROR"
    assert listed.json["data"] == []
    assert api.sandbox.account() == UNTOUCHED


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "VALIDATION_ERROR"),
        (401, "MISSING_API_KEY"),
        (401, "INVALID_API_KEY"),
        (402, "INSUFFICIENT_CREDITS"),
        (404, "NOT_FOUND"),
        (429, "RATE_LIMITED"),
        (500, "INTERNAL_ERROR"),
        (502, "SOMETHING_NEW"),
    ],
)
async def test_error_fault_answers_any_status_and_code(
    api: Api, status: int, code: str
) -> None:
    api.sandbox.inject(Fault.error(status, code, "scripted"))
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == status
    assert reply.json == {"error": {"code": code, "message": "scripted"}}
    assert api.sandbox.account() == UNTOUCHED


async def test_rate_limited_fault_sends_retry_after(api: Api) -> None:
    api.sandbox.inject(Fault.rate_limited(retry_after=7))
    reply = await api.call("GET", "/v1/jobs")

    assert reply.status == 429
    assert reply.json["error"]["code"] == "RATE_LIMITED"
    assert reply.headers["Retry-After"] == "7"


async def test_drop_before_hangs_up_without_doing_the_work(api: Api) -> None:
    api.sandbox.inject(Fault.drop_before(), method="POST")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/jobs")

    assert listed.json["data"] == []
    assert api.sandbox.account() == UNTOUCHED


async def test_drop_after_does_the_work_then_hangs_up(api: Api) -> None:
    api.sandbox.inject(Fault.drop_after(), method="POST")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/jobs")

    assert listed.json["pagination"]["total"] == 1
    assert api.sandbox.account().charged == 1


async def test_a_retry_after_a_lost_answer_replays_it(api: Api) -> None:
    key = {"Idempotency-Key": "lost-1"}
    body = {"lead": LEAD}
    api.sandbox.inject(Fault.drop_after(), method="POST")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/v1/jobs", json=body, headers=key)
    retry = await api.call("POST", "/v1/jobs", json=body, headers=key)

    assert retry.status == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert api.sandbox.account().charged == 1


async def test_delay_waits_then_answers_normally(api: Api) -> None:
    api.sandbox.inject(Fault.delay(0.2))
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 201
    assert loop.time() - started >= 0.2


async def test_delay_still_does_the_work_when_the_client_gives_up(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.delay(0.3))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    await asyncio.sleep(0.3)

    assert api.sandbox.account().charged == 1


async def test_faults_apply_before_authentication(api: Api) -> None:
    api.sandbox.inject(Fault.html_503())
    reply = await api.call("GET", "/v1/jobs", key=None)

    assert reply.status == 503


async def test_a_fault_applies_only_to_matching_requests(api: Api) -> None:
    api.sandbox.inject(Fault.json_500(), method="post", path="/v1/jobs")
    other_method = await api.call("GET", "/v1/jobs")
    other_path = await api.call("POST", "/v1/enrichments", json={"lead": LEAD})
    matching = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert (other_method.status, other_path.status) == (200, 201)
    assert matching.status == 500


async def test_a_fault_applies_count_times_then_stops(api: Api) -> None:
    api.sandbox.inject(Fault.json_500(), count=2)
    statuses = [(await api.call("GET", "/v1/jobs")).status for _ in range(3)]

    assert statuses == [500, 500, 200]


async def test_faults_apply_in_the_order_injected(api: Api) -> None:
    api.sandbox.inject(Fault.html_503())
    api.sandbox.inject(Fault.rate_limited())
    statuses = [(await api.call("GET", "/v1/jobs")).status for _ in range(3)]

    assert statuses == [503, 429, 200]


async def test_faulted_requests_are_still_recorded(api: Api) -> None:
    api.sandbox.inject(Fault.drop_before(), method="POST")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert [r.method for r in api.sandbox.requests] == ["POST"]


async def test_faults_never_touch_the_account_endpoint(api: Api) -> None:
    api.sandbox.inject(Fault.json_500())
    account = await api.call("GET", "/_sandbox/account")
    faulted = await api.call("GET", "/v1/jobs")

    assert account.status == 200
    assert faulted.status == 500


def test_fault_constructors_set_their_kind() -> None:
    assert Fault.delay(1.5) == Fault(FaultKind.DELAY, seconds=1.5)
    assert Fault.drop_after().kind is FaultKind.DROP_AFTER
    with pytest.raises(ValueError, match="status"):
        Fault.error(200, "OK")
    with pytest.raises(ValueError, match="Retry-After"):
        Fault.rate_limited(-1)
