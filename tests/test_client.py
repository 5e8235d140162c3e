"""The client's options, lifecycle and event-loop handling."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from conftest import MakeClient

from paradigm_async import (
    DEFAULT_BASE_URL,
    APIConnectionError,
    ConfigurationError,
    ParadigmClient,
    RateLimit,
)
from paradigm_async.sandbox import Sandbox


def test_missing_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="PARADIGM_API_KEY"):
        ParadigmClient(base_url="http://127.0.0.1:1/v1")


def test_key_and_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARADIGM_API_KEY", "pk_live_env")
    monkeypatch.setenv("PARADIGM_BASE_URL", "http://127.0.0.1:9/v1")

    client = ParadigmClient()

    assert client.base_url == "http://127.0.0.1:9/v1"


def test_default_url_is_the_documented_one() -> None:
    client = ParadigmClient(api_key="pk_live_x")

    assert client.base_url == DEFAULT_BASE_URL
    assert client.base_url.startswith("https://")


@pytest.mark.parametrize(
    "key", ["pk_live_a\r\nX-Evil: 1", "pk live", "pk_live_\x00", "pk_é"]
)
def test_keys_that_could_inject_headers_are_refused(key: str) -> None:
    with pytest.raises(ConfigurationError):
        ParadigmClient(api_key=key, base_url="http://127.0.0.1:1/v1")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/v1",
        "http://127.0.0.1:1/v1#",
        "http://127.0.0.1:1/v1?",
        "http://127.0.0.1:1/v1 ",
        "http://user:pw@127.0.0.1:1/v1",
        "127.0.0.1:1/v1",
    ],
)
def test_base_urls_that_would_misroute_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        ParadigmClient(api_key="pk_live_x", base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1",
        "http://127.0.0.1:1/",
        "http://127.0.0.1:1/v2",
        "http://127.0.0.1:1/V1",
        "http://127.0.0.1:1/v10",
        # yarl would read these as /v1, but they are sent as written.
        "http://127.0.0.1:1/v1%2F",
        "http://127.0.0.1:1/v1/.",
        "http://127.0.0.1:1//v1",
        "http://127.0.0.1:1/a/../v1",
        "http://127.0.0.1:1/a%2e%2e/v1",
    ],
)
def test_a_base_url_without_the_version_prefix_says_so(url: str) -> None:
    """Else every call would end in a 404 that reads like an unknown id."""
    with pytest.raises(ConfigurationError, match="must end in /v1"):
        ParadigmClient(api_key="pk_live_x", base_url=url)


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_base_url_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Set but empty is a mistake, not a wish for the production URL."""
    monkeypatch.setenv("PARADIGM_BASE_URL", value)

    with pytest.raises(ConfigurationError, match="set but empty"):
        ParadigmClient(api_key="pk_live_x")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/api/v1",
        "http://[::1]:8080/v1//",
        "http://localhost/my%20api/v1",
        "http://127.0.0.1:1/~team/.well/v1",
    ],
)
def test_base_urls_with_a_path_before_the_prefix_are_taken(url: str) -> None:
    client = ParadigmClient(api_key="pk_live_x", base_url=url)

    assert client.base_url == url.rstrip("/")


def test_a_base_url_with_a_trailing_slash_after_the_prefix_is_kept() -> None:
    client = ParadigmClient(api_key="pk_live_x", base_url="http://[::1]:1/v1/")

    assert client.base_url == "http://[::1]:1/v1"


def test_plain_http_off_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        ParadigmClient(api_key="pk_live_x", base_url="http://example.com/v1")

    allowed = ParadigmClient(
        api_key="pk_live_x",
        base_url="http://example.com/v1",
        allow_insecure_http=True,
    )
    assert allowed.base_url == "http://example.com/v1"


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": 0},
        {"timeout": "5"},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_connections": 0},
        {"max_connections": "5"},
        {"headers": {"X-Num": 5}},
        {"headers": {"X-A": "1\r\nX-B: 2"}},
        {"rate_limit": (100, 60)},
        {"api_key": 5},
    ],
)
def test_bad_options_are_configuration_errors(options: dict[str, Any]) -> None:
    given = {
        "api_key": "pk_live_x",
        "base_url": "http://127.0.0.1:1/v1",
        **options,
    }

    with pytest.raises(ConfigurationError):
        ParadigmClient(**given)


def test_repr_shows_no_key() -> None:
    client = ParadigmClient(
        api_key="pk_live_secret_123", base_url="http://127.0.0.1:1/v1"
    )

    assert "pk_live_secret_123" not in repr(client)
    assert "pk_live_secret_123" not in repr(vars(client))


async def test_close_is_idempotent(client: ParadigmClient) -> None:
    await client.jobs.list().collect()

    await client.close()
    await client.close()


async def test_a_closed_client_refuses_calls_until_entered_again(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    await client.close()

    with pytest.raises(APIConnectionError, match="closed"):
        await client.jobs.list().collect()
    async with client:
        assert await client.jobs.list().collect() == []
    assert len(sandbox.requests) == 1


async def test_closing_ends_queued_and_in_flight_calls_with_a_clear_error(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(rate_limit=RateLimit(requests=10, seconds=1.0))
    calls = [
        asyncio.ensure_future(client.jobs.list().collect()) for _ in range(5)
    ]
    await asyncio.sleep(0.05)

    await client.close()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors, "close() should have cut the queued calls short"
    assert all(isinstance(e, APIConnectionError) for e in errors)
    assert all("closed" in str(e) for e in errors)


TWO_RUNS = """
import asyncio, sys
from paradigm_async import ParadigmClient, RateLimit

client = ParadigmClient(
    api_key=sys.argv[1],
    base_url=sys.argv[2],
    rate_limit=RateLimit(requests=1, seconds=0.5, margin=0),
)

async def create():
    job = await client.jobs.create({"email": "ada@example.com"})
    return job.id, asyncio.get_running_loop().time()

async def wait_for_slot():
    return await client.limiter.acquire()

first, _ = asyncio.run(create())
second, _ = asyncio.run(create())
waited = asyncio.run(wait_for_slot())
print(first != second, waited > 0.3)
"""


def test_one_client_serves_successive_asyncio_runs(
    threaded_sandbox: Sandbox,
) -> None:
    """Made at import time, never closed: no loop errors, no warnings,
    and the rate limiter's state carries from one loop to the next."""
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", TWO_RUNS,
         threaded_sandbox.api_key, threaded_sandbox.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip

    assert done.stderr == ""
    assert done.returncode == 0
    assert done.stdout.split() == ["True", "True"]


async def test_callers_session_is_used_and_left_open(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    async with aiohttp.ClientSession() as session:
        async with make_client(session=session) as client:
            await client.jobs.list().collect()

        assert not session.closed
        assert len(sandbox.requests) == 1


async def test_unreachable_server_is_a_connection_error() -> None:
    async with ParadigmClient(
        api_key="pk_live_x",
        base_url="http://127.0.0.1:9/v1",
        rate_limit=None,
        max_retries=0,
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.jobs.get("job_1")

    assert caught.value.outcome_unknown is False


async def test_the_suite_refuses_addresses_off_loopback(
    offloopback_attempts: list[str],
) -> None:
    """The network guard: the documented URL is never reached."""
    from conftest import OffLoopbackError

    async with ParadigmClient(api_key="pk_live_x", max_retries=0) as client:
        with pytest.raises((OffLoopbackError, APIConnectionError)):
            await client.jobs.get("job_1")

    assert any("herokuapp" in attempt for attempt in offloopback_attempts)


async def test_calls_queued_before_close_never_send_after_reentry(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    """Entering the client again must not revive calls from before."""
    client = make_client(rate_limit=RateLimit(requests=5, seconds=1.0))
    calls = [
        asyncio.ensure_future(client.jobs.create({"email": "a@example.com"}))
        for _ in range(6)
    ]
    await asyncio.sleep(0.05)
    await client.close()

    async with client:
        outcomes = await asyncio.gather(*calls, return_exceptions=True)

    created = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(created) == len(sandbox.requests) == sandbox.account().charged
    assert len(created) < 6


async def test_close_wakes_queued_calls_at_once(sandbox: Sandbox) -> None:
    client = ParadigmClient(
        api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=RateLimit()
    )
    calls = [
        asyncio.ensure_future(client.jobs.list().collect()) for _ in range(12)
    ]
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()

    await client.close()
    await asyncio.gather(*calls, return_exceptions=True)

    assert asyncio.get_running_loop().time() - started < 0.5
