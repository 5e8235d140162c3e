"""Charged records, and the lifecycle that settles them as time passes."""

from __future__ import annotations

import enum
import heapq
import time
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

from ._ledger import Ledger
from ._records import Shelf, new_id, utc_stamp

__all__ = ["STATUSES", "Failure", "Record", "Status", "Store"]

T = TypeVar("T")


class Status(enum.StrEnum):
    """Where a record is in its lifecycle."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


STATUSES = tuple(status.value for status in Status)


@attrs.frozen
class Failure:
    """The error a record will end with, decided when it is created."""

    code: str
    message: str

    def render(self) -> dict[str, str]:
        """Render as the record's `error` member."""
        return {"code": self.code, "message": self.message}


@attrs.define
class Record(Generic[T]):
    """One stored job or enrichment, with its input and its state."""

    id: str
    owner: str
    item: T
    credits_charged: int
    failure: Failure | None
    created: float
    created_at: str
    updated_at: str
    status: Status = Status.QUEUED
    completed_at: str | None = None
    refunded: bool = False

    @property
    def error(self) -> dict[str, str] | None:
        """The `error` member: the failure once the record has failed."""
        if self.status is not Status.FAILED or self.failure is None:
            return None

        return self.failure.render()


class Store(Generic[T]):
    """The records of one charged resource, and the lifecycle they follow.

    A record runs no task of its own. Its state changes fall due at fixed
    offsets from its creation on the loop clock (`queued` for the first
    third of the delay, `processing` until the delay is over, then
    `completed` or `failed`), wait in a heap, and are applied whenever
    the sandbox settles: at the start of every request and before every
    account snapshot. A record that ends `failed` is refunded then,
    exactly once; one deleted from `shelf` before that never is.
    Timestamps are wall-clock at the moment applied.
    """

    def __init__(
        self,
        *,
        prefix: str,
        ledger: Ledger,
        delay: float,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.shelf = Shelf[Record[T]]()
        self._prefix = prefix
        self._ledger = ledger
        self._delay = delay
        self._wall = wall
        self._due: list[tuple[float, int, str, str, Status]] = []
        self._sequence = 0

    def new(
        self,
        owner: str,
        item: T,
        cost: int,
        failure: Failure | None,
        now: float,
    ) -> Record[T]:
        """Build a record in its first state, without storing it yet."""
        stamp = utc_stamp(self._wall())
        record = Record(
            id=new_id(self._prefix),
            owner=owner,
            item=item,
            credits_charged=cost,
            failure=failure,
            created=now,
            created_at=stamp,
            updated_at=stamp,
        )
        if self._delay <= 0:
            self._enter(record, _outcome(record), stamp)

        return record

    def add(self, record: Record[T]) -> None:
        """Charge for `record`, shelve it, and schedule its state changes.

        This is the one step that changes the ledger, so a request that
        fails before it costs nothing.
        """
        self._ledger.charge(record.owner, record.credits_charged)
        self.shelf.put(record)
        if record.status is Status.FAILED:
            self._refund(record)
        elif record.status is Status.QUEUED:
            self._schedule(record, self._delay / 3, Status.PROCESSING)
            self._schedule(record, self._delay, _outcome(record))

    def settle(self, now: float) -> None:
        """Apply every state change due at loop time `now`."""
        while self._due and self._due[0][0] <= now:
            _, _, owner, ident, target = heapq.heappop(self._due)
            record = self.shelf.get(owner, ident)
            if record is None:
                continue
            self._enter(record, target, utc_stamp(self._wall()))
            if record.status is Status.FAILED:
                self._refund(record)

    def _schedule(self, record: Record[T], after: float, to: Status) -> None:
        self._sequence += 1
        due = record.created + after
        entry = (due, self._sequence, record.owner, record.id, to)
        heapq.heappush(self._due, entry)

    def _enter(self, record: Record[T], status: Status, stamp: str) -> None:
        record.status = status
        record.updated_at = stamp
        if status in (Status.COMPLETED, Status.FAILED):
            record.completed_at = stamp

    def _refund(self, record: Record[T]) -> None:
        # Credits are deducted at request time and refunded if the
        # operation fails (public docs); the flag keeps it to once.
        if not record.refunded:
            record.refunded = True
            self._ledger.refund(record.owner, record.credits_charged)


def _outcome(record: Record[T]) -> Status:
    # Research outcomes are decided from the lead when a record is made.
    return Status.COMPLETED if record.failure is None else Status.FAILED
