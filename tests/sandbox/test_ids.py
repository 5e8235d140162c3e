"""Ids in paths: one raw segment, decoded once, never a path of its own."""

from __future__ import annotations

import pytest

from ._api import Api


async def test_encoded_slash_stays_inside_the_id(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs/a%2Fb")

    assert reply.status == 404
    assert reply.json["error"]["message"] == "no job has the id 'a/b'"


async def test_an_unencoded_slash_is_another_path(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs/a/b")

    assert reply.status == 404
    assert reply.json["error"]["message"] == "no route matches /v1/jobs/a/b"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("..", ".."),
        ("%2E%2E", ".."),
        ("..%2F..%2Fenrichments", "../../enrichments"),
        ("%252F", "%2F"),
        ("caf%C3%A9", "café"),
    ],
)
async def test_dot_segments_and_escapes_are_just_an_id(
    api: Api, raw: str, decoded: str
) -> None:
    await api.create("/v1/enrichments")
    reply = await api.call("GET", f"/v1/jobs/{raw}")

    assert reply.status == 404
    assert reply.json["error"]["message"] == f"no job has the id {decoded!r}"
    assert api.sandbox.requests[-1].path == f"/v1/jobs/{raw}"


async def test_delete_with_an_encoded_id_deletes_nothing_else(
    api: Api,
) -> None:
    job = await api.create()
    reply = await api.call("DELETE", f"/v1/jobs/{job['id']}%2F..")
    still = await api.call("GET", f"/v1/jobs/{job['id']}")

    assert reply.status == 404
    assert still.status == 200


async def test_an_empty_id_segment_is_not_a_route(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs/")

    assert reply.status == 404
    assert reply.json["error"]["code"] == "NOT_FOUND"
