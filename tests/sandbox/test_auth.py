"""Authentication by X-API-Key, request ids, and each key's own records."""

from __future__ import annotations

import re

import pytest

from ._api import Api, running


async def test_missing_api_key_is_401_missing_api_key(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs", key=None)

    assert reply.status == 401
    assert reply.json["error"]["code"] == "MISSING_API_KEY"


async def test_empty_api_key_is_401_missing_api_key(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs", key="")

    assert reply.status == 401
    assert reply.json["error"]["code"] == "MISSING_API_KEY"


async def test_unknown_api_key_is_401_invalid_api_key(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs", key="pk_live_nope")

    assert reply.status == 401
    assert reply.json["error"]["code"] == "INVALID_API_KEY"


async def test_errors_use_the_documented_envelope(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs", key=None)

    assert reply.headers["Content-Type"].startswith("application/json")
    assert set(reply.json) == {"error"}
    assert set(reply.json["error"]) == {"code", "message"}
    assert reply.json["error"]["message"]


async def test_auth_is_checked_before_routing(api: Api) -> None:
    reply = await api.call("GET", "/v1/nowhere", key=None)

    assert reply.status == 401


@pytest.mark.parametrize("key", [None, "pk_live_sandbox_key"])
async def test_every_response_carries_a_request_id(
    api: Api, key: str | None
) -> None:
    first = await api.call("GET", "/v1/jobs", key=key)
    second = await api.call("GET", "/v1/jobs", key=key)

    ids = [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert all(re.fullmatch(r"req_[0-9a-f]+", found) for found in ids)
    assert ids[0] != ids[1]


async def test_each_key_sees_only_its_own_records() -> None:
    async with running(api_keys=("pk_live_a", "pk_live_b")) as api:
        job = await api.create()
        theirs = await api.call("GET", "/v1/jobs", key="pk_live_b")
        lookup = await api.call(
            "GET", f"/v1/jobs/{job['id']}", key="pk_live_b"
        )

    assert theirs.json["data"] == []
    assert lookup.status == 404
