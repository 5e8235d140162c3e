"""What goes on the wire: paths, queries, headers, encoded ids."""

from __future__ import annotations

import math
from typing import Any

import pytest
from aiohttp import web
from lying_server import lying_server

from paradigm_async import (
    DecodeError,
    InvalidInputError,
    Lead,
    NotFoundError,
    ParadigmClient,
    ValidationError,
    __version__,
    _transport,
)
from paradigm_async.sandbox import Sandbox


async def test_documented_jobs_query_is_sent_exactly(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """The docs' example: GET /v1/jobs?status=completed&limit=5."""
    pages = client.jobs.list(status="completed", limit=5).pages()
    async for _ in pages:
        break

    [request] = sandbox.requests
    assert request.method == "GET"
    assert request.path == "/v1/jobs"
    assert request.query_string == "status=completed&limit=5"
    assert request.headers["X-API-Key"] == sandbox.api_key


async def test_user_agent_names_the_sdk_and_its_version(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    await client.jobs.list().collect()

    agent = sandbox.requests[0].headers["User-Agent"]
    assert agent.startswith(f"paradigm-async/{__version__} ")


async def test_creates_send_json_and_an_idempotency_key(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    job = await client.jobs.create({"email": "ada@example.com"})

    [request] = sandbox.requests
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"].startswith("pa-")
    assert job.id.startswith("job_")


async def test_a_create_adds_its_headers_to_itself_alone(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """Reads share the client's headers; a create's key and content type
    must not leak into the reads after it."""
    job = await client.jobs.create({"email": "ada@example.com"})
    await client.jobs.get(job.id)
    await client.jobs.create({"email": "bob@example.com"})
    await client.jobs.get(job.id)

    first, read, second, read_again = sandbox.requests
    for create in (first, second):
        assert create.headers["Content-Type"] == "application/json"
    assert (
        first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]
    )
    for get in (read, read_again):
        assert "Idempotency-Key" not in get.headers
        assert "Content-Type" not in get.headers
        assert get.headers["X-API-Key"] == sandbox.api_key


@pytest.mark.parametrize(
    ("job_id", "raw_path"),
    [
        ("job_Ab-9~x", "/v1/jobs/job_Ab-9~x"),
        ("a.b", "/v1/jobs/a.b"),
        ("../admin", "/v1/jobs/..%2Fadmin"),
        ("a/b?x=1", "/v1/jobs/a%2Fb%3Fx%3D1"),
        ("a b#c", "/v1/jobs/a%20b%23c"),
        ("100%", "/v1/jobs/100%25"),
        ("zoë", "/v1/jobs/zo%C3%AB"),
    ],
)
async def test_ids_are_one_encoded_segment(
    sandbox: Sandbox, client: ParadigmClient, job_id: str, raw_path: str
) -> None:
    """No id can change the path or add a query."""
    with pytest.raises(NotFoundError):
        await client.jobs.get(job_id)

    [request] = sandbox.requests
    assert request.path == raw_path
    assert request.query_string == ""


@pytest.mark.parametrize("job_id", ["", None, 12])
async def test_empty_or_non_string_ids_are_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient, job_id: object
) -> None:
    with pytest.raises(InvalidInputError):
        await client.jobs.get(job_id)  # type: ignore[arg-type]

    assert not sandbox.requests


@pytest.mark.parametrize("limit", [0, -1, 101, "5", 2.5, True])
async def test_bad_page_sizes_are_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient, limit: object
) -> None:
    with pytest.raises(InvalidInputError, match="limit"):
        client.jobs.list(limit=limit)  # type: ignore[arg-type]

    assert not sandbox.requests


async def test_unknown_status_filter_is_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    with pytest.raises(InvalidInputError, match="status"):
        client.enrichments.list(status="done")

    assert not sandbox.requests


async def test_extra_headers_are_sent(sandbox: Sandbox) -> None:
    async with ParadigmClient(
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        rate_limit=None,
        headers={"X-Team": "growth"},
    ) as client:
        await client.jobs.list().collect()

    assert sandbox.requests[0].headers["X-Team"] == "growth"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.jobs.get("a\ud800b"),
        lambda c: c.jobs.create({"email": "a@example.com", "title": "\ud800"}),
        lambda c: c.jobs.create(
            Lead(email="a@example.com", custom_fields={"k": object()})  # type: ignore[dict-item]
        ),
        lambda c: c.jobs.create(
            Lead(email="a@example.com", first_name=5)  # type: ignore[arg-type]
        ),
        lambda c: c.jobs.create(
            {"email": "a@example.com"}, idempotency_key="k\r\nX-Evil: 1"
        ),
        lambda c: c.jobs.create({"email": "a@example.com"}, idempotency_key=5),
        lambda c: c.jobs.wait("job_1", poll_interval="2"),
        lambda c: c.jobs.wait("job_1", timeout=None),
        lambda c: c.request("GET", "/jobs/a\ud800b"),
        lambda c: c.request("GET", "/jobs/\x1b"),
    ],
    ids=[
        "surrogate-id", "surrogate-lead", "object-in-custom-fields",
        "lead-instance-wrong-type", "key-with-crlf", "key-not-a-string",
        "poll-interval-string", "timeout-none", "raw-surrogate", "raw-escape",
    ],
)  # fmt: skip
async def test_foreign_input_is_refused_with_the_sdks_own_error(
    sandbox: Sandbox, client: ParadigmClient, call: Any
) -> None:
    with pytest.raises(InvalidInputError):
        await call(client)

    assert not sandbox.requests


async def test_spaces_around_an_email_are_trimmed_before_sending(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    job = await client.jobs.create({"email": "  ada@example.com\n"})

    assert job.lead is not None
    assert job.lead.email == "ada@example.com"


async def test_unknown_lead_fields_are_refused_not_dropped(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """A typo would otherwise be silently dropped, and still charged."""
    with pytest.raises(InvalidInputError, match="compnay_name"):
        await client.jobs.create({"email": "a@b.co", "compnay_name": "Acme"})

    assert not sandbox.requests


async def test_a_leads_extra_is_sent_as_it_is(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """What a newer server sent back goes back to it."""
    lead = Lead(email="a@example.com", extra={"phone": "1"})

    with pytest.raises(ValidationError, match="phone"):
        await client.jobs.create(lead)

    assert b'"phone":"1"' in sandbox.requests[0].body


async def test_a_typo_for_email_is_named(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    with pytest.raises(InvalidInputError, match="emial"):
        await client.jobs.create({"emial": "a@example.com"})


async def test_nan_and_infinity_are_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """Not JSON; orjson would quietly send null instead."""
    for number in (math.nan, math.inf, -math.inf):
        with pytest.raises(InvalidInputError, match="not a JSON number"):
            await client.request("POST", "/jobs", json={"x": [1, number]})

    assert not sandbox.requests


async def test_a_large_body_is_sent_whole_and_without_a_warning(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    big = "x" * (3 << 20)  # streamed: aiohttp would warn about raw bytes

    with pytest.raises(ValidationError):
        await client.request("POST", "/jobs", json={"lead": {"email": big}})

    # The sandbox refuses bodies over 1 MB, but the whole one went out.
    assert int(sandbox.requests[0].headers["Content-Length"]) > 3 << 20


async def test_an_answer_past_the_size_limit_is_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_transport, "MAX_ANSWER_BYTES", 1 << 20)

    async def endless(request: web.Request) -> web.StreamResponse:
        answer = web.StreamResponse()
        answer.enable_chunked_encoding()
        await answer.prepare(request)
        for _ in range(64):  # 2 MiB in 32 KiB chunks, no length given
            await answer.write(b" " * (32 << 10))
        return answer

    async with (
        lying_server(endless) as (url, _),
        ParadigmClient(
            api_key="pk_test", base_url=url, rate_limit=None, max_retries=0
        ) as client,
    ):
        with pytest.raises(DecodeError, match="larger than 1 MiB"):
            await client.jobs.list().collect()
