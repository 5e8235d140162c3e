"""GET /v1/openapi.json: the package's contract file, with no key."""

from __future__ import annotations

import json
import pathlib

import pytest

from paradigm_async.sandbox import Fault, _openapi

from ._api import Api, running

PLACEHOLDER = b'{"openapi": "3.1.0", "info": {"title": "placeholder"}}'


@pytest.fixture
def package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> pathlib.Path:
    """A stand-in for the installed package's folder, empty at first."""

    def files(name: str) -> pathlib.Path:
        assert name == "paradigm_async"
        return tmp_path

    monkeypatch.setattr(_openapi.resources, "files", files)

    return tmp_path


async def test_the_file_is_served_as_it_is_with_no_key(
    package: pathlib.Path,
) -> None:
    (package / "openapi.json").write_bytes(PLACEHOLDER)
    async with running() as api:
        reply = await api.call("GET", "/v1/openapi.json", key=None)

    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.text.encode() == PLACEHOLDER
    assert reply.headers["X-Request-Id"].startswith("req_")


async def test_a_missing_file_is_404_in_the_envelope(
    package: pathlib.Path,
) -> None:
    async with running() as api:
        reply = await api.call("GET", "/v1/openapi.json", key=None)

    assert reply.status == 404
    assert reply.json["error"] == {
        "code": "NOT_FOUND",
        "message": "no OpenAPI file is installed",
    }


async def test_the_route_is_not_rate_limited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_openapi, "read_contract", lambda: PLACEHOLDER)
    async with running(rate_limit=(1, 60.0)) as api:
        await api.call("GET", "/v1/jobs")
        files = [await api.call("GET", "/v1/openapi.json") for _ in range(3)]
        refused = await api.call("GET", "/v1/jobs")

    assert [reply.status for reply in files] == [200, 200, 200]
    assert all("X-RateLimit-Limit" not in reply.headers for reply in files)
    assert refused.status == 429


async def test_any_key_or_none_is_fine(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_openapi, "read_contract", lambda: PLACEHOLDER)
    replies = [
        await api.call("GET", "/v1/openapi.json", key=key)
        for key in (None, "", "pk_live_wrong", api.sandbox.api_key)
    ]

    assert {reply.status for reply in replies} == {200}


async def test_other_methods_and_query_parameters_are_refused(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_openapi, "read_contract", lambda: PLACEHOLDER)
    posted = await api.call("POST", "/v1/openapi.json", json={}, key=None)
    queried = await api.call("GET", "/v1/openapi.json?v=2", key=None)

    assert posted.status == 405
    assert posted.headers["Allow"] == "GET"
    assert queried.status == 400
    assert queried.json["error"]["message"] == (
        "v: is not a known query parameter"
    )


async def test_scripted_faults_apply_as_on_every_api_path(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_openapi, "read_contract", lambda: PLACEHOLDER)
    api.sandbox.inject(Fault.html_503(), path="/v1/openapi.json")
    faulted = await api.call("GET", "/v1/openapi.json", key=None)
    served = await api.call("GET", "/v1/openapi.json", key=None)

    assert faulted.status == 503
    assert served.status == 200


async def test_the_installed_file_when_present_is_json(api: Api) -> None:
    # The package's own file is written beside this work; until it is,
    # the route must answer 404 rather than fail.
    installed = _openapi.read_contract()
    reply = await api.call("GET", "/v1/openapi.json", key=None)

    if installed is None:
        assert reply.status == 404
    else:
        assert reply.status == 200
        assert reply.text.encode() == installed
        assert isinstance(json.loads(installed), dict)
