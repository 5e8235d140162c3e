"""The `Sandbox`: the Paradigm API contract served from this process."""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol

from aiohttp import web

from ._auto_responders import EMAIL_AUTO_RESPONDERS, LINKEDIN_AUTO_RESPONDERS
from ._blueprints import CUSTOMIZATION_TEMPLATES, ENRICHMENT_TEMPLATES
from ._control import control_routes
from ._editable import EditableCollection
from ._enrichments import ENRICHMENTS
from ._fault_mix import FaultMix
from ._fault_queue import FaultQueue
from ._faults import Fault
from ._idempotency import IdempotencyStore
from ._jobs import JOBS
from ._journal import Journal, RequestRecord
from ._ledger import Account, Ledger
from ._lifecycle import LifecycleCollection
from ._limits import DEFAULT_BUCKET_CAPACITY, RateLimitModel, new_limiter
from ._openapi import openapi_routes
from ._pipeline import Pipeline
from ._routing import Route, Router

__all__ = ["DEFAULT_API_KEY", "Sandbox"]

DEFAULT_API_KEY = "pk_live_sandbox_key"

# Long enough for an in-flight answer to finish, short enough that a
# test's teardown never waits on a scripted delay.
_SHUTDOWN_TIMEOUT = 1.0


class _Mounted(Protocol):
    def routes(self) -> list[Route]: ...

    def settle(self, now: float) -> None: ...


class Sandbox:
    """A local, in-memory Paradigm API for tests and offline runs.

    It serves jobs, enrichments, enrichment and customization templates
    and email and LinkedIn auto responders under `/v1` as the contract
    describes: authentication, the rate limit, credits and refunds, the
    lifecycle of a job or an enrichment, partial updates of the free
    resources, idempotent creates, and scripted or random faults; and the
    contract's own file at `/v1/openapi.json`, with no key. Every API
    key starts with `credits`. Time is the running loop's clock, so a
    virtual-time loop speeds it up.

    The public docs give the rate limit, `rate_limit` requests per
    window, but not how the server counts them, so `rate_limit_model`
    picks one: `"sliding_window"` (no window of that length ever holds
    more), `"fixed_window"` (a fresh count at each aligned boundary, so
    twice the limit can pass across one) or `"token_bucket"` (bursts of
    `token_bucket_capacity`, refilled at the limit's rate). Each answers
    the rate headers as its own model sees them.

    `arrival_jitter` delays each request but the `/_sandbox/` controls
    by a random 0 to `arrival_jitter` seconds before the server sees it,
    as a network would: requests arrive reordered and bunched, and are
    logged, faulted and counted in that order. The delays are uniform
    draws from `random.Random(seed)`, one per request in the order they
    reach the sandbox, so a seed repeats them.

    `faults` fails a random share of the API requests, as a
    `FaultMix` says, on top of the faults scripted with `inject`. Its
    draws come from a second generator seeded from `seed`, so that
    adding faults to a run never moves its arrival delays: the same
    seed and the same sequence of requests meet the same faults.

    `honor_idempotency=False` ignores ``Idempotency-Key``, as the live
    API may: every create is a new, charged record.

    Use it as `async with Sandbox() as sandbox:` and point a client at
    `sandbox.url` with `sandbox.api_key`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Sequence[str] = (DEFAULT_API_KEY,),
        credits: int = 1000,
        rate_limit: tuple[int, float] | None = (100, 60.0),
        processing_delay: float = 0.2,
        rate_limit_model: RateLimitModel = "sliding_window",
        token_bucket_capacity: int = DEFAULT_BUCKET_CAPACITY,
        arrival_jitter: float = 0.0,
        faults: FaultMix | None = None,
        seed: int | None = None,
        honor_idempotency: bool = True,
    ) -> None:
        _check_options(api_keys, credits, processing_delay, arrival_jitter)
        if not isinstance(faults, FaultMix | None):
            raise TypeError("faults must be a FaultMix or None")

        limiter = new_limiter(
            rate_limit_model, rate_limit, capacity=token_bucket_capacity
        )
        self._host = host
        self._port = port
        self._keys = tuple(api_keys)
        self._ledger = Ledger(self._keys, credits)
        fault_seed = None if seed is None else f"faults:{seed}"
        self._faults = FaultQueue(faults, random.Random(fault_seed).random)
        self._journal = Journal()
        self._collections = self._mount(processing_delay)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.ServerRunner | None = None
        self._jitter = arrival_jitter
        self._random = random.Random(seed)
        self._pipeline = Pipeline(
            keys=frozenset(self._keys),
            journal=self._journal,
            faults=self._faults,
            limiter=limiter,
            settle=self._settle,
            api=Router(r for c in self._collections for r in c.routes()),
            control=Router(control_routes(self._ledger)),
            public=Router(openapi_routes()),
            idempotency=IdempotencyStore() if honor_idempotency else None,
            clock=self._now,
            arrival_delay=self._arrival_delay,
        )

    async def start(self) -> None:
        """Listen on `host` and `port`; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")

        self._loop = asyncio.get_running_loop()
        server = web.Server(
            self._pipeline.handle,
            access_log=None,
            handler_cancellation=False,
        )
        runner = web.ServerRunner(server, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        await runner.setup()
        await web.TCPSite(runner, self._host, self._port).start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def close(self) -> None:
        """Stop listening and drop open connections; safe to repeat."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()

        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The base URL to give a client, ending in `/v1`."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running")

        return f"http://{self._host}:{self._port}/v1"

    @property
    def api_key(self) -> str:
        """The first API key the sandbox accepts."""
        return self._keys[0]

    @property
    def requests(self) -> deque[RequestRecord]:
        """Every request received, oldest first (the last 100,000)."""
        return self._journal.records

    def reset_requests(self) -> None:
        """Forget the requests received so far."""
        self._journal.records.clear()

    def account(self, api_key: str | None = None) -> Account:
        """Return the credits of `api_key` (default: the first key).

        Records that failed by now are refunded first, as the next
        request would find them.
        """
        key = self._known(api_key)
        self._settle(self._now())

        return self._ledger.account(key)

    def set_credits(self, balance: int, api_key: str | None = None) -> None:
        """Set the balance of `api_key` (default: the first key)."""
        if balance < 0:
            raise ValueError("a balance cannot be negative")

        self._ledger.set_balance(self._known(api_key), balance)

    def inject(
        self,
        fault: Fault,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Apply `fault` to the next `count` API requests that match.

        `method` is compared case-insensitively, `path` as a prefix of
        the raw request path (for example `/v1/jobs`). Faults never apply
        to the `/_sandbox/` controls. A 429 burst under way for the
        request's key comes first; a scripted fault comes before the
        random draw of `faults`.
        """
        self._faults.inject(fault, count=count, method=method, path=path)

    def _mount(self, delay: float) -> list[_Mounted]:
        # The resource table: adding a resource is one line here.
        ledger = self._ledger

        return [
            LifecycleCollection(JOBS, ledger=ledger, delay=delay),
            LifecycleCollection(ENRICHMENTS, ledger=ledger, delay=delay),
            EditableCollection(ENRICHMENT_TEMPLATES),
            EditableCollection(CUSTOMIZATION_TEMPLATES),
            EditableCollection(EMAIL_AUTO_RESPONDERS),
            EditableCollection(LINKEDIN_AUTO_RESPONDERS),
        ]

    def _known(self, api_key: str | None) -> str:
        key = self._keys[0] if api_key is None else api_key
        if key not in self._keys:
            raise KeyError("not one of this sandbox's API keys")

        return key

    def _now(self) -> float:
        # The loop's clock, so that a virtual-time test loop drives both
        # the rate limit window and the lifecycle of records. Before the
        # first start there is no loop, and no record to settle either.
        return 0.0 if self._loop is None else self._loop.time()

    def _arrival_delay(self) -> float:
        # No draw at all without jitter, so the default costs nothing.
        if self._jitter == 0:
            return 0.0

        return self._random.uniform(0.0, self._jitter)

    def _settle(self, now: float) -> None:
        for collection in self._collections:
            collection.settle(now)


def _check_options(
    api_keys: Sequence[str],
    credits: int,
    processing_delay: float,
    arrival_jitter: float,
) -> None:
    if isinstance(api_keys, str) or not api_keys or not all(api_keys):
        raise ValueError("api_keys must be a non-empty list of keys")

    if credits < 0:
        raise ValueError("credits cannot be negative")

    if processing_delay < 0:
        raise ValueError("processing_delay cannot be negative")

    if not 0 <= arrival_jitter < math.inf:
        message = "arrival_jitter must be a finite number of seconds >= 0"
        raise ValueError(message)
