"""The exception tree, and the one mapping from HTTP answers onto it.

Every error the SDK raises derives from `ParadigmError`::

    ParadigmError
    ├── ConfigurationError      the client's options cannot work (no key, ...)
    ├── InvalidInputError       refused before sending: nothing sent or charged
    ├── CreditBudgetExceeded    a call would pass the credit budget
    ├── DecodeError             an answer that cannot be read as the contract
    ├── WaitTimeoutError        a job or enrichment did not finish in time
    ├── QueueTimeoutError       no rate slot within queue_timeout: not sent
    ├── NotSentError            a bulk input left unsent after a fatal error
    ├── APIConnectionError      no answer: connection failed or was dropped
    │   └── APITimeoutError     no answer within the attempt's timeout
    └── APIError                the server answered with an error status
        ├── ValidationError           400 VALIDATION_ERROR
        ├── AuthenticationError       401 MISSING_API_KEY / INVALID_API_KEY
        ├── InsufficientCreditsError  402 INSUFFICIENT_CREDITS
        ├── NotFoundError             404 NOT_FOUND
        ├── RateLimitError            429 RATE_LIMITED
        └── ServerError               500 and every other 5xx

`error_from_response` is the only place that picks a class for an answer.
Unknown codes fall back on the status; unknown statuses on `APIError`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from ._envelope import ErrorBody

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigurationError",
    "CreditBudgetExceeded",
    "DecodeError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "NotSentError",
    "ParadigmError",
    "QueueTimeoutError",
    "RateLimitError",
    "RateLimiterUnavailable",
    "ServerError",
    "ValidationError",
    "WaitTimeoutError",
    "error_from_response",
    "redact",
]

_EXCERPT_CHARS = 200
_EXCERPT_SOURCE_BYTES = 64 * 1024

# A tag opens with "<" and a letter, "/", "!" or "?" (so "a < b" is text),
# and runs to the next ">" but never past a "<": each character is read
# once, however many tags are left unclosed.
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_HIDDEN_TAG = re.compile(r"<(/?)\s*(?:head|style|script)\b", re.IGNORECASE)


class ParadigmError(Exception):
    """Base class of every error the SDK raises."""


class ConfigurationError(ParadigmError, ValueError):
    """The client was given options it cannot work with."""


class InvalidInputError(ParadigmError, ValueError):
    """The caller's input was refused before any request was sent.

    Nothing reached the server, so nothing was charged.
    """


class CreditBudgetExceeded(ParadigmError):
    """A call's declared cost would take spending past the credit budget."""

    def __init__(self, message: str, *, cost: int, available: int) -> None:
        super().__init__(message)
        self.cost = cost
        self.available = available


class NotSentError(ParadigmError):
    """A bulk run's input was not sent: an earlier one failed in a way
    that every later one would too (a bad key, no credits left).

    Nothing was sent or charged for it; `cause` is the earlier error.
    """

    def __init__(self, message: str, *, cause: ParadigmError) -> None:
        super().__init__(message)
        self.cause = cause


class DecodeError(ParadigmError):
    """An answer could not be read as the contract describes it.

    `path` names the failing field, such as ``$.data.lead.email``. On a
    create, `idempotency_key` is the key it was sent with: the server
    accepted it, so it may have been charged.
    """

    def __init__(self, message: str, *, path: str = "$") -> None:
        super().__init__(message)
        self.path = path
        self.idempotency_key: str | None = None


class WaitTimeoutError(ParadigmError, TimeoutError):
    """A job or enrichment was still running when the wait ran out.

    The resource itself is untouched; `last_status` is what was last seen.
    """

    def __init__(
        self, message: str, *, resource_id: str, last_status: str
    ) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.last_status = last_status


class QueueTimeoutError(ParadigmError, TimeoutError):
    """No rate slot was granted within the call's `queue_timeout`.

    The call was never sent, so it cost nothing and may be made again.
    """


class APIConnectionError(ParadigmError):
    """No answer came back: the connection failed, or was cut.

    `outcome_unknown` is true when the request may have reached the server
    and taken effect. For a create, reconcile with `idempotency_key`, which
    the request carried, before trying again.
    """

    def __init__(
        self,
        message: str,
        *,
        outcome_unknown: bool = False,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown
        self.idempotency_key = idempotency_key


class APITimeoutError(APIConnectionError):
    """No answer came back within the attempt's timeout."""


class RateLimiterUnavailable(APIConnectionError):
    """The shared rate limiter (Redis) could not be reached.

    Raised before sending: the call is refused rather than sent without
    the shared ceiling.
    """


class APIError(ParadigmError):
    """The server answered with an error status.

    Carries the HTTP `status`, the API's `code` and `message`, the
    `request_id` where a header gave one, the response `headers` and the
    raw `body`. `idempotency_key` is set when the request was a create;
    `outcome_unknown` is true when a create's answer came from the host,
    not the API, so it may or may not have taken effect. `attempts` is the
    number of the attempt that drew this answer.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        idempotency_key: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.outcome_unknown = outcome_unknown
        self.attempts = 1
        self.status = status
        self.code = code
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})
        self.body = body
        self.idempotency_key = idempotency_key

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        request = f" (request {self.request_id})" if self.request_id else ""

        return f"{self.status}{code}: {self.message}{request}"


class ValidationError(APIError):
    """400: the server found the request's parameters invalid."""


class AuthenticationError(APIError):
    """401: the API key is missing, invalid or inactive."""


class InsufficientCreditsError(APIError):
    """402: the account lacks the credits the operation costs."""


class NotFoundError(APIError):
    """404: no such resource, or not visible to this key."""


class RateLimitError(APIError):
    """429: too many requests; `retry_after` is the server's hint."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait, when it said."""
        from ._retry import parse_retry_after

        return parse_retry_after(self.headers.get("Retry-After"))


class ServerError(APIError):
    """500 or any other 5xx: the server, or the host in front of it, failed.

    `json_error` is true when the body was the API's own error envelope,
    false for a page from the host (Heroku's router answers HTML).
    """

    @property
    def json_error(self) -> bool:
        """Whether the API itself answered, with its error envelope."""
        return self.code is not None


_BY_CODE: Mapping[str, type[APIError]] = {
    "VALIDATION_ERROR": ValidationError,
    "MISSING_API_KEY": AuthenticationError,
    "INVALID_API_KEY": AuthenticationError,
    "INSUFFICIENT_CREDITS": InsufficientCreditsError,
    "NOT_FOUND": NotFoundError,
    "RATE_LIMITED": RateLimitError,
    "INTERNAL_ERROR": ServerError,
}

_BY_STATUS: Mapping[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    404: NotFoundError,
    429: RateLimitError,
}


REDACTED = "[redacted key]"
"""What stands for the API key where a server repeated it back."""


_PARTIAL = 12
"""The shortest piece of the key that is cut out when an excerpt shows
only the key's start or end: about four characters past ``pk_live_``."""


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` (the API key) replaced,
    and every piece of it cut short at the end or start of an excerpt:
    a start of the key at least `_PARTIAL` long, or an end of it."""
    if not secret:
        return text
    text = text.replace(secret, REDACTED)
    if len(secret) <= _PARTIAL:
        return text
    head, tail = secret[:_PARTIAL], secret[-_PARTIAL:]
    if head in text:
        text = _cut_starts(text, secret)
    if tail in text:
        reversed_text = _cut_starts(text[::-1], secret[::-1], REDACTED[::-1])
        text = reversed_text[::-1]

    return text


def _cut_starts(text: str, secret: str, mark: str = REDACTED) -> str:
    """`text` with each start of `secret` of `_PARTIAL` or more
    characters replaced by `mark`."""
    head = secret[:_PARTIAL]
    pieces = []
    start = 0
    while (found := text.find(head, start)) != -1:
        end = found + _PARTIAL
        while end < len(text) and end - found < len(secret):
            if text[end] != secret[end - found]:
                break
            end += 1
        pieces += [text[start:found], mark]
        start = end
    pieces.append(text[start:])

    return "".join(pieces)


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    parsed: ErrorBody | None,
    request_id: str | None,
    idempotency_key: str | None = None,
    secret: str | None = None,
) -> APIError:
    """Build the exception for an error answer.

    `parsed` is the API's error envelope when the body held one; otherwise
    the message is a short excerpt of the body, so an HTML page from the
    host still says what it was. A server (or a proxy) that repeats the
    request back may quote the key: `secret` is cut out of everything the
    error keeps of the answer.
    """
    if secret:  # before the excerpt, which could cut the key in two
        body = body.replace(secret.encode(), REDACTED.encode())
    if parsed is not None:
        code: str | None = parsed.code
        message = parsed.message
    else:
        code = None
        message = _excerpt(body) or _textless(status, body)
    if secret:
        message = redact(message, secret)
        code = None if code is None else redact(code, secret)
        request_id = None if request_id is None else redact(request_id, secret)
        headers = {
            redact(name, secret): redact(value, secret)
            for name, value in headers.items()
        }

    cls = _class_for(status, code)

    return cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        headers=headers,
        body=body,
        idempotency_key=idempotency_key,
    )


def _class_for(status: int, code: str | None) -> type[APIError]:
    """The status decides; the code only names a class the status allows.

    Retrying follows the status, so a 500 carrying ``NOT_FOUND`` is still
    a server error, and an unlisted 4xx with a known code takes the code's
    class.
    """
    if status >= 500:
        return ServerError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if 400 <= status < 500 and code is not None and code in _BY_CODE:
        return _BY_CODE[code]

    return APIError


def _excerpt(body: bytes) -> str:
    """The body as one short line of text, markup and styles removed.

    Only the body's first `_EXCERPT_SOURCE_BYTES` are read, in one linear
    pass: an error page may be huge or hostile, and `html.parser` takes
    quadratic time over unclosed tags (seconds for 30 KB of ``<a ``).
    """
    text = body[:_EXCERPT_SOURCE_BYTES].decode("utf-8", errors="replace")
    if "<" in text:
        text = html.unescape(_page_text(text))
    text = " ".join(text.split())
    if len(text) > _EXCERPT_CHARS:
        text = text[: _EXCERPT_CHARS - 1] + "…"

    return text


def _textless(status: int, body: bytes) -> str:
    if not body.strip():
        return f"HTTP {status} with an empty body"

    return f"HTTP {status} with a {len(body)}-byte body and no text in it"


def _page_text(page: str) -> str:
    """The text of an HTML page outside its tags, head, style and script."""
    chunks: list[str] = []
    hidden = 0
    position = 0
    for tag in _TAG.finditer(page):
        if not hidden:
            chunks.append(page[position : tag.start()])
        position = tag.end()
        named = _HIDDEN_TAG.match(tag.group())
        if named and named.group(1):
            hidden = max(hidden - 1, 0)
        elif named:
            hidden += 1
    if not hidden:
        chunks.append(page[position:])

    return " ".join(chunks)
