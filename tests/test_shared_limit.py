"""The Redis-shared rate limit: one ceiling for every process of a key."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
import redis
from conftest import sandbox_in_thread

from paradigm_async import (
    Lead,
    ParadigmClient,
    RateLimit,
    RateLimiterUnavailable,
)
from paradigm_async._shared_limit import schedule_key
from paradigm_async.sandbox import Sandbox


def shared(redis_url: str, **numbers: float) -> RateLimit:
    return RateLimit(redis_url=redis_url, **numbers)  # type: ignore[arg-type]


async def test_two_clients_of_one_key_share_one_ceiling(
    redis_url: str,
) -> None:
    """Each alone would send at the full rate; together they still keep
    it, so the strict sandbox draws no 429 (no retries are allowed)."""
    async with Sandbox(rate_limit=(10, 2.0), processing_delay=0) as sandbox:
        limit = shared(redis_url, requests=10, seconds=2.0)
        clients = [
            ParadigmClient(
                api_key=sandbox.api_key,
                base_url=sandbox.url,
                rate_limit=limit,
                max_retries=0,
            )
            for _ in range(2)
        ]
        calls = [
            client.enrichments.create(Lead(email=f"p{n}@example.com"))
            for n in range(12)
            for client in clients
        ]
        made = await asyncio.gather(*calls)
        for client in clients:
            await client.close()

        assert len(made) == len(sandbox.requests) == 24


async def test_the_redis_key_is_a_digest_never_the_api_key(
    redis_url: str, sandbox: Sandbox
) -> None:
    limit = shared(redis_url, requests=100, seconds=60.0)
    async with ParadigmClient(
        api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=limit
    ) as client:
        await client.jobs.list().collect()

    keys = redis.Redis.from_url(redis_url).keys("paradigm_async:*")
    assert keys == [schedule_key(sandbox.api_key).encode()]
    assert sandbox.api_key.encode() not in keys[0]


async def test_an_unreachable_redis_refuses_calls_rather_than_send(
    sandbox: Sandbox,
) -> None:
    limit = RateLimit(redis_url="redis://127.0.0.1:9/0")
    async with ParadigmClient(
        api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=limit
    ) as client:
        with pytest.raises(RateLimiterUnavailable, match="nothing was sent"):
            await client.jobs.list().collect()

    assert not sandbox.requests


def test_a_bad_redis_url_is_refused() -> None:
    with pytest.raises(ValueError, match="redis_url"):
        RateLimit(redis_url="http://127.0.0.1:6379")


WORKER = """
import asyncio, json, sys, time
from paradigm_async import ParadigmClient, RateLimit

async def main(url, key, redis_url, seconds):
    limit = RateLimit(requests=20, seconds=2.0, margin=0.05,
                      redis_url=redis_url)
    stamps, errors = [], 0
    async with ParadigmClient(api_key=key, base_url=url, rate_limit=limit,
                              max_retries=0) as client:
        stop = time.time() + seconds
        while time.time() < stop:
            try:
                await client.request("GET", "/jobs", params={"limit": 1})
                stamps.append(time.time())
            except Exception as exc:
                errors += 1
                print(type(exc).__name__, exc, file=sys.stderr)
    print(json.dumps({"stamps": stamps, "errors": errors}))

asyncio.run(main(*sys.argv[1:4], float(sys.argv[4])))
"""


def test_four_processes_share_one_key_without_a_429(redis_url: str) -> None:
    """At least 95% of the ceiling together, and not one 429."""
    with sandbox_in_thread(rate_limit=(20, 2.0), processing_delay=0) as box:
        command = [sys.executable, "-c", WORKER, box.url, box.api_key]
        command += [redis_url, "8"]
        workers = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        results = [json.loads(w.communicate(timeout=60)[0]) for w in workers]

    stamps = sorted(t for r in results for t in r["stamps"])
    assert sum(r["errors"] for r in results) == 0
    assert all(r["stamps"] for r in results), "every process got slots"
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert rate >= 0.95 * 20 / 2.0
