"""`ParadigmClient`: options, the session's lifecycle, resource groups."""

from __future__ import annotations

import copy
import ipaddress
import os
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import aiohttp
import attrs
from yarl import URL

from ._capture import ResponseCapture
from ._credits import CreditBudget, CreditLedger
from ._errors import ConfigurationError
from ._exchange import APIResponse
from ._not_given import NOT_GIVEN, NotGiven
from ._options import Priority
from ._ratelimit import Limiter, RateLimit
from ._raw import build_raw_request
from ._retry import RetryPolicy
from ._session import SessionHolder
from ._shared_limit import schedule_key
from ._transport import Transport
from ._validation import is_number, is_whole_number
from .resources import AutoResponders, Blueprints, Enrichments, Jobs
from .resources._base import Context

__all__ = ["DEFAULT_BASE_URL", "ParadigmClient"]

API_PREFIX = "/v1"
"""The version prefix every path of the docs follows: a base URL ends in
it, and the routing table's paths are relative to it."""

DEFAULT_BASE_URL = (
    f"https://paradigm-api-a9111b9383f1.herokuapp.com{API_PREFIX}"
)
"""The documented production URL."""

API_KEY_ENV = "PARADIGM_API_KEY"
BASE_URL_ENV = "PARADIGM_BASE_URL"

DEFAULT_TIMEOUT = 40.0
"""Seconds per attempt: past the host's 30 s router cut, so its answer
(a 503 page) arrives rather than our own timeout."""

_LOOPBACK_NAMES = frozenset({"localhost"})

# RFC 9110: a field name is a token, and a value visible ASCII with
# spaces and tabs; anything else splits a header or is read differently
# by each server ("X:A" reaches the server as header "X").
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_SDK_HEADERS = frozenset(
    {"content-length", "content-type", "host", "transfer-encoding"}
)
"""Headers the request's framing and routing depend on."""


class ParadigmClient:
    """An async client of the Paradigm API.

    Use it as ``async with ParadigmClient() as client:``, or call `close`
    when done. One client serves any number of concurrent tasks; its rate
    limiter, credit ledger and connection pool are shared by all of them.

    Arguments:
        api_key: the ``pk_live_...`` key; else ``PARADIGM_API_KEY``.
        base_url: else ``PARADIGM_BASE_URL``, else the documented URL.
        timeout: seconds for one attempt, counted from when the rate
            limiter grants its slot, never while queued.
        max_retries: further attempts after a failure that is safe to
            retry (see the README's "Retries" section).
        rate_limit: the ceiling to stay under; ``None`` turns the limiter
            off (for a local sandbox or a benchmark).
        session: your own `aiohttp.ClientSession`: used, never closed.
        headers: extra headers sent with every request.
        max_connections: the size of the connection pool the client makes.
        retry_unknown_outcome: also retry creates whose outcome is unknown
            (a timeout after sending, a dropped connection, a host error
            page). Off by default: the live API may ignore
            ``Idempotency-Key``, so a retry could be charged twice.
        allow_insecure_http: allow sending the key over plain ``http://``
            to a host that is not loopback.
        max_credits: the most this client's creates may spend: what
            was charged and not refunded, plus what creates in flight
            and creates of unknown outcome hold. A create that would
            pass it raises `CreditBudgetExceeded` before anything is
            sent. None: no cap.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen
        session: aiohttp.ClientSession | None = None,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 100,
        retry_unknown_outcome: bool = False,
        allow_insecure_http: bool = False,
        max_credits: int | None = None,
    ) -> None:
        key = _api_key(api_key)
        self.base_url = _base_url(base_url, allow_insecure_http)
        if not is_number(timeout) or not timeout > 0:
            raise ConfigurationError("timeout must be a positive number")
        if not is_whole_number(max_retries) or max_retries < 0:
            raise ConfigurationError("max_retries must be an integer >= 0")
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise ConfigurationError("rate_limit must be a RateLimit or None")

        budget = CreditBudget(max_credits)
        self.credits = CreditLedger()
        self.limiter = Limiter(rate_limit, shared_key=schedule_key(key))
        self._sessions = SessionHolder(
            session=session, max_connections=max_connections
        )
        transport = Transport(
            base_url=self.base_url,
            api_key=key,
            headers=_extra_headers(headers),
            timeout=timeout,
            retry=RetryPolicy(
                max_retries=max_retries,
                retry_unknown_outcome=retry_unknown_outcome,
            ),
            limiter=self.limiter,
            sessions=self._sessions,
        )
        self._bind(transport, budget)

    def _bind(self, transport: Transport, budget: CreditBudget) -> None:
        """Give the resource groups `transport` to send with and
        `budget` to reserve their creates' cost in."""
        self._transport = transport
        self._budget = budget
        context = Context(
            transport=transport, credits=self.credits, budget=budget
        )
        self.jobs = Jobs(context)
        self.enrichments = Enrichments(context)
        self.blueprints = Blueprints(context)
        self.auto_responders = AutoResponders(context)

    def with_options(
        self,
        *,
        priority: Priority | NotGiven = NOT_GIVEN,
        queue_timeout: float | NotGiven | None = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        max_credits: int | NotGiven | None = NOT_GIVEN,
    ) -> ParadigmClient:
        """A view of this client whose calls wait and give up differently.

        The view shares the connections, the rate limiter and the credit
        ledger; closing either closes both. ``priority="interactive"``
        calls go ahead of queued bulk ones; `queue_timeout` bounds the
        wait for a rate slot (`QueueTimeoutError`, nothing sent);
        `deadline` bounds each whole call, retries included
        (`APITimeoutError`). `max_credits` gives the view a budget of
        its own, shared by every call made through it (and its views),
        on top of this client's (`CreditBudgetExceeded`, nothing sent);
        left out or None, the view shares this client's budget. Raises
        `ConfigurationError` for bad values.
        """
        given: dict[str, Any] = {
            "priority": priority,
            "queue_timeout": queue_timeout,
            "deadline": deadline,
        }
        changes = {k: v for k, v in given.items() if v is not NOT_GIVEN}
        options = attrs.evolve(self._transport.options, **changes)
        budget = self._budget
        if max_credits is not NOT_GIVEN and max_credits is not None:
            budget = CreditBudget(max_credits, parent=budget)
        view = copy.copy(self)
        view._bind(self._transport.with_options(options), budget)

        return view

    @property
    def budget(self) -> CreditBudget:
        """The credit budget this client's (or view's) creates reserve
        in: its `limit`, `net`, `reserved`, `uncertain`, `available`."""
        return self._budget

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> APIResponse:
        """Call an endpoint the SDK does not model yet.

        Same key, limiter, retries and errors as every other call; a POST
        is treated as a create (an ``Idempotency-Key`` is sent, and it is
        not retried when its outcome is unknown). `path` is relative to
        the base URL, such as ``/jobs``; encode ids in it with
        `encode_segment`. The answer's decoded envelope is in ``.data``,
        ``.pagination`` and ``.meta``.
        """
        request = build_raw_request(
            method, path, params=params, json=json, key=idempotency_key
        )

        return await self._transport.send(request)

    def capture_responses(self) -> ResponseCapture:
        """Collect the HTTP answers of this client's calls in a block.

        ::

            with client.capture_responses() as captured:
                job = await client.jobs.get(job_id)
            captured.last.status, captured.last.request_id

        The typed result is returned as usual; `captured.responses` holds
        each successful answer (status, headers, request id, attempts).
        Error answers carry the same on the raised `APIError`.
        """
        return ResponseCapture(self._transport.family)

    async def close(self) -> None:
        """Close the connections this client opened. Idempotent.

        Calls still queued or in flight end with `APIConnectionError`;
        later calls are refused until the client is entered again with
        ``async with``. A session passed in by the caller is left open.
        """
        await self._sessions.close()
        await self.limiter.close()

    async def __aenter__(self) -> ParadigmClient:
        self._sessions.reopen()

        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"ParadigmClient(base_url={self.base_url!r})"


class _HiddenKey(str):
    """The API key, whose repr hides it.

    The key travels in the headers of every request; a traceback shown
    with its frames' locals (``pytest -l``, an error tracker) prints
    those headers by repr. The text sent is the key itself.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<API key hidden>'"


def _api_key(given: object) -> str:
    key = given if given is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise ConfigurationError(
            f"no API key: pass api_key= or set {API_KEY_ENV}"
        )
    if not isinstance(key, str):
        raise ConfigurationError("the API key must be a string")
    if not key.isascii() or not key.isprintable() or " " in key:
        raise ConfigurationError(
            "the API key holds spaces, control or non-ASCII characters"
        )

    return _HiddenKey(key)


def _base_url(given: object, allow_insecure_http: bool) -> str:
    # Only None means "the environment's, else the default": an empty
    # string is refused like any other bad URL, as the default is
    # production.
    text = given
    if text is None:
        text = os.environ.get(BASE_URL_ENV)
        if text is not None and not text.strip():
            raise ConfigurationError(
                f"{BASE_URL_ENV} is set but empty: unset it to use the "
                "documented URL, or set it to the URL meant"
            )
    if text is None:
        text = DEFAULT_BASE_URL
    if not isinstance(text, str):
        raise ConfigurationError("base_url must be a string")
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ConfigurationError(
            "base_url holds spaces, control or non-ASCII characters"
        )
    url = URL(text)
    if url.scheme not in {"http", "https"} or not url.host:
        raise ConfigurationError(f"base_url must be an http(s) URL: {text!r}")
    if "?" in text or "#" in text:
        raise ConfigurationError("base_url must not carry a query or fragment")
    if url.user is not None or url.password is not None:
        raise ConfigurationError("base_url must not carry credentials")
    _check_base_path(text)
    insecure = url.scheme == "http" and not _is_loopback(url.host)
    if insecure and not allow_insecure_http:
        raise ConfigurationError(
            "refusing to send the API key over plain http to "
            f"{url.host}; use https, or allow_insecure_http=True"
        )

    return text.rstrip("/")


_ENCODED_SEPARATOR = re.compile("%(2f|2e|5c)", re.IGNORECASE)
"""A slash, dot or backslash percent-encoded: a server may decode it
into another path."""


def _check_base_path(text: str) -> None:
    """The path as it is sent (`text`'s, not yarl's normalised one) must
    end in the version prefix, and hold no empty or dot segment and no
    encoded slash, dot or backslash, for a server to read otherwise
    (``/v1%2F``, ``/v1/.``, ``//v1``)."""
    authority_and_path = text.partition("://")[2]
    path = "/" + authority_and_path.partition("/")[2].rstrip("/")
    segments = path.split("/")[1:]
    if (
        not path.endswith(API_PREFIX)
        or _ENCODED_SEPARATOR.search(path)
        or any(segment in {"", ".", ".."} for segment in segments)
    ):
        raise ConfigurationError(
            f"base_url must end in {API_PREFIX}, the API's version prefix "
            "that every path follows, with no empty, dot or encoded "
            f"separator before it (as in {DEFAULT_BASE_URL}); got {text!r}"
        )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _extra_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    pairs: list[tuple[object, object]] = list((headers or {}).items())
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError("header names and values must be strings")
        if name.lower() == "x-api-key":
            raise ConfigurationError("pass the key as api_key=, not a header")
        if not _HEADER_NAME.fullmatch(name):
            raise ConfigurationError(
                f"header name {name!r} is not an HTTP token (letters, "
                "digits and !#$%&'*+-.^_`|~)"
            )
        if name.lower() in _SDK_HEADERS:
            raise ConfigurationError(f"the SDK sets the {name} header itself")
        if not _HEADER_VALUE.fullmatch(value):
            raise ConfigurationError(
                f"header {name!r} holds CR, LF, control or non-ASCII "
                "characters"
            )

    return {str(name): str(value) for name, value in pairs}
