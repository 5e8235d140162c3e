"""What every resource group shares: operations by name, get, delete, list.

A subclass names its routing-table group and model, e.g.
``class Jobs(Collection[Job], group="jobs", model=Job)``; `prices` is then
filled from the price table for each of the group's operations.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import attrs

from .._credits import CreditBudget, CreditLedger, Price
from .._envelope import Envelope
from .._errors import NotFoundError
from .._exchange import APIResponse, Progress, Request
from .._models import structure
from .._pagination import Page, Paginator
from .._routes import ROUTES, Operation
from .._transport import Transport
from .._validation import check_idempotency_key, check_page_size

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Collection",
    "Context",
    "new_idempotency_key",
]

_ID: Callable[[Any], str] = operator.attrgetter("id")

DEFAULT_PAGE_SIZE = 20
"""The contract's default page (CONTRACT.md, "Pagination")."""


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


M = TypeVar("M", bound=_Identified)


@attrs.frozen
class Context:
    """What a resource needs from its client: the transport, the ledger
    and the budget its creates reserve their cost in."""

    transport: Transport
    credits: CreditLedger
    budget: CreditBudget


class Collection(Generic[M]):
    """The endpoints of one collection: get, delete and a paged list."""

    prices: ClassVar[Mapping[str, Price]]
    """Each method's cost in credits, readable without calling it."""

    _group: ClassVar[str]
    _routes: ClassVar[Mapping[str, Operation]]
    _model: ClassVar[type[Any]]
    _list_of: ClassVar[Any]

    def __init_subclass__(
        cls, *, group: str | None = None, model: type[Any] | None = None
    ) -> None:
        """Bind a concrete group; intermediate bases pass neither."""
        super().__init_subclass__()
        if group is None or model is None:
            return
        cls._group = group
        cls._model = model
        cls._list_of = list.__class_getitem__(model)  # list[model], for cattrs
        prefix = f"{group}."
        cls._routes = {
            name.removeprefix(prefix): route
            for name, route in ROUTES.items()
            if name.startswith(prefix)
        }
        cls.prices = {name: route.price for name, route in cls._routes.items()}

    def __init__(self, context: Context) -> None:
        self._context = context

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._group}>"

    async def get(self, resource_id: str) -> M:
        """Fetch one by id. Free. Raises `NotFoundError` if none."""
        response = await self._send("get", path_params={"id": resource_id})

        item = self._decode(response)
        self._observed((item,))

        return item

    async def delete(self, resource_id: str) -> None:
        """Delete one by id. Free. Raises `NotFoundError` if none."""
        try:
            await self._send("delete", path_params={"id": resource_id})
        except NotFoundError as exc:
            # A retry after an earlier attempt's answer was lost finds the
            # resource gone: that earlier attempt deleted it.
            if exc.attempts == 1:
                raise

    def _paginate(
        self, filters: Mapping[str, str], limit: int
    ) -> Paginator[M]:
        params: dict[str, str | int] = {**filters}
        params["limit"] = check_page_size(limit)

        async def fetch(offset: int) -> Page[M]:
            query = {**params, "offset": offset} if offset else params
            response = await self._send("list", params=query)

            return self._page(response.envelope, offset)

        return Paginator(fetch, key=_ID)

    async def _send(
        self,
        method: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        progress: Progress | None = None,
    ) -> APIResponse:
        route = self._routes[method]
        request = Request(
            method=route.method,
            path=route.render(path_params or {}),
            params=params,
            json=json,
            idempotent=route.idempotent,
            idempotency_key=idempotency_key,
            progress=progress,
        )

        return await self._context.transport.send(request)

    def _decode(self, response: APIResponse) -> M:
        item: M = structure(response.envelope.data, self._model)

        return item

    def _page(self, envelope: Envelope, offset: int) -> Page[M]:
        items: list[M] = structure(envelope.data, self._list_of)
        self._observed(items)

        return Page(items=items, offset=offset, pagination=envelope.pagination)

    def _observed(self, items: Sequence[M]) -> None:
        """A hook for what every decoded item passes through, a page of
        them (or a single get's one) at a time."""


def new_idempotency_key(given: str | None = None) -> str:
    """The caller's key, checked, or a fresh one for one create."""
    return check_idempotency_key(given) or f"pa-{os.urandom(16).hex()}"
