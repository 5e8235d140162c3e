"""Faults: the failures of the live API and its host, as values."""

from __future__ import annotations

import enum
import math

import attrs

__all__ = ["HEROKU_ROUTER_TIMEOUT", "Fault", "FaultKind"]

HEROKU_ROUTER_TIMEOUT = 30.0
"""Seconds Heroku's router waits for a dyno before it answers 503."""


class FaultKind(enum.Enum):
    """The ways a fault can answer, each before or after the work.

    Before the work nothing is stored or charged: `JSON_500`, `ERROR`,
    `HTML_502`, `HTML_503`, `HTML_504`, `HTML_AS_JSON`, `RATE_LIMITED`,
    `RATE_LIMIT_BURST`, `DROP_BEFORE`.

    After the work the request is served as usual (a create is stored,
    listed and charged in the sandbox's ledger) and only its answer is
    spoiled: `DROP_AFTER`, `DELAY`, `ROUTER_CUT`, `SLOW_FIRST_BYTE`,
    `RESET_MID_BODY`, `TRUNCATED_JSON`, `JSON_AS_HTML`.
    """

    HTML_503 = "html_503"
    JSON_500 = "json_500"
    ERROR = "error"
    RATE_LIMITED = "rate_limited"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"
    DELAY = "delay"
    HTML_502 = "html_502"
    HTML_504 = "html_504"
    HTML_AS_JSON = "html_as_json"
    RATE_LIMIT_BURST = "rate_limit_burst"
    ROUTER_CUT = "router_cut"
    SLOW_FIRST_BYTE = "slow_first_byte"
    RESET_MID_BODY = "reset_mid_body"
    TRUNCATED_JSON = "truncated_json"
    JSON_AS_HTML = "json_as_html"

    @property
    def does_work(self) -> bool:
        """Say whether the request is served (and a create charged)."""
        return self in _AFTER_THE_WORK


_AFTER_THE_WORK = frozenset(
    {
        FaultKind.DROP_AFTER,
        FaultKind.DELAY,
        FaultKind.ROUTER_CUT,
        FaultKind.SLOW_FIRST_BYTE,
        FaultKind.RESET_MID_BODY,
        FaultKind.TRUNCATED_JSON,
        FaultKind.JSON_AS_HTML,
    }
)


@attrs.frozen
class Fault:
    """One failure; build it with the class methods.

    Each kind copies one way a call can go wrong, and `FaultKind` says
    which of them happen before the work and which after it.

    `seconds` is the Retry-After of `rate_limited` and
    `rate_limit_burst`, and the wait of `delay`, `router_cut` and
    `slow_first_byte`; `status`, `code` and `message` are the answer of
    the error kinds; `burst` is how many 429s `rate_limit_burst` sends
    in a row.
    """

    kind: FaultKind
    status: int = 0
    code: str = ""
    message: str = ""
    seconds: float = 0.0
    burst: int = 0

    @classmethod
    def html_502(cls) -> Fault:
        """Answer 502 with a Heroku-style HTML page; no work done."""
        return cls(FaultKind.HTML_502, status=502)

    @classmethod
    def html_503(cls) -> Fault:
        """Answer 503 with an HTML page, as Heroku's router does."""
        return cls(FaultKind.HTML_503, status=503)

    @classmethod
    def html_504(cls) -> Fault:
        """Answer 504 with a Heroku-style HTML page; no work done."""
        return cls(FaultKind.HTML_504, status=504)

    @classmethod
    def html_as_json(cls) -> Fault:
        """Answer 503 with the HTML page labelled `application/json`.

        A proxy that mislabels its error page; no work done.
        """
        return cls(FaultKind.HTML_AS_JSON, status=503)

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
        _check_retry_after(retry_after)

        return cls(
            FaultKind.RATE_LIMITED,
            status=429,
            code="RATE_LIMITED",
            message="rate limit exceeded",
            seconds=retry_after,
        )

    @classmethod
    def rate_limit_burst(
        cls, requests: int = 3, retry_after: int = 1
    ) -> Fault:
        """Answer 429 to this request and the next `requests - 1` ones
        sent with the same API key, whatever their path; no work done.

        A burst under way comes before any other fault of that key.
        """
        _check_retry_after(retry_after)
        if requests < 1:
            raise ValueError("a burst needs requests >= 1")

        return cls(
            FaultKind.RATE_LIMIT_BURST,
            status=429,
            code="RATE_LIMITED",
            message="rate limit exceeded",
            seconds=retry_after,
            burst=requests,
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

        The work happens even if the client gave up waiting, but only
        once the wait is over: a cold start, not a slow answer.
        """
        return cls(FaultKind.DELAY, seconds=_seconds(seconds))

    @classmethod
    def router_cut(cls, seconds: float = HEROKU_ROUTER_TIMEOUT) -> Fault:
        """Do the work at once, hold the answer `seconds`, then send
        Heroku's HTML 503 instead of it.

        Heroku's router gives up on a dyno after 30 seconds while the
        dyno goes on working, so a create is stored and charged though
        its caller only ever sees the 503.
        """
        return cls(FaultKind.ROUTER_CUT, status=503, seconds=_seconds(seconds))

    @classmethod
    def slow_first_byte(cls, seconds: float) -> Fault:
        """Do the work at once, then wait `seconds` before the status
        line of the usual answer.

        Unlike `delay`, a create is charged before the wait, so a
        client that gives up early finds it in the ledger at once.
        """
        return cls(FaultKind.SLOW_FIRST_BYTE, seconds=_seconds(seconds))

    @classmethod
    def reset_mid_body(cls) -> Fault:
        """Do the work, send the headers and half the body, then reset
        the connection (a TCP RST).

        The headers announce the whole body's length. An answer without
        a body is hung up on instead, as `drop_after` does.
        """
        return cls(FaultKind.RESET_MID_BODY)

    @classmethod
    def truncated_json(cls) -> Fault:
        """Do the work, then send its answer with the body cut in half.

        The status and headers are valid (the length is the cut body's),
        only the JSON is broken. An answer without a body goes as is.
        """
        return cls(FaultKind.TRUNCATED_JSON)

    @classmethod
    def json_as_html(cls) -> Fault:
        """Do the work, then send its JSON answer labelled `text/html`.

        An answer without a body goes as is.
        """
        return cls(FaultKind.JSON_AS_HTML)


def _check_retry_after(retry_after: int) -> None:
    if retry_after < 0:
        raise ValueError("Retry-After cannot be negative")


def _seconds(seconds: float) -> float:
    if not 0 <= seconds < math.inf:
        raise ValueError("a wait must be a finite number of seconds >= 0")

    return seconds
