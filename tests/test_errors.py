"""Error answers become typed errors; retries only where they are safe."""

from __future__ import annotations

import time

import pytest
from aiohttp import web
from conftest import MakeClient
from lying_server import lying_server

from paradigm_async import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    ParadigmClient,
    ParadigmError,
    RateLimitError,
    ServerError,
    ValidationError,
    _json,
)
from paradigm_async.sandbox import Fault, Sandbox

LEAD = {"email": "ada@example.com", "company_domain": "stripe.com"}


@pytest.fixture
def no_retry(make_client: MakeClient) -> ParadigmClient:
    """A client of the sandbox that never retries."""
    return make_client(max_retries=0)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", ValidationError),
        (401, "MISSING_API_KEY", AuthenticationError),
        (401, "INVALID_API_KEY", AuthenticationError),
        (402, "INSUFFICIENT_CREDITS", InsufficientCreditsError),
        (404, "NOT_FOUND", NotFoundError),
        (429, "RATE_LIMITED", RateLimitError),
        (500, "INTERNAL_ERROR", ServerError),
    ],
)
async def test_each_documented_code_raises_its_class(
    sandbox: Sandbox,
    no_retry: ParadigmClient,
    status: int,
    code: str,
    cls: type[APIError],
) -> None:
    sandbox.inject(Fault.error(status, code, "scripted message"))

    with pytest.raises(cls) as caught:
        await no_retry.jobs.get("job_1")

    error = caught.value
    assert (error.status, error.code) == (status, code)
    assert error.message == "scripted message"
    assert error.request_id is not None
    assert error.request_id.startswith("req_")
    assert b"scripted message" in error.body


async def test_unknown_code_falls_back_on_the_status(
    sandbox: Sandbox, no_retry: ParadigmClient
) -> None:
    sandbox.inject(Fault.error(409, "CONFLICT", "busy"))

    with pytest.raises(APIError) as caught:
        await no_retry.jobs.get("job_1")

    assert type(caught.value) is APIError
    assert caught.value.code == "CONFLICT"


async def test_html_503_is_a_server_error_with_an_excerpt(
    sandbox: Sandbox, no_retry: ParadigmClient
) -> None:
    sandbox.inject(Fault.html_503())

    with pytest.raises(ServerError) as caught:
        await no_retry.jobs.get("job_1")

    error = caught.value
    assert error.status == 503
    assert error.code is None
    assert not error.json_error
    assert "Application error" in error.message
    assert "<" not in error.message
    assert len(error.message) <= 200


async def test_bad_key_fails_after_one_request_not_after_retries(
    sandbox: Sandbox,
) -> None:
    async with ParadigmClient(
        api_key="pk_live_wrong", base_url=sandbox.url, rate_limit=None
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.jobs.get("job_1")

    assert caught.value.code == "INVALID_API_KEY"
    assert len(sandbox.requests) == 1


async def test_not_found_and_validation_are_never_retried(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    with pytest.raises(NotFoundError):
        await client.enrichments.get("enr_missing")
    sandbox.inject(Fault.error(400, "VALIDATION_ERROR"))
    with pytest.raises(ValidationError):
        await client.enrichments.get("enr_missing")

    assert len(sandbox.requests) == 2


async def test_insufficient_credits_is_not_retried_and_not_charged(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.set_credits(1)

    with pytest.raises(InsufficientCreditsError):
        await client.enrichments.create(LEAD, research_mode="premium")

    assert len(sandbox.requests) == 1
    assert sandbox.account().charged == 0
    assert client.credits.spent == 0


async def test_reads_are_retried_after_a_host_503(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.html_503(), count=2)

    assert await client.jobs.list().collect() == []
    assert len(sandbox.requests) == 3


async def test_reads_are_retried_after_a_dropped_connection(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.drop_before())

    assert await client.jobs.list().collect() == []
    assert len(sandbox.requests) == 2


async def test_429_is_retried_after_retry_after(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.rate_limited(retry_after=1))
    started = time.monotonic()

    job = await client.jobs.create(LEAD)

    assert time.monotonic() - started >= 1.0
    assert len(sandbox.requests) == 2
    assert job.charge is not None
    assert sandbox.account().charged == 1


async def test_api_json_500_on_a_create_is_retried_and_charged_once(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.json_500(), method="POST")

    await client.enrichments.create(LEAD)

    assert len(sandbox.requests) == 2
    assert sandbox.account().charged == client.credits.spent == 1


async def test_host_503_on_a_create_is_not_retried_and_says_unknown(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.html_503(), method="POST")

    with pytest.raises(ServerError) as caught:
        await client.jobs.create(LEAD)

    [request] = sandbox.requests
    error = caught.value
    assert error.outcome_unknown
    assert error.idempotency_key == request.headers["Idempotency-Key"]
    assert "outcome is unknown" in str(error)
    assert error.idempotency_key in str(error)
    assert client.credits.uncertain == 1


async def test_lost_answer_to_a_create_is_not_retried(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """The work was done and charged; a blind retry could charge twice."""
    sandbox.inject(Fault.drop_after(), method="POST")

    with pytest.raises(APIConnectionError) as caught:
        await client.enrichments.create(LEAD)

    [request] = sandbox.requests
    assert caught.value.outcome_unknown
    assert caught.value.idempotency_key == request.headers["Idempotency-Key"]
    assert sandbox.account().charged == 1
    assert client.credits.spent == 0
    assert client.credits.uncertain == 1


async def test_create_retry_with_unknown_outcome_when_opted_in(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    """Opted in, the retry reuses the key: the sandbox replays, no charge."""
    sandbox.inject(Fault.drop_after(), method="POST")
    async with make_client(retry_unknown_outcome=True) as client:
        await client.enrichments.create(LEAD)

    first, second = sandbox.requests
    key = first.headers["Idempotency-Key"]
    assert second.headers["Idempotency-Key"] == key
    assert sandbox.account().charged == 1


async def test_a_dropped_connection_on_a_create_counts_as_unknown(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.drop_before(), method="POST")

    with pytest.raises(APIConnectionError) as caught:
        await client.enrichments.create(LEAD)

    # A dropped connection looks the same whether or not the work was
    # done, so it counts as unknown: only a refused connect is "not sent".
    assert caught.value.outcome_unknown


async def test_attempt_timeout_raises_timeout_error_on_creates(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    sandbox.inject(Fault.delay(1.0), method="POST")
    async with make_client(timeout=0.3) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.jobs.create(LEAD)

    assert caught.value.outcome_unknown
    assert len(sandbox.requests) == 1


async def test_reads_are_retried_after_a_timeout(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    sandbox.inject(Fault.delay(1.0))
    async with make_client(timeout=0.3) as client:
        assert await client.jobs.list().collect() == []

    assert len(sandbox.requests) == 2


async def test_invalid_leads_are_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    for lead in ({}, {"email": ""}, {"email": "nope"}, {"email": "a@b"}):
        with pytest.raises(InvalidInputError, match="email"):
            await client.enrichments.create(lead)
    with pytest.raises(InvalidInputError, match="research_mode"):
        await client.jobs.create(LEAD, research_mode="deluxe")
    with pytest.raises(InvalidInputError):
        await client.jobs.create({"email": "ada@example.com", "first_name": 3})

    assert not sandbox.requests
    assert client.credits.spent == 0


async def test_redirects_are_not_followed_and_carry_no_key() -> None:
    """A redirect would take the key (and a create's body) elsewhere."""

    async def elsewhere(request: web.Request) -> web.Response:
        return web.Response(status=200, text="{}")

    async with lying_server(elsewhere) as (other, other_hits):

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPTemporaryRedirect(other + "/collect")

        async with (
            lying_server(redirect) as (url, _),
            ParadigmClient(
                api_key="pk_live_secret", base_url=url, rate_limit=None
            ) as client,
        ):
            with pytest.raises(APIError) as caught:
                await client.jobs.get("job_1")

    assert caught.value.status == 307
    assert other_hits == []


async def test_a_lost_answer_to_a_read_is_resent_once(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    """Only by the SDK's own retry, through the limiter: never silently
    by aiohttp as well (which would send it a third time)."""
    async with make_client(max_retries=0) as client:
        await client.jobs.list().collect()
        sandbox.inject(Fault.drop_after())
        with pytest.raises(APIConnectionError):
            await client.jobs.list().collect()

    assert len(sandbox.requests) == 2


async def test_a_delete_whose_answer_was_lost_still_succeeds(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    job = await client.jobs.create(LEAD)
    sandbox.inject(Fault.drop_after(), method="DELETE")

    await client.jobs.delete(job.id)

    with pytest.raises(NotFoundError):
        await client.jobs.get(job.id)


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"data": ' + b"9" * 5000 + b"}"],
    ids=["deep", "huge-integer"],
)
@pytest.mark.parametrize("status", [200, 401, 503])
@pytest.mark.parametrize("backend", ["orjson", "stdlib"])
async def test_pathological_json_becomes_the_sdks_own_errors(
    monkeypatch: pytest.MonkeyPatch, body: bytes, status: int, backend: str
) -> None:
    if backend == "stdlib":
        monkeypatch.setattr(_json, "loads", _json.stdlib_loads)

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body)

    async with (
        lying_server(answer) as (url, _),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None, max_retries=0
        ) as client,
    ):
        with pytest.raises(ParadigmError):
            await client.jobs.get("job_1")


async def test_a_500_with_another_code_is_still_a_server_error(
    sandbox: Sandbox, no_retry: ParadigmClient
) -> None:
    sandbox.inject(Fault.error(500, "NOT_FOUND", "odd"))

    with pytest.raises(ServerError):
        await no_retry.jobs.get("job_1")
