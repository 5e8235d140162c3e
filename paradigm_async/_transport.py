"""The one request pipeline: slot, attempt, retry decision, decode.

Every call the SDK makes passes through `Transport.send`, which knows
nothing of resources. Per attempt it takes a connection slot, then a rate
slot, and only then starts the attempt's timeout, so time spent queueing
never counts against the network. Failures of the layers below (aiohttp,
JSON) are mapped to the SDK's errors here and nowhere else.
"""

from __future__ import annotations

import asyncio
import copy
import io
import logging
import math
import platform
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from . import _json
from ._capture import record
from ._envelope import Envelope, read_envelope, read_error
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    DecodeError,
    InvalidInputError,
    QueueTimeoutError,
    ServerError,
    error_from_response,
    redact,
)
from ._exchange import (
    IDEMPOTENCY_HEADER,
    REQUEST_ID_HEADER,
    APIResponse,
    Progress,
    Request,
)
from ._options import CallOptions
from ._ratelimit import Limiter
from ._retry import Failure, RetryPolicy, parse_retry_after
from ._session import SessionHolder
from ._version import __version__

__all__ = ["Transport"]

logger = logging.getLogger("paradigm_async.transport")

MAX_ANSWER_BYTES = 128 << 20
"""The largest answer read, in bytes: a page of 100 records is well
under a megabyte."""

_EXCERPT = 80
"""Characters of a garbled answer quoted in its error."""

_STREAMED_BODY = 1 << 20
"""Bodies above this many bytes are sent as a stream."""

USER_AGENT = (
    f"paradigm-async/{__version__} "
    f"(python {platform.python_version()}; aiohttp {aiohttp.__version__})"
)


class _AttemptFailed(Exception):
    """An attempt that may be tried again, and the error if it is not."""

    def __init__(
        self,
        failure: Failure,
        error: APIError | APIConnectionError | DecodeError,
        retry_after: float | None = None,
        *,
        quoted_key: bool = False,
    ) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.error = error
        self.retry_after = retry_after
        self.quoted_key = quoted_key
        """Whether what went wrong quoted the API key: its own error is
        then left out of the chain of the one raised (`_unchain`)."""


class Transport:
    """Sends requests for one client, with its key, limiter and retries."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        headers: Mapping[str, str],
        timeout: float,
        retry: RetryPolicy,
        limiter: Limiter,
        sessions: SessionHolder,
        options: CallOptions | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = CIMultiDict(
            {
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                **headers,
                "X-API-Key": api_key,
            }
        )
        self._key = api_key
        self._timeout = timeout
        self._retry = retry
        self._limiter = limiter
        self._sessions = sessions
        self._options = options or CallOptions()
        self.family: object = self
        """What views of one client share: captures match on it."""

    def with_options(self, options: CallOptions) -> Transport:
        """A view sending with `options`, sharing everything else."""
        view = copy.copy(self)
        view._options = options

        return view

    @property
    def options(self) -> CallOptions:
        """The options this transport's calls are sent with."""
        return self._options

    async def send(self, request: Request) -> APIResponse:
        """Send `request`, retrying what is safe to retry.

        Raises the `APIError` subclass for an error answer, and
        `APIConnectionError` (or `APITimeoutError`) when no answer came;
        `APITimeoutError` too when the call's deadline passes.
        """
        deadline = self._options.deadline
        if deadline is None:
            return await self._send(request)
        try:
            async with asyncio.timeout(deadline):
                return await self._send(request)
        except TimeoutError:
            raise _deadline_passed(request, deadline) from None

    async def _send(self, request: Request) -> APIResponse:
        url = self._url(request)
        body = _encode_body(request.json)
        headers = self._headers_for(request, body is not None)
        generation = self._sessions.generation
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._attempt(
                    request, url, headers, body, attempt, generation
                )
            except _AttemptFailed as failed:
                _note(request.progress, failed.failure)
                delay = self._retry_delay(request, failed, attempt)
                if delay is None:
                    error = _final(request, failed)
                    if self._sessions.generation != generation:
                        error.args = (f"{error}; the client was closed",)
                    if failed.quoted_key:
                        _unchain(error, failed)
                    raise error from failed.__cause__
                _log_retry(request, attempt, failed, delay)
                await asyncio.sleep(delay)
                continue
            record(self.family, response)

            return response

    def _url(self, request: Request) -> URL:
        text = self._base_url + request.path
        if request.params:
            text += "?" + urlencode(request.params)

        return URL(text, encoded=True)

    def _headers_for(
        self, request: Request, has_body: bool
    ) -> CIMultiDict[str]:
        """The headers of `request`: the client's own, shared (aiohttp
        copies what it is given), unless the request adds to them."""
        if not has_body and request.idempotency_key is None:
            return self._headers
        headers = self._headers.copy()
        if has_body:
            headers["Content-Type"] = "application/json"
        if request.idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = request.idempotency_key

        return headers

    async def _wait_for_slot(self, request: Request, generation: int) -> None:
        """Take a rate slot in this view's lane, within its queue bound."""
        lane = self._options.priority
        if self._limiter.ready():
            await self._limiter.acquire(lane)
            return
        try:
            async with asyncio.timeout(self._options.queue_timeout):
                await self._sessions.unless_closed(
                    self._limiter.acquire(lane), generation
                )
        except TimeoutError:
            raise QueueTimeoutError(
                f"{request.method} {request.path}: no rate slot within "
                f"{self._options.queue_timeout:g} s; nothing was sent"
            ) from None

    def _retry_delay(
        self, request: Request, failed: _AttemptFailed, attempt: int
    ) -> float | None:
        allowed = self._retry.should_retry(
            failed.failure, attempt=attempt, idempotent=request.idempotent
        )
        if not allowed or self._sessions.closed:
            return None
        if (
            failed.retry_after is not None
            and failed.retry_after > self._retry.max_retry_after
        ):
            return None

        return self._retry.delay(attempt, failed.retry_after)

    async def _attempt(
        self,
        request: Request,
        url: URL,
        headers: CIMultiDict[str],
        body: bytes | None,
        attempt: int,
        generation: int,
    ) -> APIResponse:
        sessions = self._sessions
        state = sessions.current(generation)
        slots = state.slots
        waited = not slots.take_now()
        if waited:
            await slots.take()
        try:
            if not self._limiter.unpaced_now():
                await self._wait_for_slot(request, generation)
                waited = True
            if waited:  # the client may have closed meanwhile
                state = sessions.current(generation)
            session = state.session
            timer = state.timer(self._timeout)
            progress = request.progress
            if progress is not None:
                progress.in_flight = True
            started = time.monotonic()
            try:
                with timer.limit():
                    async with session.request(
                        request.method,
                        url,
                        headers=headers,
                        data=_payload(body),
                        allow_redirects=False,
                    ) as answer:
                        length = answer.content_length
                        if length is not None and length <= MAX_ANSWER_BYTES:
                            raw = await answer.read()
                        else:
                            raw = await _read_capped(request, answer)
            except TimeoutError as exc:
                raise _timed_out(request, self._timeout) from exc
            except aiohttp.ClientError as exc:
                raise _connection_failed(request, exc, self._key) from exc
            if progress is not None:
                progress.in_flight = False
        finally:
            slots.give_back()
        elapsed = time.monotonic() - started
        if logger.isEnabledFor(logging.INFO):
            _log_answer(request, answer.status, elapsed, attempt)
        self._limiter.observe(answer.status, answer.headers, elapsed)

        return _read_answer(request, answer, raw, attempt, elapsed, self._key)


def _unchain(error: BaseException, failed: _AttemptFailed) -> None:
    """Leave out of `error`'s chain what quoted the key: aiohttp's error
    on a malformed answer, or the JSON parser's (its ``doc`` is the whole
    body), as cause or as context."""
    error.__cause__ = failed.__cause__ = failed.__context__ = None


def _note(progress: Progress | None, failure: Failure) -> None:
    """Record how an attempt ended, for a create's ledger."""
    if progress is None:
        return
    progress.in_flight = False
    if failure in _UNKNOWN:
        progress.unknown = True


_UNKNOWN = frozenset({Failure.UNKNOWN_OUTCOME, Failure.HOST_FAILED})


def _encode_body(value: Any) -> bytes | None:
    if value is None:
        return None
    try:
        _check_finite(value)
        return _json.dumps(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInputError(
            f"the request body cannot be sent as JSON: {exc}"
        ) from None


def _check_finite(value: Any) -> None:
    """Refuse NaN and infinities: not JSON, and orjson would send null."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a JSON number")
    elif isinstance(value, dict):
        for item in value.values():
            _check_finite(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_finite(item)


def _payload(body: bytes | None) -> bytes | io.BytesIO | None:
    """A large body goes as a stream, which aiohttp sends without holding
    the loop (and without its warning); each attempt gets its own."""
    if body is None or len(body) <= _STREAMED_BODY:
        return body

    return io.BytesIO(body)


async def _read_capped(
    request: Request, answer: aiohttp.ClientResponse
) -> bytes:
    """An answer of unknown or too great a length, refused past
    `MAX_ANSWER_BYTES`: a server that sends without end cannot take all
    the memory there is."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.content.iter_chunked(1 << 20):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise DecodeError(
                f"{request.method} {request.path}: the answer is larger "
                f"than {MAX_ANSWER_BYTES >> 20} MiB; it was not read",
                path="$",
            )
        chunks.append(chunk)

    return b"".join(chunks)


def _read_answer(
    request: Request,
    answer: aiohttp.ClientResponse,
    raw: bytes,
    attempt: int,
    elapsed: float,
    key: str,
) -> APIResponse:
    """The answer to `request`, or the error it stands for; `key` is cut
    out of whatever an error quotes of the answer."""
    request_id = answer.headers.get(REQUEST_ID_HEADER)
    if answer.status >= 300:
        # Redirects are not followed: they would carry the key elsewhere.
        raise _error_answer(request, answer, raw, request_id, attempt, key)

    return APIResponse(
        method=request.method,
        path=request.path,
        status=answer.status,
        headers=answer.headers,
        request_id=request_id,
        envelope=_decode_success(raw, key),
        attempts=attempt,
        elapsed=elapsed,
    )


def _decode_success(raw: bytes, key: str) -> Envelope:
    """The envelope of a 2xx answer.

    A body that is not JSON at all was garbled on its way (cut short, or
    a host's page): the attempt failed with its outcome unknown, so a
    read is tried again and a create is not, unless allowed. JSON of the
    wrong shape is the server's answer, and raises `DecodeError` at once.
    """
    if not raw.strip():
        return Envelope(data=None)
    try:
        document = _json.loads(raw)
    except (ValueError, RecursionError) as exc:  # and UnicodeDecodeError
        raise _garbled(raw, key, exc) from exc
    try:
        return read_envelope(document)
    except ValueError as exc:
        path = str(exc).partition(":")[0]
        raise DecodeError(str(exc), path=path) from exc


def _garbled(raw: bytes, key: str, cause: Exception) -> _AttemptFailed:
    """The failed attempt for a 2xx answer that is not JSON, quoting its
    start with `key` cut out; `cause` is the parser's error, which keeps
    the whole body (`quoted_key` tells whether the key is in it)."""
    # Read past the cut (up to 4 bytes a character), so that a key the
    # excerpt starts is whole when it is cut out.
    start = raw[: 4 * (_EXCERPT + len(key))]
    text = start.decode("utf-8", errors="replace")
    excerpt = redact(text, key)[:_EXCERPT]
    garbled = DecodeError(f"the answer is not JSON: {excerpt!r}", path="$")
    garbled.__cause__ = cause

    return _AttemptFailed(
        Failure.UNKNOWN_OUTCOME, garbled, quoted_key=key.encode() in raw
    )


def _error_answer(
    request: Request,
    answer: aiohttp.ClientResponse,
    raw: bytes,
    request_id: str | None,
    attempt: int,
    key: str,
) -> _AttemptFailed | APIError:
    """The error for a 3xx/4xx/5xx answer, wrapped if it may be retried."""
    try:
        parsed = read_error(_json.loads(raw)) if raw else None
    except (ValueError, RecursionError):
        parsed = None
    error = error_from_response(
        answer.status,
        answer.headers,
        raw,
        parsed=parsed,
        request_id=request_id,
        idempotency_key=request.idempotency_key,
        secret=key,
    )
    error.attempts = attempt
    if answer.status == 429:
        retry_after = parse_retry_after(answer.headers.get("Retry-After"))
        return _AttemptFailed(Failure.RATE_LIMITED, error, retry_after)
    if not isinstance(error, ServerError):
        return error
    if answer.status == 500 and error.json_error:
        return _AttemptFailed(Failure.API_FAILED, error)
    if not request.idempotent:
        error.outcome_unknown = True

    return _AttemptFailed(Failure.HOST_FAILED, error)


def _timed_out(request: Request, timeout: float) -> _AttemptFailed:
    error = APITimeoutError(
        f"{request.method} {request.path}: no answer within {timeout:g} s"
        + _unknown_outcome_note(request),
        outcome_unknown=True,
        idempotency_key=request.idempotency_key,
    )

    return _AttemptFailed(Failure.UNKNOWN_OUTCOME, error)


def _deadline_passed(request: Request, deadline: float) -> APITimeoutError:
    progress = request.progress
    unknown = not request.idempotent and (
        progress is None or progress.uncertain
    )
    note = _unknown_outcome_note(request) if unknown else ""

    return APITimeoutError(
        f"{request.method} {request.path}: the call's deadline of "
        f"{deadline:g} s passed" + note,
        outcome_unknown=unknown,
        idempotency_key=request.idempotency_key,
    )


def _connection_failed(
    request: Request, exc: aiohttp.ClientError, key: str
) -> _AttemptFailed:
    """The failed attempt for aiohttp's `exc`, with `key` cut out of what
    it says (`quoted_key` tells whether it was there)."""
    said = str(exc)
    shown = redact(said, key)
    if isinstance(exc, aiohttp.ClientConnectorError):
        error = APIConnectionError(
            f"{request.method} {request.path}: could not connect: {shown}",
            idempotency_key=request.idempotency_key,
        )
        failure = Failure.NOT_SENT
    else:
        error = APIConnectionError(
            f"{request.method} {request.path}: connection lost "
            f"({type(exc).__name__}: {shown})"
            + _unknown_outcome_note(request),
            outcome_unknown=True,
            idempotency_key=request.idempotency_key,
        )
        failure = Failure.UNKNOWN_OUTCOME
    return _AttemptFailed(failure, error, quoted_key=shown != said)


def _unknown_outcome_note(request: Request) -> str:
    if request.idempotent:
        return ""

    return (
        "; the outcome is unknown and the call may have been charged: "
        f"reconcile with Idempotency-Key {request.idempotency_key}"
    )


def _final(
    request: Request, failed: _AttemptFailed
) -> APIError | APIConnectionError | DecodeError:
    """The error to raise once `failed` will not be tried again."""
    error = failed.error
    if isinstance(error, ServerError) and error.outcome_unknown:
        error.message += _unknown_outcome_note(request)
        error.args = (error.message,)

    return error


def _log_answer(
    request: Request, status: int, elapsed: float, attempt: int
) -> None:
    logger.info(
        "%s %s %d %.0fms attempt=%d",
        request.method,
        request.path,
        status,
        elapsed * 1000,
        attempt,
        extra={
            "paradigm.method": request.method,
            "paradigm.path": request.path,
            "paradigm.status": status,
            "paradigm.ms": round(elapsed * 1000, 1),
            "paradigm.attempt": attempt,
        },
    )


def _log_retry(
    request: Request, attempt: int, failed: _AttemptFailed, delay: float
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "retry.scheduled %s %s after %s in %.2fs",
        request.method,
        request.path,
        failed.failure.value,
        delay,
        extra={
            "paradigm.method": request.method,
            "paradigm.path": request.path,
            "paradigm.attempt": attempt,
            "paradigm.failure": failed.failure.value,
            "paradigm.delay": round(delay, 3),
        },
    )
