"""The log of every request the sandbox received, for tests to inspect."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

import attrs
from aiohttp import web

from ._routing import split_target

__all__ = ["MAX_RECORDS", "Journal", "RequestRecord"]

MAX_RECORDS = 100_000


@attrs.frozen
class RequestRecord:
    """One request as it arrived.

    `path` and `query_string` are raw, exactly as on the wire, so a test
    can check how the client encoded an id; `headers` is a plain copy
    (its keys are spelled as the client sent them); `body` is the bytes
    received (empty when none, or when over the size limit).
    """

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes = attrs.field(default=b"", repr=False)


class Journal:
    """The most recent requests, oldest first, at most MAX_RECORDS."""

    def __init__(self) -> None:
        self.records: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)

    def record(self, request: web.BaseRequest, body: bytes) -> None:
        """Append `request`, whose body was `body`, to the log."""
        path, query = split_target(request.raw_path)
        entry = RequestRecord(
            method=request.method,
            path=path,
            query_string=query,
            headers=dict(request.headers),
            body=body,
        )
        self.records.append(entry)
