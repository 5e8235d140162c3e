"""Jobs and enrichments: creates that cost credits, then a lifecycle."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Generic, Protocol, TypeVar

import attrs

from ._collections import Collection
from ._http import Answer, ApiError, json_answer
from ._lead import Lead
from ._ledger import PRICES, Ledger
from ._research import failure
from ._routing import Call
from ._store import STATUSES, Record, Status, Store
from ._validation import parse_body, reject_query

__all__ = ["LifecycleCollection", "LifecycleResource"]


class Researched(Protocol):
    """What every create of a charged resource asks for."""

    @property
    def lead(self) -> Lead: ...

    @property
    def research_mode(self) -> str: ...

    @property
    def enrichment_template_id(self) -> str | None: ...


T = TypeVar("T", bound=Researched)


@attrs.frozen
class LifecycleResource(Generic[T]):
    """What a charged resource with a lifecycle needs to describe.

    A resource module fills one in: how to read a create body, and the
    fields of its own (`details`, given the request and whether it has
    completed). The price, the failure rule and the fields every record
    has are the same for all; adding such a resource is that module and
    one line in the server's resource table.
    """

    noun: str
    path: str
    id_prefix: str
    parse: Callable[[dict[str, object]], T]
    details: Callable[[T, bool], dict[str, object]]

    def render(self, record: Record[T]) -> dict[str, object]:
        """A record with exactly the contract's fields, in its order."""
        item = record.item
        done = record.status is Status.COMPLETED

        return {
            "id": record.id,
            "status": record.status,
            "research_mode": item.research_mode,
            "lead": item.lead.echo(),
            "enrichment_template_id": item.enrichment_template_id,
            **self.details(item, done),
            "error": record.error,
            "credits_charged": record.credits_charged,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "completed_at": record.completed_at,
        }


class LifecycleCollection(Collection[Record[T]]):
    """The records of one charged resource, listed by `status` too.

    Create charges the price, answers 201 with `meta`, and is refused
    with 402 INSUFFICIENT_CREDITS when the balance is short.
    """

    def __init__(
        self,
        resource: LifecycleResource[T],
        *,
        ledger: Ledger,
        delay: float,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._resource = resource
        self._ledger = ledger
        self._store = Store[T](
            prefix=resource.id_prefix, ledger=ledger, delay=delay, wall=wall
        )
        super().__init__(
            noun=resource.noun,
            path=resource.path,
            shelf=self._store.shelf,
            render=resource.render,
            filters={"status": STATUSES},
        )

    def settle(self, now: float) -> None:
        """Apply the state changes due at loop time `now`."""
        self._store.settle(now)

    def create(self, call: Call) -> Answer:
        """Check, charge for and store a new record; answer 201."""
        reject_query(call.query)
        item = self._resource.parse(parse_body(call.body))
        cost = PRICES[item.research_mode]
        balance = self._ledger.balance(call.key)
        if balance < cost:
            raise ApiError(
                402,
                "INSUFFICIENT_CREDITS",
                f"this {self._resource.noun} costs {cost} "
                f"credit{'' if cost == 1 else 's'}; "
                f"the balance is {balance}",
            )

        ending = failure(item.lead)
        record = self._store.new(call.key, item, cost, ending, call.now)
        meta = {"credits_charged": cost, "credits_remaining": balance - cost}
        body = {"data": self._resource.render(record), "meta": meta}
        answer = json_answer(body, status=201)
        # Charging last keeps a request that failed above free.
        self._store.add(record)

        return answer

    def _selects(
        self, filters: Mapping[str, str]
    ) -> Callable[[Record[T]], bool]:
        status = filters.get("status")
        if status is None:
            return super()._selects(filters)

        return lambda record: record.status == status
