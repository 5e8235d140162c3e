"""List, get and delete for any resource, over its shelf of records."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from ._http import Answer, ApiError, json_answer
from ._records import Shelf, Stored
from ._routing import Call, Route
from ._validation import parse_page, reject_query

__all__ = ["Collection"]

R = TypeVar("R", bound=Stored)

Render = Callable[[R], dict[str, object]]


class Collection(abc.ABC, Generic[R]):
    """The handlers every resource shares; each kind adds its create.

    Lists are offset pages, newest first; an unknown id is 404
    NOT_FOUND; delete answers 204 with no body. A kind of collection
    says how a record is created (and, if it can be, updated), which
    list filters it takes, and what changes as time passes.
    """

    def __init__(
        self,
        *,
        noun: str,
        path: str,
        shelf: Shelf[R],
        render: Render[R],
        filters: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._noun = noun
        self._many = f"/v1/{path}"
        self._one = f"{self._many}/{{id}}"
        self._shelf = shelf
        self._render = render
        self._filters = filters or {}

    def routes(self) -> list[Route]:
        """Return this collection's entries for the route table."""
        return [
            Route("GET", self._many, self.list),
            Route("POST", self._many, self.create, creates=True),
            Route("GET", self._one, self.get),
            Route("DELETE", self._one, self.delete),
        ]

    def settle(self, now: float) -> None:
        """Apply the changes due at loop time `now`; by default none."""

    @abc.abstractmethod
    def create(self, call: Call) -> Answer:
        """Check and store a new record; answer 201."""

    def list(self, call: Call) -> Answer:
        """Answer one page of the caller's records, newest first."""
        page = parse_page(call.query, self._filters)
        records, total = self._shelf.page(
            call.key, page.limit, page.offset, self._selects(page.filters)
        )
        pagination = {
            "limit": page.limit,
            "offset": page.offset,
            "total": total,
            "has_more": page.offset + len(records) < total,
        }
        data = [self._render(record) for record in records]

        return json_answer({"data": data, "pagination": pagination})

    def get(self, call: Call) -> Answer:
        """Answer one of the caller's records."""
        reject_query(call.query)
        record = self._find(call)

        return json_answer({"data": self._render(record)})

    def delete(self, call: Call) -> Answer:
        """Forget one of the caller's records; answer 204."""
        reject_query(call.query)
        self._find(call)
        self._shelf.delete(call.key, call.params["id"])

        return Answer(status=204, content_type=None)

    def _selects(self, filters: Mapping[str, str]) -> Callable[[R], bool]:
        """Return which records a list with `filters` shows; all here."""
        return lambda record: True

    def _find(self, call: Call) -> R:
        ident = call.params["id"]
        record = self._shelf.get(call.key, ident)
        if record is None:
            noun = self._noun
            raise ApiError(404, "NOT_FOUND", f"no {noun} has the id {ident!r}")

        return record
