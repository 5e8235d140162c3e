"""What calls cost, and the running account of what this client spent.

The price table is the public docs' "Credits & Pricing" table: creating a
job or an enrichment costs 1 credit in standard research mode and 2 in
premium; every read, list and delete, all blueprint management and all
auto responder configuration is free. Credits are deducted when the
request is made and refunded if the operation fails.

A `CreditBudget` caps what the creates made through a client, or through
one of its views, may spend. Each create reserves its declared cost
before it is queued for a rate slot, so however many run at once they
can never take spending past the cap together.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from ._errors import ConfigurationError, CreditBudgetExceeded
from ._models import ResearchMode, Status
from ._validation import is_whole_number

__all__ = [
    "FREE",
    "PRICES",
    "CreditBudget",
    "CreditLedger",
    "CreditTotals",
    "Price",
    "Reservation",
]


class _Observed(Protocol):
    """A record whose status the ledger watches: a job, an enrichment."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> Status | str: ...


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


class _State(enum.Enum):
    HELD = "held"
    SETTLED = "settled"
    RELEASED = "released"
    UNCERTAIN = "uncertain"
    ABSORBED = "absorbed"


_MAY_HOLD = frozenset({_State.UNCERTAIN, _State.ABSORBED})
"""States of a reservation that hold, or may again hold, its credits."""


class CreditBudget:
    """A cap on the credits spent through a client or one of its views.

    `limit` is the most that `net` (charged and not refunded),
    `reserved` (held by creates in flight) and `uncertain` (creates
    whose outcome is unknown, which may have been charged) may add up
    to; None sets no cap and only keeps the counts. A budget made with
    a `parent` holds each reservation in its parent too, so a view's
    budget stacks on its client's. Raises `ConfigurationError` for a
    limit that is not an integer >= 0.
    """

    def __init__(
        self, limit: int | None = None, *, parent: CreditBudget | None = None
    ) -> None:
        if limit is not None and (not is_whole_number(limit) or limit < 0):
            raise ConfigurationError(
                f"max_credits must be an integer >= 0 or None, got {limit!r}"
            )

        self.limit = limit
        self.parent = parent
        self._spent = 0
        self._refunded = 0
        self._reserved = 0
        self._uncertain = 0

    @property
    def spent(self) -> int:
        """Credits charged to creates made through this budget."""
        return self._spent

    @property
    def refunded(self) -> int:
        """Credits of those creates that came back when they failed."""
        return self._refunded

    @property
    def net(self) -> int:
        """Credits spent and not refunded."""
        return self._spent - self._refunded

    @property
    def reserved(self) -> int:
        """Credits held by creates in flight."""
        return self._reserved

    @property
    def uncertain(self) -> int:
        """Credits of creates whose outcome is unknown, held until a
        create with the same ``Idempotency-Key`` settles them."""
        return self._uncertain

    @property
    def available(self) -> int | None:
        """Credits a create may still reserve here and in every budget
        this one stacks on; None when none of them has a cap."""
        own = self._own_room()
        above = None if self.parent is None else self.parent.available
        if own is None or above is None:
            return above if own is None else own

        return min(own, above)

    def _own_room(self) -> int | None:
        """Credits this budget alone has left; None without a cap."""
        if self.limit is None:
            return None

        return self.limit - self.net - self._reserved - self._uncertain

    def reserve(
        self, cost: int, *, replacing: Reservation | None = None
    ) -> Reservation:
        """Hold `cost` credits here and in every budget this one stacks on.

        The check and the hold happen at once, with no await between
        them, so concurrent creates can never pass a cap together.
        Raises `CreditBudgetExceeded`, holding nothing, when any budget
        lacks the room. `replacing` is the uncertain reservation of an
        earlier create with the same ``Idempotency-Key``: the server
        charges a key once, so its hold counts towards this one's.
        """
        if not is_whole_number(cost) or cost < 0:
            raise ValueError(f"a cost is an integer >= 0, got {cost!r}")

        earlier: Mapping[CreditBudget, int] = {}
        if replacing is not None and replacing._state is _State.UNCERTAIN:
            earlier = replacing._holds
        chain = self._chain()
        for budget in chain:
            budget._check(cost - earlier.get(budget, 0), cost)
        holds = {**earlier, **dict.fromkeys(chain, cost)}

        return Reservation(holds, replacing if earlier else None)

    def _chain(self) -> list[CreditBudget]:
        chain: list[CreditBudget] = []
        budget: CreditBudget | None = self
        while budget is not None:
            chain.append(budget)
            budget = budget.parent

        return chain

    def _check(self, extra: int, cost: int) -> None:
        available = self._own_room()
        if available is None or extra <= available:
            return

        raise CreditBudgetExceeded(
            f"this create costs {cost} credit{'' if cost == 1 else 's'} "
            f"and the credit budget of {self.limit} has {max(available, 0)} "
            f"left: {self.net} spent (net of refunds), {self._reserved} "
            f"reserved by creates in flight, {self._uncertain} uncertain; "
            "nothing was sent",
            cost=cost,
            available=max(available, 0),
        )

    def __repr__(self) -> str:
        return (
            f"CreditBudget(limit={self.limit}, net={self.net}, "
            f"reserved={self._reserved}, uncertain={self._uncertain})"
        )


class Reservation:
    """Credits held for one create, in each budget it counts against,
    until its outcome is known.

    The first of `settle`, `release` and `hold_uncertain` ends the hold;
    later calls do nothing. `refund` gives back a settled charge.
    """

    def __init__(
        self,
        holds: Mapping[CreditBudget, int],
        replaced: Reservation | None = None,
    ) -> None:
        self._holds = dict(holds)
        self._replaced = replaced
        self._state = _State.HELD
        self._charged = 0
        for budget, credits in self._holds.items():
            budget._reserved += credits
        if replaced is not None:
            # The earlier create's uncertain hold moves into this one;
            # `release` gives it back, as its outcome is still unknown.
            for budget, credits in replaced._holds.items():
                budget._uncertain -= credits
            replaced._state = _State.ABSORBED

    @property
    def state(self) -> str:
        """``held``, ``settled``, ``released``, ``uncertain`` or
        ``absorbed`` (taken over by a later create with the same key)."""
        return self._state.value

    def settle(self, credits: int) -> None:
        """The create was charged `credits`; 0 for a replay counted
        before."""
        if not self._end(_State.SETTLED):
            return

        for budget in self._holds:
            budget._spent += credits
        self._charged = credits

    def release(self) -> None:
        """Nothing was charged: the credits are free again."""
        if not self._end(_State.RELEASED):
            return

        replaced, self._replaced = self._replaced, None
        if replaced is not None and replaced._state is _State.ABSORBED:
            for budget, credits in replaced._holds.items():
                budget._uncertain += credits
            replaced._state = _State.UNCERTAIN

    def hold_uncertain(self) -> None:
        """The outcome is unknown: keep the credits as maybe spent."""
        if not self._end(_State.UNCERTAIN):
            return

        for budget, credits in self._holds.items():
            budget._uncertain += credits

    def drop(self) -> None:
        """A create with the same key was charged and counted: this
        uncertain hold, or an absorbed one, is over."""
        if self._state is _State.UNCERTAIN:
            for budget, credits in self._holds.items():
                budget._uncertain -= credits
        if self._state in _MAY_HOLD:
            self._state = _State.RELEASED

    def refund(self, credits: int) -> None:
        """A settled create's resource failed: `credits` come back."""
        if self._state is not _State.SETTLED:
            return

        credits = min(credits, self._charged)
        for budget in self._holds:
            budget._refunded += credits
        self._charged -= credits

    def _end(self, state: _State) -> bool:
        """Leave the held state for `state`; false if already left."""
        if self._state is not _State.HELD:
            return False

        self._state = state
        for budget, credits in self._holds.items():
            budget._reserved -= credits
        if state is not _State.RELEASED and self._replaced is not None:
            self._replaced._state = _State.RELEASED
            self._replaced = None

        return True

    def __repr__(self) -> str:
        held = max(self._holds.values(), default=0)

        return f"<Reservation {self.state}: {held} credits>"


class CreditLedger:
    """Running totals of the credits this client's calls moved.

    Charges are recorded when a create returns; a refund when the client
    later sees one of those resources ``failed``. Resources this client
    did not create are never counted. Each create's `Reservation` is
    settled, held as uncertain or refunded here, so the budgets move
    with the totals.
    """

    def __init__(self) -> None:
        self._spent = 0
        self._refunded = 0
        self._remaining: int | None = None
        self._open: dict[str, int] = {}
        self._uncertain: dict[str, int] = {}
        self._payers: dict[str, Reservation] = {}
        self._holds: dict[str, list[Reservation]] = {}

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

    def reserve(
        self, budget: CreditBudget, cost: int, idempotency_key: str
    ) -> Reservation:
        """Reserve `cost` in `budget` for a create sent with the key.

        An earlier create with the same key whose outcome is unknown
        already holds its credits; this one takes that hold over.
        Raises `CreditBudgetExceeded` when the budget lacks the room.
        """
        held = self._holds.get(idempotency_key, [])
        earlier = next(
            (r for r in reversed(held) if r._state is _State.UNCERTAIN), None
        )

        return budget.reserve(cost, replacing=earlier)

    def record_charge(
        self,
        resource_id: str,
        credits: int,
        remaining: int | None,
        idempotency_key: str | None = None,
        reservation: Reservation | None = None,
        *,
        replayed: bool = False,
    ) -> None:
        """A create charged `credits` for the resource `resource_id`.

        A replay (the server's answer again for the same
        ``Idempotency-Key``, marked `replayed`) adds nothing, unless it
        settles the key's uncertain charge: then an earlier try of this
        client was charged and its answer lost. So nothing is kept per
        resource charged, and memory stays flat over any number of
        creates. `reservation` is settled with what this call added.
        """
        settles = False
        if idempotency_key is not None:
            settles = self._uncertain.pop(idempotency_key, None) is not None
            for earlier in self._holds.pop(idempotency_key, []):
                settles = True
                earlier.drop()
        if remaining is not None:
            self._remaining = remaining
        new = settles or not replayed
        if reservation is not None:
            reservation.settle(credits if new else 0)
        if not new:
            return
        self._spent += credits
        if credits:
            self._open[resource_id] = credits
            if reservation is not None:
                self._payers[resource_id] = reservation

    def record_uncertain(
        self,
        credits: int,
        idempotency_key: str,
        reservation: Reservation | None = None,
    ) -> None:
        """A create's outcome is unknown; it may have cost `credits`.

        `reservation` keeps holding them until a create with the same
        key is charged.
        """
        self._uncertain[idempotency_key] = credits
        if reservation is None:
            return

        reservation.hold_uncertain()
        held = self._holds.setdefault(idempotency_key, [])
        held[:] = [r for r in held if r._state in _MAY_HOLD]
        held.append(reservation)

    def observe(self, resource_id: str, status: Status | str) -> None:
        """Note a resource's status; a failed one of ours is refunded,
        to the budgets that paid for it too."""
        if not self._open:  # nothing of ours is still running
            return
        if status == Status.FAILED:
            credits = self._open.pop(resource_id, 0)
            self._refunded += credits
            payer = self._payers.pop(resource_id, None)
            if payer is not None:
                payer.refund(credits)
        elif status == Status.COMPLETED:
            self._open.pop(resource_id, None)
            self._payers.pop(resource_id, None)

    def observe_all(self, records: Iterable[_Observed]) -> None:
        """`observe` each of `records`, a page of a list, say."""
        if self._open:
            for record in records:
                self.observe(record.id, record.status)

    def __repr__(self) -> str:
        totals = self.snapshot()

        return (
            f"CreditLedger(spent={totals.spent}, refunded={totals.refunded}, "
            f"uncertain={totals.uncertain}, remaining={totals.remaining})"
        )
