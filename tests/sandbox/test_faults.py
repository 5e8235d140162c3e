"""Scripted faults: each kind answers, hangs up or waits as documented."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

import aiohttp
import pytest

from paradigm_async.sandbox import Account, Fault, FaultKind

from ._api import LEAD, Api, running

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


@pytest.mark.parametrize(
    "build",
    [
        lambda: Fault.delay(-1),
        lambda: Fault.router_cut(float("inf")),
        lambda: Fault.slow_first_byte(float("nan")),
        lambda: Fault.rate_limit_burst(0),
        lambda: Fault.rate_limit_burst(3, retry_after=-1),
    ],
)
def test_fault_constructors_refuse_bad_numbers(
    build: Callable[[], Fault],
) -> None:
    with pytest.raises(ValueError, match=r"must|cannot|needs"):
        build()


@pytest.mark.parametrize(
    ("fault", "status"), [(Fault.html_502(), 502), (Fault.html_504(), 504)]
)
async def test_html_502_and_504_answer_heroku_style_and_charge_nothing(
    api: Api, fault: Fault, status: int
) -> None:
    api.sandbox.inject(fault)
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/jobs")

    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<title>Application Error</title>" in reply.text
    assert listed.json["data"] == []
    assert api.sandbox.account() == UNTOUCHED


async def test_html_as_json_mislabels_the_page_and_charges_nothing(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.html_as_json())
    reply = await api.raw("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 503
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.body.startswith(b"<!DOCTYPE html>")
    assert api.sandbox.account() == UNTOUCHED


async def test_router_cut_does_the_work_at_once_then_answers_html_503(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.router_cut(0.3))
    loop = asyncio.get_running_loop()
    started = loop.time()
    call = asyncio.create_task(
        api.call("POST", "/v1/jobs", json={"lead": LEAD})
    )
    await asyncio.sleep(0.1)
    charged_while_held = api.sandbox.account().charged
    reply = await call
    listed = await api.call("GET", "/v1/jobs")

    assert charged_while_held == 1
    assert reply.status == 503
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Application error" in reply.text
    assert loop.time() - started >= 0.3
    assert listed.json["pagination"]["total"] == 1


def test_router_cut_holds_thirty_seconds_by_default() -> None:
    assert Fault.router_cut().seconds == 30.0


async def test_slow_first_byte_charges_before_the_wait(api: Api) -> None:
    api.sandbox.inject(Fault.slow_first_byte(0.3))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert api.sandbox.account().charged == 1


async def test_slow_first_byte_then_answers_normally(api: Api) -> None:
    api.sandbox.inject(Fault.slow_first_byte(0.2))
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 201
    assert reply.json["data"]["id"].startswith("job_")
    assert loop.time() - started >= 0.2


async def test_reset_mid_body_sends_headers_and_half_then_resets(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.reset_mid_body())
    headers = {"X-API-Key": api.sandbox.api_key}
    url = api.url("/v1/jobs")
    async with api.session.post(
        url, json={"lead": LEAD}, headers=headers
    ) as r:
        with pytest.raises(aiohttp.ClientPayloadError):
            await r.read()
    listed = await api.call("GET", "/v1/jobs")

    assert r.status == 201
    assert (r.content_length or 0) > 0
    assert listed.json["pagination"]["total"] == 1
    assert api.sandbox.account().charged == 1


async def test_reset_mid_body_hangs_up_on_an_answer_without_a_body(
    api: Api,
) -> None:
    job = await api.create()
    api.sandbox.inject(Fault.reset_mid_body())
    path = f"/v1/jobs/{job['id']}"
    # A raw socket: aiohttp would resend the DELETE on its own.
    url = api.url(path)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"DELETE {path} HTTP/1.1\r\nHost: {url.host}\r\n"
        f"X-API-Key: {api.sandbox.api_key}\r\n\r\n".encode()
    )
    received = await reader.read()
    writer.close()
    await writer.wait_closed()
    gone = await api.call("GET", path)

    assert received == b""
    assert gone.status == 404


async def test_truncated_json_keeps_valid_headers_and_cuts_the_body(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.truncated_json())
    reply = await api.raw("POST", "/v1/jobs", json={"lead": LEAD})
    [job] = (await api.call("GET", "/v1/jobs")).json["data"]

    assert reply.status == 201
    assert reply.headers["Content-Type"].startswith("application/json")
    assert int(reply.headers["Content-Length"]) == len(reply.body)
    assert reply.body.startswith(b'{"data": {"id": "' + job["id"].encode())
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.body)
    assert api.sandbox.account().charged == 1


async def test_json_as_html_labels_the_real_answer_text_html(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.json_as_html())
    reply = await api.raw("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 201
    assert reply.headers["Content-Type"].startswith("text/html")
    assert json.loads(reply.body)["meta"]["credits_charged"] == 1
    assert api.sandbox.account().charged == 1


async def test_a_burst_answers_429_to_the_next_requests_of_that_key() -> None:
    async with running(api_keys=("pk_live_a", "pk_live_b")) as api:
        api.sandbox.inject(Fault.rate_limit_burst(3, retry_after=2))
        first = await api.call("GET", "/v1/jobs", key="pk_live_a")
        other = await api.call("GET", "/v1/jobs", key="pk_live_b")
        rest = [
            await api.call("POST", "/v1/jobs", key="pk_live_a", json={})
            for _ in range(2)
        ]
        after = await api.call("GET", "/v1/jobs", key="pk_live_a")

    assert [first.status, *(r.status for r in rest)] == [429, 429, 429]
    assert {r.headers["Retry-After"] for r in [first, *rest]} == {"2"}
    assert first.json["error"]["code"] == "RATE_LIMITED"
    assert (other.status, after.status) == (200, 200)


async def test_a_burst_under_way_comes_before_scripted_faults(
    api: Api,
) -> None:
    api.sandbox.inject(Fault.rate_limit_burst(2))
    api.sandbox.inject(Fault.json_500())
    statuses = [(await api.call("GET", "/v1/jobs")).status for _ in range(4)]

    assert statuses == [429, 429, 500, 200]


_EVERY_KIND = [
    Fault.html_502(),
    Fault.html_503(),
    Fault.html_504(),
    Fault.html_as_json(),
    Fault.json_500(),
    Fault.error(502, "BAD_GATEWAY"),
    Fault.rate_limited(),
    Fault.rate_limit_burst(1),
    Fault.drop_before(),
    Fault.drop_after(),
    Fault.delay(0.05),
    Fault.router_cut(0.05),
    Fault.slow_first_byte(0.05),
    Fault.reset_mid_body(),
    Fault.truncated_json(),
    Fault.json_as_html(),
]


def test_every_kind_is_scriptable() -> None:
    assert {fault.kind for fault in _EVERY_KIND} == set(FaultKind)


@pytest.mark.parametrize("fault", _EVERY_KIND, ids=lambda f: f.kind.value)
async def test_a_create_is_charged_and_listed_only_after_the_work(
    api: Api, fault: Fault
) -> None:
    api.sandbox.inject(fault, method="POST")
    # The faults that hang up or reset raise; the ledger says the rest.
    with contextlib.suppress(aiohttp.ClientError):
        await api.raw("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/jobs")
    account = api.sandbox.account()
    expected = 1 if fault.kind.does_work else 0

    assert listed.json["pagination"]["total"] == expected
    assert sum(j["credits_charged"] for j in listed.json["data"]) == expected
    assert account == Account(1000 - expected, expected, refunded=0)
