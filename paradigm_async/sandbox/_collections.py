"""List, get, create and delete for any resource, from its description."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

from ._http import Answer, ApiError, json_answer
from ._ledger import Ledger
from ._routing import Call, Route
from ._store import STATUSES, Failure, Record, Store
from ._validation import parse_body, parse_page, reject_query

__all__ = ["Collection", "Resource"]

T = TypeVar("T")


@attrs.frozen
class Resource(Generic[T]):
    """What the generic handlers need to know about one resource.

    A resource module fills one in (how to read a create body, what it
    costs, how it ends, how a record renders); adding a resource is that
    module and one entry in the server's resource table.
    """

    noun: str
    path: str
    id_prefix: str
    parse: Callable[[dict[str, object]], T]
    cost: Callable[[T], int]
    failure: Callable[[T], Failure | None]
    render: Callable[[Record[T]], dict[str, object]]


class Collection(Generic[T]):
    """The records of one resource and the handlers that serve them.

    Create answers 201 and delete answers 204 with no body.
    """

    def __init__(
        self,
        resource: Resource[T],
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

    def routes(self) -> list[Route]:
        """Return this collection's entries for the route table."""
        many = f"/v1/{self._resource.path}"
        one = f"{many}/{{id}}"

        return [
            Route("GET", many, self.list),
            Route("POST", many, self.create, creates=True),
            Route("GET", one, self.get),
            Route("DELETE", one, self.delete),
        ]

    def settle(self, now: float) -> None:
        """Apply the state changes due at loop time `now`."""
        self._store.settle(now)

    def list(self, call: Call) -> Answer:
        """Answer one page of the caller's records, newest first."""
        page = parse_page(call.query, {"status": STATUSES})
        records, total = self._store.page(
            call.key, page.filters.get("status"), page.limit, page.offset
        )
        pagination = {
            "limit": page.limit,
            "offset": page.offset,
            "total": total,
            "has_more": page.offset + len(records) < total,
        }
        data = [self._resource.render(record) for record in records]

        return json_answer({"data": data, "pagination": pagination})

    def get(self, call: Call) -> Answer:
        """Answer one of the caller's records."""
        reject_query(call.query)
        record = self._find(call)

        return json_answer({"data": self._resource.render(record)})

    def delete(self, call: Call) -> Answer:
        """Forget one of the caller's records; answer 204."""
        reject_query(call.query)
        self._find(call)
        self._store.delete(call.key, call.params["id"])

        return Answer(status=204, content_type=None)

    def create(self, call: Call) -> Answer:
        """Check, charge for and store a new record; answer 201."""
        reject_query(call.query)
        item = self._resource.parse(parse_body(call.body))
        cost = self._resource.cost(item)
        balance = self._ledger.balance(call.key)
        if balance < cost:
            raise ApiError(
                402,
                "INSUFFICIENT_CREDITS",
                f"this {self._resource.noun} costs {cost} credits; "
                f"the balance is {balance}",
            )

        failure = self._resource.failure(item)
        record = self._store.new(call.key, item, cost, failure, call.now)
        meta = {"credits_charged": cost, "credits_remaining": balance - cost}
        body = {"data": self._resource.render(record), "meta": meta}
        answer = json_answer(body, status=201)
        # Charging last keeps a request that failed above free.
        self._store.add(record)

        return answer

    def _find(self, call: Call) -> Record[T]:
        ident = call.params["id"]
        record = self._store.get(call.key, ident)
        if record is None:
            noun = self._resource.noun
            raise ApiError(404, "NOT_FOUND", f"no {noun} has the id {ident!r}")

        return record
