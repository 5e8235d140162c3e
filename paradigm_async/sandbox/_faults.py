"""Scripted faults: the failures of the live API and its host, on demand."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable

import attrs

from ._http import Answer, error_answer

__all__ = ["Fault", "FaultKind", "FaultQueue", "answer_with_fault"]

# In the manner of the error page Heroku's router sends when a dyno
# times out or is down: HTML, not the API's JSON envelope.
_HEROKU_PAGE = b"""<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Application Error</title>
  </head>
  <body>
    <h1>Application error</h1>
    <p>The router gave up waiting for the app to answer this request.
    Try again shortly.</p>
  </body>
</html>
"""


class FaultKind(enum.Enum):
    """The ways a scripted fault can answer."""

    HTML_503 = "html_503"
    JSON_500 = "json_500"
    ERROR = "error"
    RATE_LIMITED = "rate_limited"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"
    DELAY = "delay"


@attrs.frozen
class Fault:
    """One scripted failure; build it with the class methods.

    Each kind copies one way a call can go wrong: Heroku's HTML 503, a
    JSON 500, any documented error, a 429, a connection closed before or
    after the work was done, a slow answer.

    `seconds` is the Retry-After of `rate_limited` and the sleep of
    `delay`; `status`, `code` and `message` are the answer of `error`.
    """

    kind: FaultKind
    status: int = 0
    code: str = ""
    message: str = ""
    seconds: float = 0.0

    @classmethod
    def html_503(cls) -> Fault:
        """Answer 503 with an HTML page, as Heroku's router does."""
        return cls(FaultKind.HTML_503, status=503)

    @classmethod
    def json_500(cls) -> Fault:
        """Answer 500 INTERNAL_ERROR without doing the work."""
        return cls(
            FaultKind.JSON_500,
            status=500,
            code="INTERNAL_ERROR",
            message="an unexpected error occurred",
        )

    @classmethod
    def error(cls, status: int, code: str, message: str = "") -> Fault:
        """Answer `status` with `code` in the error envelope."""
        if not 400 <= status <= 599:
            raise ValueError("an error fault needs a status from 400 to 599")

        return cls(
            FaultKind.ERROR,
            status=status,
            code=code,
            message=message or f"scripted {code}",
        )

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        """Answer 429 RATE_LIMITED with `Retry-After: retry_after`."""
        if retry_after < 0:
            raise ValueError("Retry-After cannot be negative")

        return cls(
            FaultKind.RATE_LIMITED,
            status=429,
            code="RATE_LIMITED",
            message="rate limit exceeded",
            seconds=retry_after,
        )

    @classmethod
    def drop_before(cls) -> Fault:
        """Close the connection without doing the work or answering."""
        return cls(FaultKind.DROP_BEFORE)

    @classmethod
    def drop_after(cls) -> Fault:
        """Do the work (charge, store), then close without answering."""
        return cls(FaultKind.DROP_AFTER)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait `seconds`, then do the work and answer as usual.

        The work happens even if the client gave up waiting.
        """
        return cls(FaultKind.DELAY, seconds=seconds)


@attrs.define
class _Armed:
    fault: Fault
    remaining: int
    method: str | None
    path: str | None

    def matches(self, method: str, path: str) -> bool:
        same_method = self.method is None or self.method == method
        return same_method and (
            self.path is None or path.startswith(self.path)
        )


class FaultQueue:
    """Faults waiting for the requests they apply to, oldest first.

    The pipeline takes a fault after recording the request and before
    authentication, so a fault answers even a request without a key.
    """

    def __init__(self) -> None:
        self._armed: list[_Armed] = []

    def inject(
        self,
        fault: Fault,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Apply `fault` to the next `count` requests that match.

        `path` is a prefix of the raw request path, such as `/v1/jobs`.
        """
        if count < 1:
            raise ValueError("a fault needs count >= 1")

        upper = None if method is None else method.upper()
        self._armed.append(_Armed(fault, count, upper, path))

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one application of the oldest fault that matches."""
        for armed in self._armed:
            if armed.matches(method, path):
                armed.remaining -= 1
                if armed.remaining == 0:
                    self._armed.remove(armed)
                return armed.fault

        return None


Serve = Callable[[], Awaitable[Answer]]


async def answer_with_fault(fault: Fault, serve: Serve) -> Answer | None:
    """Answer as `fault` says; `serve` does the real work when it must.

    None means: close the connection without answering.
    """
    match fault.kind:
        case FaultKind.HTML_503:
            return Answer(503, _HEROKU_PAGE, content_type="text/html")
        case FaultKind.JSON_500 | FaultKind.ERROR:
            return error_answer(fault.status, fault.code, fault.message)
        case FaultKind.RATE_LIMITED:
            retry = str(int(fault.seconds))
            answer = error_answer(429, fault.code, fault.message)
            return answer.with_headers({"Retry-After": retry})
        case FaultKind.DROP_BEFORE:
            return None
        case FaultKind.DROP_AFTER:
            await serve()
            return None
        case FaultKind.DELAY:
            await asyncio.sleep(fault.seconds)
            return await serve()
