"""A tiny loopback server that answers what the sandbox never would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def lying_server(
    handler: Handler,
) -> AsyncIterator[tuple[str, list[web.Request]]]:
    """Serve `handler` for every path; yield the base URL and the hits."""
    hits: list[web.Request] = []

    async def record(request: web.Request) -> web.StreamResponse:
        hits.append(request)
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1", hits
    finally:
        await runner.cleanup()
