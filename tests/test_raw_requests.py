"""`client.request` for unmodelled endpoints; seeing each answer's HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from conftest import MakeClient

from paradigm_async import (
    InvalidInputError,
    NotFoundError,
    ParadigmClient,
    ServerError,
    encode_segment,
)
from paradigm_async.sandbox import Fault, Sandbox


async def test_request_uses_the_same_key_envelope_and_errors(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    created = await client.request(
        "POST", "/enrichments", json={"lead": {"email": "a@example.com"}}
    )
    fetched = await client.request(
        "GET", "/enrichments/" + encode_segment(created.data["id"])
    )
    page = await client.request("get", "/enrichments", params={"limit": 1})

    assert created.status == 201
    assert created.meta["credits_charged"] == 1
    assert fetched.data["id"] == created.data["id"]
    assert page.pagination is not None
    assert page.pagination.limit == 1
    assert all(
        r.headers["X-API-Key"] == sandbox.api_key for r in sandbox.requests
    )
    assert "Idempotency-Key" in sandbox.requests[0].headers
    # An answer without meta still has a plain dict of its own.
    assert fetched.meta == {}
    assert type(fetched.meta) is dict
    assert fetched.meta is not page.meta
    assert json.loads(json.dumps({"meta": fetched.meta})) == {"meta": {}}
    with pytest.raises(NotFoundError):
        await client.request("GET", "/enrichments/" + encode_segment("a/b"))
    assert sandbox.requests[-1].path == "/v1/enrichments/a%2Fb"


async def test_request_retries_reads_like_every_call(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.html_503())

    answer = await client.request("GET", "/jobs")

    assert answer.status == 200
    assert answer.attempts == 2


async def test_request_does_not_retry_a_post_with_unknown_outcome(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.html_503(), method="POST")

    with pytest.raises(ServerError) as caught:
        await client.request(
            "POST", "/jobs", json={"lead": {"email": "a@b.co"}}
        )

    assert caught.value.outcome_unknown
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "jobs"),
        ("GET", "/jobs?status=completed"),
        ("GET", "/jobs/../admin"),
        ("GET", "/jobs/%2e%2e"),
        ("GET", "/jobs//x"),
        ("GET", "/jobs#top"),
        ("GET", "/jobs/a b"),
        ("GET", "/jobs\\..\\admin"),
        ("TRACE", "/jobs"),
        ("GET", "https://elsewhere.example/v1/jobs"),
    ],
)
async def test_request_refuses_paths_that_could_go_elsewhere(
    sandbox: Sandbox, client: ParadigmClient, method: str, path: str
) -> None:
    with pytest.raises(InvalidInputError):
        await client.request(method, path)

    assert not sandbox.requests


async def test_capture_shows_status_headers_and_request_id(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    with client.capture_responses() as captured:
        job = await client.jobs.create({"email": "a@example.com"})
        await asyncio.gather(*(client.jobs.get(job.id) for _ in range(3)))

    assert job.charge is not None
    assert [r.status for r in captured.responses] == [201, 200, 200, 200]
    assert captured.last.request_id is not None
    assert captured.last.request_id.startswith("req_")
    assert captured.responses[0].headers["X-Request-Id"].startswith("req_")
    assert captured.responses[0].method == "POST"


async def test_capture_is_scoped_to_its_block_and_its_client(
    sandbox: Sandbox, client: ParadigmClient, make_client: MakeClient
) -> None:
    other = make_client()
    async with other:
        with client.capture_responses() as captured:
            await other.jobs.list().collect()
            await client.jobs.list().collect()
        await client.jobs.list().collect()

    assert len(captured.responses) == 1


@pytest.mark.parametrize(
    "options",
    [
        {"method": "POST", "idempotency_key": "k\r\nX-Evil: 1"},
        {"method": "POST", "idempotency_key": 5},
        {"method": "POST", "idempotency_key": "a b"},
        {"method": "GET", "idempotency_key": "fine-but-ignored"},
        {"method": "GET", "params": [("limit", 1)]},
        {"method": "GET", "params": "limit=1"},
        {"method": "GET", "params": {"status": "\ud800"}},
        {"method": "GET", "params": {"limit": None}},
    ],
)
async def test_request_refuses_bad_keys_and_params(
    sandbox: Sandbox, client: ParadigmClient, options: dict[str, Any]
) -> None:
    method = options.pop("method")

    with pytest.raises(InvalidInputError):
        await client.request(method, "/jobs", **options)

    assert not sandbox.requests


async def test_a_replayed_create_does_not_report_an_old_balance(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    await client.jobs.create({"email": "a@example.com"}, idempotency_key="k1")
    await client.jobs.create(
        {"email": "b@example.com"}, research_mode="premium"
    )

    replay = await client.jobs.create(
        {"email": "a@example.com"}, idempotency_key="k1"
    )

    assert replay.charge is not None
    assert replay.charge.credits_remaining is None
    assert client.credits.remaining == sandbox.account().balance


async def test_a_capture_is_not_kept_alive_by_the_client(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    import gc
    import weakref

    async with make_client() as fresh:
        with fresh.capture_responses() as captured:
            await fresh.jobs.list().collect()
        watch = weakref.ref(captured)
        del captured
        gc.collect()

        assert watch() is None
        await fresh.jobs.list().collect()


async def test_a_capture_sees_the_calls_of_the_clients_views(
    client: ParadigmClient,
) -> None:
    view = client.with_options(priority="interactive")

    with client.capture_responses() as captured:
        await view.jobs.list().collect()

    assert len(captured.responses) == 1
