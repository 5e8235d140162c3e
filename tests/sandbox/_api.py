"""A thin raw-HTTP helper for talking to a running sandbox in tests."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from paradigm_async.sandbox import Sandbox

LEAD: dict[str, Any] = {
    "email": "jane.doe@acme-robotics.io",
    "first_name": "Jane",
    "last_name": "Doe",
    "title": "VP of Sales",
    "company_name": "Acme Robotics",
    "company_domain": "acme-robotics.io",
}
FAILING_LEAD: dict[str, Any] = {
    "email": "sam@nowhere.invalid",
    "first_name": "Sam",
}

_OWN_KEY = object()


@attrs.frozen
class Reply:
    """What came back: status, headers and the decoded JSON (or None)."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str
    json: Any


@attrs.frozen
class RawReply:
    """What came back, the body as the bytes received."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class Api:
    """Sends raw requests to `sandbox`, with its first key by default."""

    def __init__(self, session: aiohttp.ClientSession, sandbox: Sandbox):
        self.session = session
        self.sandbox = sandbox

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | io.BytesIO | None = None,
        key: Any = _OWN_KEY,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send `method` to the raw `path`, such as `/v1/jobs/a%2Fb`."""
        sent = self._headers(key, headers)
        url = self.url(path)
        async with self.session.request(
            method, url, json=json, data=data, headers=sent
        ) as response:
            text = await response.text()
            decoded = None
            if response.content_type == "application/json":
                decoded = await response.json()

            return Reply(response.status, response.headers, text, decoded)

    async def raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        key: Any = _OWN_KEY,
        headers: Mapping[str, str] | None = None,
    ) -> RawReply:
        """Send like `call`, but keep the body as bytes, undecoded."""
        sent = self._headers(key, headers)
        async with self.session.request(
            method, self.url(path), json=json, headers=sent
        ) as response:
            body = await response.read()

            return RawReply(response.status, response.headers, body)

    def url(self, path: str) -> URL:
        """The sandbox's URL for the raw `path`, left as it is."""
        return URL(self._base() + path, encoded=True)

    async def create(self, path: str = "/v1/jobs", **body: Any) -> Any:
        """Create a record from `body` (default lead) and return its data."""
        body.setdefault("lead", LEAD)
        reply = await self.call("POST", path, json=body)
        assert reply.status == 201, reply.text

        return reply.json["data"]

    def _headers(
        self, key: Any, headers: Mapping[str, str] | None
    ) -> dict[str, str]:
        sent = dict(headers or {})
        if key is _OWN_KEY:
            sent["X-API-Key"] = self.sandbox.api_key
        elif key is not None:
            sent["X-API-Key"] = key

        return sent

    def _base(self) -> str:
        return self.sandbox.url.removesuffix("/v1")


@contextlib.asynccontextmanager
async def running(**options: Any) -> AsyncIterator[Api]:
    """Run a sandbox with `options` and yield a helper bound to it."""
    async with (
        Sandbox(**options) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        yield Api(session, sandbox)
