"""The sandbox's answers as values, and the documented error envelope."""

from __future__ import annotations

import json
import secrets
import socket
import struct
from collections.abc import Mapping

import attrs
from aiohttp import web

__all__ = [
    "Answer",
    "ApiError",
    "error_answer",
    "hang_up",
    "json_answer",
    "new_request_id",
    "reset_mid_body",
]

JSON_TYPE = "application/json"


@attrs.frozen
class Answer:
    """A finished response, kept as plain data so it can be replayed.

    Handlers return answers rather than aiohttp responses so that the
    pipeline can add headers in one place and the idempotency store can
    keep an answer and send it again byte for byte.
    """

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def with_headers(self, extra: Mapping[str, str]) -> Answer:
        """Return a copy with `extra` headers added or replaced."""
        return attrs.evolve(self, headers={**self.headers, **extra})

    def response(self) -> web.Response:
        """Build the aiohttp response that sends this answer."""
        if self.content_type is None:
            return web.Response(status=self.status, headers=self.headers)

        return web.Response(
            status=self.status,
            body=self.body,
            content_type=self.content_type,
            charset="utf-8",
            headers=self.headers,
        )


class ApiError(Exception):
    """An error the API documents, raised anywhere and answered once."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def answer(self) -> Answer:
        """Render this error in the documented envelope."""
        answer = error_answer(self.status, self.code, self.message)

        return answer.with_headers(self.headers)


def json_answer(body: Mapping[str, object], status: int = 200) -> Answer:
    """Answer `status` with `body` encoded as JSON."""
    return Answer(status=status, body=json.dumps(body).encode())


def error_answer(status: int, code: str, message: str) -> Answer:
    """Answer `status` with the error envelope from the public docs."""
    envelope = {"error": {"code": code, "message": message}}

    return json_answer(envelope, status)


def new_request_id() -> str:
    """Return a fresh `req_<hex>` id for the X-Request-Id header."""
    return f"req_{secrets.token_hex(12)}"


def hang_up(request: web.BaseRequest) -> web.StreamResponse:
    """Close the connection without answering, as a lost response does.

    aiohttp still tries to send the returned placeholder, finds the
    transport closing, and drops it quietly as a client disconnection.
    """
    transport = request.transport
    if transport is not None:
        transport.close()

    # Never sent: its status only matters if aiohttp's behaviour changes.
    return web.Response(status=500)


async def reset_mid_body(
    request: web.BaseRequest, answer: Answer
) -> web.StreamResponse:
    """Send `answer`'s headers and half its body, then reset the
    connection, as a host that crashes while answering does.

    The headers announce the whole body, so the client knows it was cut
    short. SO_LINGER 0 turns the close into a TCP RST; on Linux the
    client still reads what was sent before it.
    """
    response = web.StreamResponse(status=answer.status, headers=answer.headers)
    response.content_type = answer.content_type or JSON_TYPE
    response.charset = "utf-8"
    response.content_length = len(answer.body)
    await response.prepare(request)
    await response.write(answer.body[: len(answer.body) // 2])

    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            linger = struct.pack("ii", 1, 0)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        transport.abort()

    # aiohttp's closing write_eof meets the reset and drops it quietly.
    return response
