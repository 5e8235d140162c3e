"""One poll loop for many jobs or enrichments, through the list endpoint.

Waiting on each record with its own ``get`` costs one request per record
per poll: a thousand jobs polled every two seconds would ask for 30,000
requests a minute of a budget of 100. A `Watcher` runs one loop for every
id it is asked to watch. Each round walks the list, newest first, 100
records a request, and settles each watched record it passes; a round in
which none finished doubles the pause before the next (from
`poll_interval` up to `max_interval`), and a round in which one did
starts again from `poll_interval`.

The walk is unfiltered. A list filtered by status would show only
finished records, but it takes one status a request, so it costs two
walks a round (``completed``, ``failed``) where one unfiltered walk
covering up to 100 pending records costs one request; and it never shows
a pending record, so it can neither learn where one sits in the list nor
notice that one is gone. The filter wins only with over 200 records
pending that finish in the order they were created.

A walk stops after the first page on which one of these holds:

1. every id it set out to find has been seen;
2. the page is the list's last;
3. every id still unseen has a known ``created_at`` newer than the page's
   oldest record: the walk has passed them all (records are listed newest
   first, so they cannot come later; a record deleted, or one that slid
   back a page as others were deleted, is missed this round);
4. the pages holding no watched id at all are at least as many as the
   ids still unseen: walking on would cost more than one ``get`` each.

An id missed by `MISSES_BEFORE_GET` walks in a row (deleted, older than
a walk reaches, or behind newer records of others) is then fetched with
its own ``get`` each round until a walk sees it again; a 404 there ends
its watch with `NotFoundError`. A round that fails with an error a retry
could fix (no answer, a 5xx, a 429, an unreadable page) is retried at the
next pause, up to `FAILED_ROUNDS_LIMIT` in a row; any other error (a bad
key, say) ends every watch with that error.

Every status seen passes through the resource's decoding, so the credit
ledger sees each failure, as with ``wait``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import (
    AsyncGenerator,
    Iterable,
    Sequence,
)
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from ._errors import (
    APIConnectionError,
    DecodeError,
    InvalidInputError,
    NotFoundError,
    ParadigmError,
    QueueTimeoutError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
)
from ._models._common import ResearchRecord
from ._validation import MAX_PAGE_SIZE, check_id, check_wait, is_number

if TYPE_CHECKING:
    from .resources._research import ResearchResource

__all__ = [
    "FAILED_ROUNDS_LIMIT",
    "MISSES_BEFORE_GET",
    "PAGE_SIZE",
    "Watcher",
    "wait_many",
]

logger = logging.getLogger("paradigm_async.watcher")

M = TypeVar("M", bound=ResearchRecord)

PAGE_SIZE = MAX_PAGE_SIZE
"""Records a list request asks for: the contract's largest page."""

MISSES_BEFORE_GET = 2
"""Walks in a row that must miss an id before it is fetched on its own."""

FAILED_ROUNDS_LIMIT = 3
"""Rounds in a row that may fail with a passing error before every watch
ends with the last one."""

_PASSING = (
    APIConnectionError,
    QueueTimeoutError,
    DecodeError,
    ServerError,
    RateLimitError,
)
"""Errors of a read that the next round may not meet."""


@attrs.define(eq=False)
class _Entry(Generic[M]):
    """One watched id: who waits on it and what is known of it."""

    waiters: set[asyncio.Future[M]] = attrs.field(factory=set)
    created_at: datetime | None = None
    status: str | None = None
    misses: int = 0
    by_get: bool = False

    def note(self, item: ResearchRecord) -> None:
        """Remember what a read of the record said."""
        self.status = str(item.status)
        self.misses = 0
        if item.created_at is not None:
            self.created_at = item.created_at


class Watcher(Generic[M]):
    """Waits on many jobs or enrichments with one poll loop. Free.

    ``record = await watcher.watch(id_or_record)`` returns the record once
    it is completed or failed; any number of tasks may watch at once,
    the same id too. The loop runs only while something is watched. Pass
    the record a create returned rather than its id where you have it:
    its ``created_at`` tells a walk how far back to look. Close the
    watcher (``await watcher.close()``, or ``async with``) to stop it;
    watches still waiting then raise `APIConnectionError`.
    """

    def __init__(
        self,
        resource: ResearchResource[M],
        *,
        poll_interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> None:
        _check_intervals(poll_interval, max_interval)
        self._resource = resource
        self._poll_interval = float(poll_interval)
        self._max_interval = float(max_interval)
        self._entries: dict[str, _Entry[M]] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._closed = False
        self._finished = 0

    def __repr__(self) -> str:
        return f"<Watcher of {self._resource!r}: {len(self._entries)} ids>"

    @property
    def watching(self) -> int:
        """How many ids are being waited on now."""
        return len(self._entries)

    def last_status(self, resource_id: str) -> str | None:
        """The status last read for a watched id; None if none yet."""
        entry = self._entries.get(resource_id)

        return None if entry is None else entry.status

    async def watch(self, item: str | M, *, timeout: float | None = None) -> M:
        """Wait until `item` (an id, or a record) is completed or failed.

        Returns the record as last read. Raises `WaitTimeoutError` after
        `timeout` seconds (None: no limit), `NotFoundError` if the record
        is gone, and the poll loop's error if it had to stop. Cancelling
        the call stops watching the id (for this caller only).
        """
        if timeout is not None:
            check_wait(timeout, self._poll_interval)
        ident, future = self._subscribe(item)
        scope = asyncio.timeout(timeout)
        try:
            async with scope:
                return await future
        except TimeoutError:
            if not scope.expired():
                raise
            status = self.last_status(ident) or "unknown"
            raise WaitTimeoutError(
                f"{ident} still {status} after {timeout:g} s",
                resource_id=ident,
                last_status=status,
            ) from None
        finally:
            self._unsubscribe(ident, future)

    async def close(self) -> None:
        """Stop the poll loop; watches still waiting raise. Idempotent."""
        self._closed = True
        task, self._task = self._task, None
        try:
            if task is not None and not task.done():
                task.cancel()
                await asyncio.wait([task])
        finally:
            self._fail_all(self._stopped())

    async def __aenter__(self) -> Watcher[M]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def _subscribe(self, item: str | M) -> tuple[str, asyncio.Future[M]]:
        """Register a waiter on `item`; start the loop if it is idle."""
        if self._closed:
            raise APIConnectionError("the watcher is closed")
        record: M | None = None
        if isinstance(item, str):
            ident = check_id(item, "id")
        else:
            record = item
            ident = _record_id(item)
        future: asyncio.Future[M] = asyncio.get_running_loop().create_future()
        if record is not None and record.is_terminal:
            future.set_result(record)
            return ident, future

        entry = self._entries.get(ident)
        if entry is None:
            entry = self._entries[ident] = _Entry()
        entry.waiters.add(future)
        if record is not None:
            entry.note(record)
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(
                self._run(), name="paradigm_async.watcher"
            )

        return ident, future

    def _unsubscribe(self, ident: str, future: asyncio.Future[M]) -> None:
        """Forget a waiter; the last one gone forgets the id."""
        entry = self._entries.get(ident)
        if entry is None:
            return
        entry.waiters.discard(future)
        if not entry.waiters:
            del self._entries[ident]
            if not self._entries:
                self._wake.set()

    def _resolve(self, ident: str, item: M) -> None:
        entry = self._entries.pop(ident, None)
        if entry is None:
            return
        self._finished += 1
        for future in entry.waiters:
            if not future.done():
                future.set_result(item)

    def _fail(self, ident: str, exc: BaseException) -> None:
        entry = self._entries.pop(ident, None)
        if entry is None:
            return
        for future in entry.waiters:
            if not future.done():
                future.set_exception(exc)

    def _fail_all(self, exc: BaseException) -> None:
        for ident in list(self._entries):
            self._fail(ident, exc)

    def _stopped(self) -> APIConnectionError:
        if self._closed:
            return APIConnectionError(
                "the watcher was closed before the record finished"
            )

        return APIConnectionError("the watcher's poll loop was cancelled")

    async def _run(self) -> None:
        """Poll while anything is watched, backing off while idle."""
        interval = self._poll_interval
        failures = 0
        try:
            while await self._pause(interval):
                before = self._finished
                try:
                    pages, gets = await self._round()
                except _PASSING as exc:
                    failures += 1
                    if failures >= FAILED_ROUNDS_LIMIT:
                        self._fail_all(exc)
                        return
                    logger.warning(
                        "watcher.round_failed %s (%d in a row)",
                        type(exc).__name__,
                        failures,
                        extra={"paradigm.failures": failures},
                    )
                    pages = gets = 0
                except ParadigmError as exc:
                    self._fail_all(exc)
                    return
                else:
                    failures = 0
                finished = self._finished - before
                interval = (
                    self._poll_interval
                    if finished
                    else min(interval * 2, self._max_interval)
                )
                self._log_round(pages, gets, finished, interval)
        except Exception as exc:
            # Never leave a waiter hanging on a bug: it raises instead.
            self._fail_all(exc)
        finally:
            if self._entries:
                self._fail_all(self._stopped())

    async def _pause(self, seconds: float) -> bool:
        """Sleep `seconds`; False at once when nothing is watched."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._entries:
            left = deadline - loop.time()
            if left <= 0:
                return True
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), left)

        return False

    async def _round(self) -> tuple[int, int]:
        """One walk, then a get for each id the walks keep missing."""
        seen, pages = await self._walk()
        gets = await self._get_missed(seen)

        return pages, gets

    async def _walk(self) -> tuple[set[str], int]:
        """Walk the list newest first until the stop rule says enough."""
        targets = {i for i, entry in self._entries.items() if not entry.by_get}
        seen: set[str] = set()
        if not targets:
            return seen, 0

        pages = dry = 0
        walk = self._resource.list(limit=PAGE_SIZE).pages()
        try:
            async for page in walk:
                pages += 1
                if not self._settle(page.items, seen):
                    dry += 1
                if self._walk_is_done(targets - seen, page.items, dry):
                    break
        finally:
            # Closed here, not whenever it is collected: no stray task.
            if isinstance(walk, AsyncGenerator):
                await walk.aclose()
        for ident in targets - seen:
            entry = self._entries.get(ident)
            if entry is not None:
                entry.misses += 1
                entry.by_get = entry.misses >= MISSES_BEFORE_GET

        return seen, pages

    def _settle(self, items: Sequence[M], seen: set[str]) -> bool:
        """Note each watched record on a page; say if there was one."""
        hit = False
        for item in items:
            entry = self._entries.get(item.id)
            if entry is None:
                continue
            hit = True
            seen.add(item.id)
            entry.note(item)
            entry.by_get = False
            if item.is_terminal:
                self._resolve(item.id, item)

        return hit

    def _walk_is_done(
        self, unseen: set[str], items: Sequence[M], dry: int
    ) -> bool:
        """The stop rule of the module docstring, after one page."""
        left = [self._entries[i] for i in unseen if i in self._entries]
        if not left or dry >= len(left):
            return True
        stamps = [i.created_at for i in items if i.created_at is not None]
        if not stamps:
            return False
        floor = min(stamps)

        return all(
            e.created_at is not None and e.created_at > floor for e in left
        )

    async def _get_missed(self, seen: set[str]) -> int:
        """Fetch each id the walks keep missing; a 404 ends its watch."""
        missed = [
            ident
            for ident, entry in self._entries.items()
            if entry.by_get and ident not in seen
        ]
        for ident in missed:
            if ident not in self._entries:
                continue
            try:
                item = await self._resource.get(ident)
            except NotFoundError as exc:
                self._fail(ident, exc)
                continue
            entry = self._entries.get(ident)
            if entry is not None:
                entry.note(item)
                if item.is_terminal:
                    self._resolve(ident, item)

        return len(missed)

    def _log_round(
        self, pages: int, gets: int, finished: int, interval: float
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        logger.debug(
            "watcher.round pages=%d gets=%d finished=%d watching=%d "
            "next=%.3fs",
            pages,
            gets,
            finished,
            len(self._entries),
            interval,
            extra={
                "paradigm.pages": pages,
                "paradigm.gets": gets,
                "paradigm.finished": finished,
                "paradigm.watching": len(self._entries),
                "paradigm.interval": interval,
            },
        )


def _check_intervals(poll_interval: object, max_interval: object) -> None:
    """A poll interval > 0, and a finite maximum no shorter than it."""
    check_wait(0, poll_interval)
    if not (
        is_number(max_interval)
        and isinstance(max_interval, int | float)
        and isinstance(poll_interval, int | float)
        and math.isfinite(max_interval)
        and max_interval >= poll_interval
    ):
        raise InvalidInputError(
            "max_interval must be a finite number of seconds, "
            "at least poll_interval"
        )


def _record_id(item: object) -> str:
    if not isinstance(item, ResearchRecord):
        raise InvalidInputError(
            f"expected an id or a job or enrichment, got {type(item).__name__}"
        )

    return check_id(item.id, "id")


def wait_many(
    resource: ResearchResource[M],
    items: Iterable[str | M],
    *,
    timeout: float,
    poll_interval: float,
    max_interval: float,
) -> AsyncGenerator[M, None]:
    """`ResearchResource.wait_many`: checks its arguments at the call."""
    check_wait(timeout, poll_interval)
    _check_intervals(poll_interval, max_interval)
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInputError(
            "ids must be an iterable of ids or records, "
            f"got {type(items).__name__}"
        )
    unique: dict[str, str | M] = {}
    for item in items:
        ident = check_id(item, "id") if isinstance(item, str) else None
        if ident is None:
            ident = _record_id(item)
            unique[ident] = item
        else:
            unique.setdefault(ident, item)

    return _wait_many(
        Watcher(
            resource, poll_interval=poll_interval, max_interval=max_interval
        ),
        list(unique.items()),
        timeout,
    )


async def _wait_many(
    watcher: Watcher[M],
    items: list[tuple[str, str | M]],
    timeout: float,
) -> AsyncGenerator[M, None]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    order: dict[asyncio.Future[M], int] = {}
    try:
        for index, (_, item) in enumerate(items):
            order[watcher._subscribe(item)[1]] = index
        pending = set(order)
        while pending:
            left = max(0.0, deadline - loop.time())
            done, pending = await asyncio.wait(
                pending, timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                still = sorted(order[future] for future in pending)
                raise _timed_out(
                    watcher, [items[i][0] for i in still], len(items), timeout
                )
            for future in sorted(done, key=order.__getitem__):
                yield future.result()
    finally:
        for future in order:
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()  # retrieved, so never reported lost
        await watcher.close()


def _timed_out(
    watcher: Watcher[M], pending: list[str], total: int, timeout: float
) -> WaitTimeoutError:
    """The error naming the ids still running, first ones first."""
    shown = ", ".join(
        f"{ident} ({watcher.last_status(ident) or 'not seen yet'})"
        for ident in pending[:3]
    )
    more = ", ..." if len(pending) > 3 else ""

    return WaitTimeoutError(
        f"{len(pending)} of {total} still running after {timeout:g} s: "
        f"{shown}{more}",
        resource_id=pending[0],
        last_status=watcher.last_status(pending[0]) or "unknown",
    )
