"""Jobs and enrichments share a shape: paid creates, then a lifecycle.

Both are created from a lead, cost credits by research mode, move from
``queued`` through ``processing`` to ``completed`` or ``failed``, and are
listed, fetched, deleted and waited on the same way.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from .._credits import Price
from .._envelope import Envelope
from .._errors import (
    APIConnectionError,
    APIError,
    InvalidInputError,
    WaitTimeoutError,
)
from .._models import Charge, Lead, ResearchMode, Status, structure
from .._models._common import TERMINAL_STATUSES, ResearchRecord
from .._pagination import Page, Paginator
from .._routes import ROUTES
from .._validation import (
    check_id,
    check_lead,
    check_page_size,
    check_research_mode,
    check_status,
)
from ._base import Resource, prices_of

__all__ = ["ResearchResource"]


M = TypeVar("M", bound=ResearchRecord)

DEFAULT_PAGE_SIZE = 20


class ResearchResource(Resource, Generic[M]):
    """Endpoints of a paid, lead-driven resource (jobs, enrichments).

    A subclass names its routing-table group and model:
    ``class Jobs(ResearchResource[Job], group="jobs", model=Job)``.
    `prices` gives each method's cost without calling it.
    """

    prices: ClassVar[Mapping[str, Price]]
    _group: ClassVar[str]
    _model: ClassVar[type[Any]]
    _list_of: ClassVar[Any]

    def __init_subclass__(cls, *, group: str, model: type[Any]) -> None:
        super().__init_subclass__()
        cls._group = group
        cls._model = model
        cls._list_of = list.__class_getitem__(model)  # list[model], for cattrs
        cls.prices = prices_of(group, "list", "create", "get", "delete")

    def list(
        self,
        *,
        status: Status | str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> Paginator[M]:
        """Iterate over every item, newest first, `limit` a page. Free.

        `status` filters by lifecycle status. Raises `InvalidInputError`
        at once for a bad filter or a page size outside 1 to 100.
        """
        params: dict[str, str | int] = {}
        status_filter = check_status(status)
        if status_filter is not None:
            params["status"] = status_filter
        params["limit"] = check_page_size(limit)

        async def fetch(offset: int) -> Page[M]:
            query = {**params, "offset": offset} if offset else params
            response = await self._send(f"{self._group}.list", params=query)

            return self._page(response.envelope, offset)

        return Paginator(fetch, key=lambda item: item.id)

    async def get(self, resource_id: str) -> M:
        """Fetch one by id. Free. Raises `NotFoundError` if none."""
        check_id(resource_id, "id")
        response = await self._send(
            f"{self._group}.get", path_params={"id": resource_id}
        )

        return self._observed(structure(response.envelope.data, self._model))

    async def delete(self, resource_id: str) -> None:
        """Delete one by id. Free. Raises `NotFoundError` if none."""
        check_id(resource_id, "id")
        await self._send(
            f"{self._group}.delete", path_params={"id": resource_id}
        )

    async def wait(
        self,
        resource_id: str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> M:
        """Poll until completed or failed; return the final state. Free.

        Each poll is one request against the rate limit. Raises
        `WaitTimeoutError` if still running after `timeout` seconds.
        """
        check_id(resource_id, "id")
        if not poll_interval > 0 or not timeout >= 0:
            raise InvalidInputError(
                "wait needs poll_interval > 0 and timeout >= 0"
            )
        deadline = time.monotonic() + timeout
        while True:
            item = await self.get(resource_id)
            if item.status in TERMINAL_STATUSES:
                return item
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeoutError(
                    f"{resource_id} still {item.status} after {timeout:g} s",
                    resource_id=resource_id,
                    last_status=str(item.status),
                )
            await asyncio.sleep(min(poll_interval, left))

    async def _create(
        self,
        lead: Lead | Mapping[str, Any],
        research_mode: ResearchMode | str,
        idempotency_key: str | None,
        **fields: str | None,
    ) -> M:
        mode = check_research_mode(research_mode)
        body = {
            "lead": _lead_body(check_lead(lead)),
            "research_mode": mode.value,
            **{name: value for name, value in fields.items() if value},
        }
        operation = f"{self._group}.create"
        cost = ROUTES[operation].price.credits(mode)
        key = idempotency_key or new_idempotency_key()
        try:
            response = await self._send(
                operation, json=body, idempotency_key=key
            )
        except (APIError, APIConnectionError) as exc:
            if exc.outcome_unknown:
                self._context.credits.record_uncertain(cost)
            raise

        item: M = structure(response.envelope.data, self._model)
        charge = _charge(response.envelope, item, mode, cost)
        ledger = self._context.credits
        ledger.record_charge(item.id, charge.credits, charge.credits_remaining)
        ledger.observe(item.id, item.status)

        charged: M = attrs.evolve(item, charge=charge)

        return charged

    def _page(self, envelope: Envelope, offset: int) -> Page[M]:
        items: list[M] = structure(envelope.data, self._list_of)
        for item in items:
            self._observed(item)

        return Page(items=items, offset=offset, pagination=envelope.pagination)

    def _observed(self, item: M) -> M:
        self._context.credits.observe(item.id, item.status)

        return item


def new_idempotency_key() -> str:
    """A fresh key for one create, sent as ``Idempotency-Key``."""
    return f"pa-{uuid.uuid4().hex}"


def _lead_body(lead: Lead) -> dict[str, Any]:
    body: dict[str, Any] = {
        name: getattr(lead, name)
        for name in (
            "email",
            "first_name",
            "last_name",
            "title",
            "company_name",
            "company_domain",
            "linkedin_url",
        )
        if getattr(lead, name) is not None
    }
    if lead.custom_fields:
        body["custom_fields"] = dict(lead.custom_fields)

    return body


def _charge(
    envelope: Envelope, item: ResearchRecord, mode: ResearchMode, cost: int
) -> Charge:
    """What the create cost: the server's figure if given, else the table."""
    reported = envelope.meta.get("credits_charged")
    if not isinstance(reported, int) or isinstance(reported, bool):
        reported = item.credits_charged
    remaining = envelope.meta.get("credits_remaining")
    if not isinstance(remaining, int) or isinstance(remaining, bool):
        remaining = None

    return Charge(
        credits=cost if reported is None else reported,
        research_mode=mode,
        credits_remaining=remaining,
        source="price_table" if reported is None else "server",
    )
