"""Cancellation, close and idle connections leave nothing behind.

Cancelling 1,000 calls in flight leaves no open connection, no task of
the client's and no held slot; `CancelledError` is neither retried nor
swallowed; closing the client mid-call ends the call with a clear error;
a keep-alive connection the server dropped while idle is replaced
without the caller seeing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from conftest import MakeClient
from soak_run import established_to

import paradigm_async
from paradigm_async import APIConnectionError, ParadigmClient, RateLimit
from paradigm_async.sandbox import Fault, Sandbox

CLIENT_CODE = Path(paradigm_async.__file__).parent
SANDBOX_CODE = CLIENT_CODE / "sandbox"


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Poll `condition` every 10 ms until it holds; fail after `seconds`."""
    for _ in range(int(seconds * 100)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


def client_tasks() -> list[str]:
    """Unfinished tasks running the SDK's own code (not the sandbox's,
    and not the session's keeper, which lives as long as the client)."""
    found = []
    for task in asyncio.all_tasks():
        if task.done() or task is asyncio.current_task():
            continue
        frame = getattr(task.get_coro(), "cr_frame", None)
        path = Path(frame.f_code.co_filename) if frame else Path()
        if (
            path.is_relative_to(CLIENT_CODE)
            and not path.is_relative_to(SANDBOX_CODE)
            and task.get_name() != "paradigm-session-keeper"
        ):
            found.append(repr(task))

    return found


async def test_cancelling_1000_calls_in_flight_leaves_nothing(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    port = int(sandbox.url.rsplit(":", 1)[1].split("/")[0])
    sandbox.inject(Fault.delay(30), count=100)
    client = make_client(
        max_connections=100, rate_limit=RateLimit(requests=10**6, seconds=1)
    )
    calls = [
        asyncio.ensure_future(client.jobs.get(f"job_{i}")) for i in range(1000)
    ]
    await until(lambda: len(sandbox.requests) >= 100)
    await asyncio.sleep(0.1)
    assert len(sandbox.requests) == 100
    assert established_to(port) == 100

    for call in calls:
        call.cancel()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    await asyncio.sleep(0.2)
    assert established_to(port) == 0
    assert client_tasks() == []
    assert not any(client.limiter._lanes.values())
    assert not client.limiter._turn_taken
    # Every connection slot came back: 100 calls at once go straight out.
    async with asyncio.timeout(5):
        await asyncio.gather(
            *(client.jobs.list().collect() for _ in range(100))
        )
    assert len(sandbox.requests) == 200


async def test_a_cancelled_retry_is_not_retried_or_swallowed(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    sandbox.inject(Fault.json_500(), count=5)
    client = make_client(max_retries=5)
    call = asyncio.ensure_future(client.jobs.list().collect())
    await until(lambda: bool(sandbox.requests))

    call.cancel()  # during the backoff after the first 500

    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.sleep(1.5)
    assert len(sandbox.requests) == 1


async def test_closing_the_client_ends_calls_in_flight_clearly(
    sandbox: Sandbox,
) -> None:
    sandbox.inject(Fault.delay(30))
    client = ParadigmClient(
        api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=None
    )
    async with client:
        call = asyncio.ensure_future(client.jobs.list().collect())
        await until(lambda: bool(sandbox.requests))

    with pytest.raises(APIConnectionError, match="closed"):
        async with asyncio.timeout(5):
            await call


@pytest.fixture
async def forgetful_server() -> AsyncIterator[tuple[str, list[int]]]:
    """Answers one job, and drops each keep-alive connection after 0.1 s
    idle; yields its URL and the client port of every request."""
    ports: list[int] = []

    async def job(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername")  # type: ignore[union-attr]
        ports.append(peer[1])
        return web.json_response({"data": {"id": "job_1", "status": "queued"}})

    app = web.Application()
    app.router.add_get("/v1/jobs/job_1", job)
    runner = web.AppRunner(app, keepalive_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1", ports
    finally:
        await runner.cleanup()


async def test_a_connection_dropped_while_idle_is_replaced_quietly(
    forgetful_server: tuple[str, list[int]],
) -> None:
    url, ports = forgetful_server
    async with ParadigmClient(
        api_key="pk_test", base_url=url, rate_limit=None, max_retries=0
    ) as client:
        first = await client.jobs.get("job_1")
        await asyncio.sleep(0.4)
        second = await client.jobs.get("job_1")

    assert first.id == second.id == "job_1"
    assert len(ports) == 2
    assert ports[0] != ports[1], "the dropped connection was reused"
