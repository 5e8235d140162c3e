"""What calls cost, and the running account of what this client spent.

The price table is the public docs' "Credits & Pricing" table: creating a
job or an enrichment costs 1 credit in standard research mode and 2 in
premium; every read, list and delete, all blueprint management and all
auto responder configuration is free. Credits are deducted when the
request is made and refunded if the operation fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ._models import ResearchMode, Status

__all__ = ["FREE", "PRICES", "CreditLedger", "CreditTotals", "Price"]


@attrs.frozen
class Price:
    """Credits an operation costs in each research mode."""

    standard: int = 0
    premium: int = 0

    @property
    def is_free(self) -> bool:
        """Whether the operation never costs credits."""
        return self.standard == 0 and self.premium == 0

    def credits(self, research_mode: ResearchMode | str = "standard") -> int:
        """The cost in `research_mode`; unknown modes cost the premium."""
        if research_mode == ResearchMode.STANDARD:
            return self.standard

        return self.premium


FREE = Price()

PRICES: Mapping[str, Price] = {
    "jobs.create": Price(standard=1, premium=2),
    "enrichments.create": Price(standard=1, premium=2),
}
"""Paid operations by name; an operation not listed here is free."""


@attrs.frozen(kw_only=True)
class CreditTotals:
    """A snapshot of a client's credit account.

    `spent` is every credit charged to this client's creates, `refunded`
    what came back for those that failed, `net` the difference.
    `uncertain` counts the credits of creates whose outcome is unknown (a
    timeout or a dropped connection after sending): they may or may not
    have been charged. `remaining` is the balance the server last
    reported, or None before any paid call.
    """

    spent: int
    refunded: int
    uncertain: int
    remaining: int | None

    @property
    def net(self) -> int:
        """Credits spent and not refunded."""
        return self.spent - self.refunded


class CreditLedger:
    """Running totals of the credits this client's calls moved.

    Charges are recorded when a create returns; a refund when the client
    later sees one of those resources ``failed``. Resources this client
    did not create are never counted.
    """

    def __init__(self) -> None:
        self._spent = 0
        self._refunded = 0
        self._remaining: int | None = None
        self._charged: set[str] = set()
        self._open: dict[str, int] = {}
        self._uncertain: dict[str, int] = {}

    @property
    def spent(self) -> int:
        """Credits charged to this client's creates."""
        return self._spent

    @property
    def refunded(self) -> int:
        """Credits refunded for this client's creates that failed."""
        return self._refunded

    @property
    def net(self) -> int:
        """Credits spent and not refunded."""
        return self._spent - self._refunded

    @property
    def uncertain(self) -> int:
        """Credits of creates whose outcome is unknown."""
        return sum(self._uncertain.values())

    @property
    def remaining(self) -> int | None:
        """The balance the server last reported, if any."""
        return self._remaining

    def snapshot(self) -> CreditTotals:
        """The totals as they stand, frozen."""
        return CreditTotals(
            spent=self._spent,
            refunded=self._refunded,
            uncertain=self.uncertain,
            remaining=self._remaining,
        )

    def record_charge(
        self,
        resource_id: str,
        credits: int,
        remaining: int | None,
        idempotency_key: str | None = None,
    ) -> None:
        """A create charged `credits` for the resource `resource_id`.

        A replay (the same resource answered again for the same
        ``Idempotency-Key``) is counted once, and settles the key's
        uncertain charge if an earlier try's outcome was unknown.
        """
        if idempotency_key is not None:
            self._uncertain.pop(idempotency_key, None)
        if remaining is not None:
            self._remaining = remaining
        if resource_id in self._charged:
            return
        self._charged.add(resource_id)
        self._spent += credits
        if credits:
            self._open[resource_id] = credits

    def record_uncertain(self, credits: int, idempotency_key: str) -> None:
        """A create's outcome is unknown; it may have cost `credits`."""
        self._uncertain[idempotency_key] = credits

    def observe(self, resource_id: str, status: Status | str) -> None:
        """Note a resource's status; a failed one of ours is refunded."""
        if status == Status.FAILED:
            credits = self._open.pop(resource_id, 0)
            self._refunded += credits
        elif status == Status.COMPLETED:
            self._open.pop(resource_id, None)

    def __repr__(self) -> str:
        totals = self.snapshot()

        return (
            f"CreditLedger(spent={totals.spent}, refunded={totals.refunded}, "
            f"uncertain={totals.uncertain}, remaining={totals.remaining})"
        )
