"""The one path every request takes, in the documented order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from urllib.parse import parse_qsl

from aiohttp import web

from ._fault_answers import Outcome, Reset, answer_with_fault
from ._fault_queue import FaultQueue
from ._faults import Fault
from ._http import (
    Answer,
    ApiError,
    error_answer,
    hang_up,
    new_request_id,
    reset_mid_body,
)
from ._idempotency import IdempotencyStore, fingerprint
from ._journal import Journal
from ._limits import Limiter, rate_headers
from ._routing import Call, Router, split_target
from ._validation import validation_error

__all__ = ["CONTROL_PREFIX", "Pipeline"]

# Paths for the sandbox's own controls: never rate limited, never faulted,
# so a test can always read the ledger after scripting a failure.
CONTROL_PREFIX = "/_sandbox/"

logger = logging.getLogger("paradigm_async.sandbox")


class Pipeline:
    """Answers every request the sandbox's aiohttp server receives.

    Wait out the request's arrival delay, record it, take its fault (a
    429 burst, a scripted fault or a random draw), authenticate, count
    it against the rate limit, then route, validate and handle. The
    `public` routes (the contract file) skip the key and the limit. An
    exception no handler expected becomes 500 INTERNAL_ERROR and costs
    nothing, because charging is the last step of a create.
    """

    def __init__(
        self,
        *,
        keys: Collection[str],
        journal: Journal,
        faults: FaultQueue,
        limiter: Limiter | None,
        settle: Callable[[float], None],
        api: Router,
        control: Router,
        public: Router,
        idempotency: IdempotencyStore | None,
        clock: Callable[[], float],
        arrival_delay: Callable[[], float],
    ) -> None:
        self._keys = keys
        self._journal = journal
        self._faults = faults
        self._limiter = limiter
        self._settle = settle
        self._api = api
        self._control = control
        self._public = public
        self._idempotency = idempotency
        self._clock = clock
        self._arrival_delay = arrival_delay

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Answer `request`, or hang up on it if a fault says so."""
        await self._arrive(request)
        try:
            # Read the body first: when a delayed answer outlasts the
            # client, the work must still see the whole request.
            body = await _read_body(request)
        except ConnectionError:
            self._journal.record(request, b"")
            return hang_up(request)
        self._journal.record(request, body or b"")

        fault = self._fault_for(request)

        async def serve() -> Answer:
            return _guarded(lambda: self._serve(request, body))

        if fault is None:
            outcome: Outcome = await serve()
        else:
            outcome = await answer_with_fault(fault, serve)

        return await _send(request, outcome)

    def _fault_for(self, request: web.BaseRequest) -> Fault | None:
        path, _ = split_target(request.raw_path)
        if path.startswith(CONTROL_PREFIX):
            return None

        key = request.headers.get("X-API-Key", "")
        fault = self._faults.take(request.method, path, key)
        if fault is not None and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "sandbox fault %s on %s %s",
                fault.kind.value,
                request.method,
                path,
                extra={"fault": fault.kind.value, "path": path},
            )

        return fault

    async def _arrive(self, request: web.BaseRequest) -> None:
        # The server counts arrivals, so the network's delay comes before
        # everything else; the controls are the test's, not the network's.
        path, _ = split_target(request.raw_path)
        if path.startswith(CONTROL_PREFIX):
            return

        delay = self._arrival_delay()
        if delay > 0:
            await asyncio.sleep(delay)

    def _serve(self, request: web.BaseRequest, body: bytes | None) -> Answer:
        # Synchronous from here on: no other request can run between a
        # balance check and the charge, or between two idempotent creates.
        now = self._clock()
        self._settle(now)
        path, _ = split_target(request.raw_path)
        if self._public.serves(path):
            return self._route(self._public, request, body, "", now)

        key = _authenticate(request, self._keys)
        if path.startswith(CONTROL_PREFIX):
            return self._route(self._control, request, body, key, now)

        if self._limiter is None:
            return self._route(self._api, request, body, key, now)

        decision = self._limiter.try_acquire(key, now)
        if decision.allowed:
            answer = _guarded(
                lambda: self._route(self._api, request, body, key, now)
            )
        else:
            message = _too_many(decision.limit)
            answer = error_answer(429, "RATE_LIMITED", message)

        return answer.with_headers(rate_headers(decision, now, time.time()))

    def _route(
        self,
        router: Router,
        request: web.BaseRequest,
        body: bytes | None,
        key: str,
        now: float,
    ) -> Answer:
        path, query = split_target(request.raw_path)
        route, params = router.resolve(request.method, path)
        if body is None:
            limit = request.client_max_size
            raise validation_error(f"body: must be at most {limit} bytes")

        call = Call(key, params, _parse_query(query), body, now)
        idempotency_key = request.headers.get("Idempotency-Key")
        if (
            not route.creates
            or idempotency_key is None
            or self._idempotency is None
        ):
            return route.handler(call)

        digest = fingerprint(request.method, path, body)

        return self._idempotency.answer(
            key, idempotency_key, digest, now, lambda: route.handler(call)
        )


async def _send(
    request: web.BaseRequest, outcome: Outcome
) -> web.StreamResponse:
    if outcome is None:
        return hang_up(request)

    request_id = {"X-Request-Id": new_request_id()}
    if isinstance(outcome, Reset):
        answer = outcome.answer.with_headers(request_id)
        return await reset_mid_body(request, answer)

    return outcome.with_headers(request_id).response()


def _guarded(step: Callable[[], Answer]) -> Answer:
    try:
        return step()
    except ApiError as error:
        return error.answer()
    except Exception:
        logger.exception("sandbox handler failed")
        return error_answer(500, "INTERNAL_ERROR", "internal server error")


def _authenticate(request: web.BaseRequest, keys: Collection[str]) -> str:
    key = request.headers.get("X-API-Key", "")
    if not key:
        raise ApiError(401, "MISSING_API_KEY", "no API key provided")

    if key not in keys:
        raise ApiError(401, "INVALID_API_KEY", "API key is invalid")

    return key


async def _read_body(request: web.BaseRequest) -> bytes | None:
    # None stands for a body over the size limit, refused once routed.
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        return None


def _parse_query(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query, keep_blank_values=True))


def _too_many(limit: int) -> str:
    return f"rate limit of {limit} requests exceeded; see Retry-After"
