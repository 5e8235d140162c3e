"""The per-key sliding-window rate limit and its headers."""

from __future__ import annotations

import asyncio
import time

from ._api import running


async def test_authenticated_responses_carry_rate_headers() -> None:
    async with running(rate_limit=(5, 60.0)) as api:
        ok = await api.call("GET", "/v1/jobs")
        missing = await api.call("GET", "/v1/jobs/nope")
        anonymous = await api.call("GET", "/v1/jobs", key=None)

    assert ok.headers["X-RateLimit-Limit"] == "5"
    assert ok.headers["X-RateLimit-Remaining"] == "4"
    assert missing.headers["X-RateLimit-Remaining"] == "3"
    reset = int(ok.headers["X-RateLimit-Reset"])
    assert time.time() + 58 < reset <= time.time() + 61
    assert "X-RateLimit-Limit" not in anonymous.headers


async def test_a_full_window_answers_429_with_retry_after() -> None:
    async with running(rate_limit=(5, 60.0)) as api:
        statuses = [
            (await api.call("GET", "/v1/jobs")).status for _ in range(5)
        ]
        refused = await api.call("GET", "/v1/jobs")

    assert statuses == [200] * 5
    assert refused.status == 429
    assert refused.json["error"]["code"] == "RATE_LIMITED"
    assert 59 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"


async def test_refused_requests_are_not_counted() -> None:
    async with running(rate_limit=(2, 0.3)) as api:
        await api.call("GET", "/v1/jobs")
        await api.call("GET", "/v1/jobs")
        refused = [
            (await api.call("GET", "/v1/jobs")).status for _ in range(3)
        ]
        await asyncio.sleep(0.35)
        again = await api.call("GET", "/v1/jobs")

    assert refused == [429, 429, 429]
    assert again.status == 200
    assert again.headers["X-RateLimit-Remaining"] == "1"


async def test_retry_after_is_at_least_one_second() -> None:
    async with running(rate_limit=(1, 0.2)) as api:
        await api.call("GET", "/v1/jobs")
        refused = await api.call("GET", "/v1/jobs")

    assert refused.headers["Retry-After"] == "1"


async def test_unauthenticated_requests_are_not_counted() -> None:
    async with running(rate_limit=(2, 60.0)) as api:
        for _ in range(5):
            await api.call("GET", "/v1/jobs", key="pk_live_wrong")
        reply = await api.call("GET", "/v1/jobs")

    assert reply.status == 200
    assert reply.headers["X-RateLimit-Remaining"] == "1"


async def test_each_key_has_its_own_window() -> None:
    keys = ("pk_live_a", "pk_live_b")
    async with running(api_keys=keys, rate_limit=(1, 60.0)) as api:
        first = await api.call("GET", "/v1/jobs", key="pk_live_a")
        other = await api.call("GET", "/v1/jobs", key="pk_live_b")
        again = await api.call("GET", "/v1/jobs", key="pk_live_a")

    assert (first.status, other.status, again.status) == (200, 200, 429)


async def test_no_rate_limit_means_no_rate_headers() -> None:
    async with running(rate_limit=None) as api:
        replies = [await api.call("GET", "/v1/jobs") for _ in range(120)]

    assert {reply.status for reply in replies} == {200}
    assert "X-RateLimit-Limit" not in replies[-1].headers


async def test_the_account_endpoint_is_not_rate_limited() -> None:
    async with running(rate_limit=(1, 60.0)) as api:
        await api.call("GET", "/v1/jobs")
        accounts = [
            await api.call("GET", "/_sandbox/account") for _ in range(3)
        ]
        refused = await api.call("GET", "/v1/jobs")

    assert [reply.status for reply in accounts] == [200, 200, 200]
    assert refused.status == 429
