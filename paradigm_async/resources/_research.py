"""Jobs and enrichments share a shape: paid creates, then a lifecycle.

Both are created from a lead, cost credits by research mode, move from
``queued`` through ``processing`` to ``completed`` or ``failed``, and are
listed, fetched, deleted and waited on the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .. import _watcher
from .._errors import (
    APIConnectionError,
    APIError,
    DecodeError,
    WaitTimeoutError,
)
from .._exchange import APIResponse, Progress
from .._models import Charge, Lead, ResearchMode, Status
from .._models._common import TERMINAL_STATUSES, ResearchRecord
from .._pagination import Paginator
from .._validation import (
    check_lead,
    check_research_mode,
    check_status,
    check_wait,
    is_whole_number,
)
from ._base import DEFAULT_PAGE_SIZE, Collection, new_idempotency_key

__all__ = ["ResearchResource"]


M = TypeVar("M", bound=ResearchRecord)


class ResearchResource(Collection[M]):
    """Endpoints of a paid, lead-driven resource (jobs, enrichments)."""

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
        status_filter = check_status(status)
        filters = {} if status_filter is None else {"status": status_filter}

        return self._paginate(filters, limit)

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
        check_wait(timeout, poll_interval)
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

    def wait_many(
        self,
        ids: Iterable[str | M],
        *,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> AsyncGenerator[M, None]:
        """Wait on many at once; yield each as it completes or fails. Free.

        `ids` holds ids, or the records a create returned (better: their
        ``created_at`` tells the walk how far back to look); each is
        yielded once, in the order they finish. One poll loop walks the
        list endpoint, 100 records a request, instead of polling each
        id; while nothing finishes its pauses double from
        `poll_interval` to `max_interval`. An id the list does not show
        is fetched on its own after two rounds. Raises `WaitTimeoutError`
        once `timeout` seconds (from the first iteration) have passed with
        some still running (its message names them; those yielded stay
        yielded), `NotFoundError`
        for an id that no longer exists, and `InvalidInputError` here
        for bad arguments. Leaving the loop early stops polling once the
        iterator is closed: use ``contextlib.aclosing`` to close it at
        once.
        """
        return _watcher.wait_many(
            self,
            ids,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
        )

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
        cost = self.prices["create"].credits(mode)
        key = new_idempotency_key(idempotency_key)
        ledger = self._context.credits
        # Reserved before the first await, so that the budget is checked
        # and held before the call is queued for a rate slot.
        reservation = ledger.reserve(self._context.budget, cost, key)
        progress = Progress()
        try:
            response = await self._send(
                "create", json=body, idempotency_key=key, progress=progress
            )
            item = self._decode(response)
        except DecodeError as exc:
            ledger.record_uncertain(cost, key, reservation)
            raise _unreadable_create(exc, key) from exc
        except BaseException as exc:
            if _may_have_charged(exc, progress):
                _mark_unknown(exc)
                ledger.record_uncertain(cost, key, reservation)
            else:
                reservation.release()
            raise

        charge = _charge(response, item, mode, cost)
        ledger.record_charge(
            item.id,
            charge.credits,
            charge.credits_remaining,
            key,
            reservation,
            # A replay of this very call's earlier, unanswered try is
            # the charge it made; any other replay was counted before.
            replayed=response.replayed and not progress.uncertain,
        )
        ledger.observe(item.id, item.status)
        # `item` was decoded for this call and nobody else holds it yet:
        # its charge is filled in place, as its __init__ would, rather
        # than by copying all its fields with attrs.evolve.
        object.__setattr__(item, "charge", charge)

        return item

    def _observed(self, items: Sequence[M]) -> None:
        """Let the ledger see each status: a failure of ours is refunded."""
        self._context.credits.observe_all(items)


def _may_have_charged(exc: BaseException, progress: Progress) -> bool:
    """Whether a create that raised `exc` may still have been charged.

    An error that says its outcome is unknown may have been; so may any
    call with an attempt still out (cancelled while in flight) or one
    whose earlier attempt ended unknown, whatever the last attempt drew:
    a retry's 500 or 402 says nothing of the attempt before it.
    """
    if isinstance(exc, APIError | APIConnectionError) and exc.outcome_unknown:
        return True

    return progress.uncertain


def _mark_unknown(exc: BaseException) -> None:
    """Say on the error that the create may have been charged, when only
    an earlier attempt knew it (the last one drew a definite answer)."""
    if isinstance(exc, APIError | APIConnectionError):
        exc.outcome_unknown = True


def _unreadable_create(exc: DecodeError, key: str) -> DecodeError:
    """The create went through (2xx) but its answer cannot be read."""
    error = DecodeError(
        f"the create succeeded but its answer could not be read ({exc}); "
        f"it may have been charged: reconcile with Idempotency-Key {key}",
        path=exc.path,
    )
    error.idempotency_key = key

    return error


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
    for name, value in lead.extra.items():
        body.setdefault(name, value)

    return body


def _charge(
    response: APIResponse, item: ResearchRecord, mode: ResearchMode, cost: int
) -> Charge:
    """What the create cost: the server's figure if given, else the table.

    A replayed answer's balance is the one from the first call, so it is
    not reported as the balance now.
    """
    meta = response.meta
    reported = meta.get("credits_charged")
    if not is_whole_number(reported):
        reported = item.credits_charged
    remaining = meta.get("credits_remaining")
    if response.replayed or not is_whole_number(remaining):
        remaining = None

    return Charge(
        credits=cost if reported is None else reported,
        research_mode=mode,
        credits_remaining=remaining,
        source="price_table" if reported is None else "server",
    )
