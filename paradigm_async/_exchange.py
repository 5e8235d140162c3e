"""What crosses the transport: a request, an answer, a call's progress.

Resources build `Request`; the transport sends it and answers with an
`APIResponse`. The header names the SDK reads are named here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from multidict import CIMultiDictProxy, istr

from ._envelope import Envelope, Pagination

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REMAINING_HEADER",
    "REPLAYED_HEADER",
    "REQUEST_ID_HEADER",
    "RESET_HEADER",
    "APIResponse",
    "Progress",
    "Request",
]

REQUEST_ID_HEADER = istr("X-Request-Id")
"""Design choice: the header an answer's request id is read from."""

IDEMPOTENCY_HEADER = istr("Idempotency-Key")

REMAINING_HEADER = istr("X-RateLimit-Remaining")
RESET_HEADER = istr("X-RateLimit-Reset")
"""Design choice (CONTRACT.md): the rate headers, used when present."""

REPLAYED_HEADER = istr("Idempotent-Replayed")
"""Design choice: the header that marks an answer replayed for a repeated
``Idempotency-Key`` (the sandbox sends it; the live API may not)."""


@attrs.define
class Progress:
    """Whether a call may have taken effect: an attempt is out with no
    answer yet, or one ended without telling (a timeout, a cut, a host's
    error page). A cancelled create in either state may have been
    charged."""

    in_flight: bool = False
    unknown: bool = False

    @property
    def uncertain(self) -> bool:
        """Whether the call may have taken effect without our knowing."""
        return self.in_flight or self.unknown


@attrs.define(kw_only=True)
class Request:
    """What to send: built by the resources, sent by the transport.

    Not frozen, as it is built on every call and frozen attrs classes
    cost twice as much to build; nothing changes one once built.
    """

    method: str
    path: str
    params: Mapping[str, str | int] | None = None
    json: Any = None
    idempotent: bool = True
    idempotency_key: str | None = None
    progress: Progress | None = attrs.field(default=None, eq=False)


@attrs.frozen(kw_only=True)
class APIResponse:
    """A successful answer: its status, headers, request id and payload.

    `data`, `pagination` and `meta` are the decoded envelope's parts;
    `attempts` counts tries including retries, `elapsed` is the seconds
    the last attempt took.
    """

    method: str
    path: str
    status: int
    headers: CIMultiDictProxy[str] = attrs.field(repr=False)
    request_id: str | None
    envelope: Envelope = attrs.field(repr=False)
    attempts: int
    elapsed: float

    @property
    def data(self) -> Any:
        """The envelope's ``data``: an object, a list, or None."""
        return self.envelope.data

    @property
    def pagination(self) -> Pagination | None:
        """Where a list page sits, for list answers."""
        return self.envelope.pagination

    @property
    def meta(self) -> Mapping[str, Any]:
        """The envelope's ``meta``, such as credits charged."""
        return self.envelope.meta

    @property
    def replayed(self) -> bool:
        """Whether this is a stored answer replayed for a repeated key:
        its ``meta`` then tells of the first call, not of now."""
        return self.headers.get(REPLAYED_HEADER, "").lower() == "true"
