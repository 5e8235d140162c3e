"""What each fault sends instead of, or made of, the real answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import attrs

from ._faults import Fault, FaultKind
from ._http import JSON_TYPE, Answer, error_answer

__all__ = ["Outcome", "Reset", "answer_with_fault", "heroku_page"]

# What the router says, by status, on its error page.
_REASONS = {
    502: "The app sent the router an answer it could not read.",
    503: "The router gave up waiting for the app to answer this request.",
    504: "The router could not reach the app in time.",
}

# In the manner of the error page Heroku's router sends when a dyno
# times out or is down: HTML, not the API's JSON envelope.
_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Application Error</title>
  </head>
  <body>
    <h1>Application error</h1>
    <p>{reason}
    Try again shortly.</p>
  </body>
</html>
"""

_HTML_TYPE = "text/html"


def heroku_page(status: int) -> bytes:
    """Return the HTML error page for a 502, 503 or 504 from the host."""
    return _PAGE.format(reason=_REASONS[status]).encode()


@attrs.frozen
class Reset:
    """Send the headers and half the body of `answer`, then reset."""

    answer: Answer


Outcome = Answer | Reset | None
"""An answer to send, one to cut short, or None: hang up at once."""

Serve = Callable[[], Awaitable[Answer]]


async def answer_with_fault(fault: Fault, serve: Serve) -> Outcome:
    """Answer as `fault` says; `serve` does the real work when it must.

    Only the kinds that `FaultKind.does_work` names call `serve`.
    """
    if fault.kind.does_work:
        return await _after_the_work(fault, serve)

    return _before_the_work(fault)


def _before_the_work(fault: Fault) -> Outcome:
    match fault.kind:
        case FaultKind.HTML_502 | FaultKind.HTML_503 | FaultKind.HTML_504:
            page = heroku_page(fault.status)
            return Answer(fault.status, page, content_type=_HTML_TYPE)
        case FaultKind.HTML_AS_JSON:
            page = heroku_page(fault.status)
            return Answer(fault.status, page, content_type=JSON_TYPE)
        case FaultKind.RATE_LIMITED | FaultKind.RATE_LIMIT_BURST:
            retry = str(int(fault.seconds))
            answer = error_answer(429, fault.code, fault.message)
            return answer.with_headers({"Retry-After": retry})
        case FaultKind.DROP_BEFORE:
            return None
        case _:  # JSON_500 and ERROR
            return error_answer(fault.status, fault.code, fault.message)


async def _after_the_work(fault: Fault, serve: Serve) -> Outcome:
    if fault.kind is FaultKind.DELAY:
        await asyncio.sleep(fault.seconds)

    answer = await serve()
    match fault.kind:
        case FaultKind.DROP_AFTER:
            return None
        case FaultKind.ROUTER_CUT:
            await asyncio.sleep(fault.seconds)
            page = heroku_page(503)
            return Answer(503, page, content_type=_HTML_TYPE)
        case FaultKind.SLOW_FIRST_BYTE:
            await asyncio.sleep(fault.seconds)
            return answer
        case FaultKind.RESET_MID_BODY:
            return Reset(answer) if answer.body else None
        case FaultKind.TRUNCATED_JSON:
            cut = answer.body[: len(answer.body) // 2]
            return attrs.evolve(answer, body=cut)
        case FaultKind.JSON_AS_HTML if answer.content_type is not None:
            return attrs.evolve(answer, content_type=_HTML_TYPE)
        case _:
            return answer
