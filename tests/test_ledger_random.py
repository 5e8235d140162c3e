"""Over random runs of successes, refunded failures, 402s, retried
faults and cancellations, `client.credits` ends equal to the sandbox's
own account, and the budget the run went through agrees with both."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from conftest import MakeClient

from paradigm_async import (
    APIConnectionError,
    APIError,
    CreditBudget,
    CreditBudgetExceeded,
    CreditLedger,
    DecodeError,
    InsufficientCreditsError,
    Lead,
    ParadigmClient,
    ParadigmError,
)
from paradigm_async.sandbox import Fault, Sandbox

SEEDS = range(6)
WAVES = 3
CALLS_PER_WAVE = 24

POST_FAULTS: list[Callable[[], Fault]] = [
    Fault.json_500,
    Fault.drop_before,
    Fault.drop_after,
    Fault.html_503,
    Fault.truncated_json,
    Fault.reset_mid_body,
    lambda: Fault.rate_limited(0),
    lambda: Fault.error(400, "VALIDATION_ERROR", "scripted"),
    lambda: Fault.delay(0.2),
    lambda: Fault.slow_first_byte(0.2),
]
"""Before the work (retried, or definitive) and after it (charged, and
the answer lost); the delays leave calls in flight to be cancelled."""

GET_FAULTS: list[Callable[[], Fault]] = [
    Fault.json_500,
    Fault.drop_before,
    Fault.html_503,
]


@attrs.define
class Call:
    """One create of the run, and how it ended (first, and at last)."""

    resource: str
    lead: Lead
    mode: str
    key: str
    cancel_after: float | None
    first: Any = None
    outcome: Any = None


def balances(rng: random.Random) -> list[int]:
    """The sandbox balance at the start of each wave: the second is
    short, so some of its creates draw 402."""
    return [rng.randint(20, 200), rng.randint(0, 6), 200][:WAVES]


def created(calls: list[Call]) -> dict[str, str]:
    """The ids of the resources the calls made, with their group."""
    return {c.outcome: c.resource for c in calls if isinstance(c.outcome, str)}


async def prologue(
    paying: ParadigmClient, sandbox: Sandbox, attempts: int
) -> list[Call]:
    """Two creates every run has, one at a time: an answer that cannot
    be read on any of its `attempts`, and a call cancelled while its
    create is being served."""
    unread = Call("jobs", Lead(email="u@example.com"), "premium", "u", None)
    sandbox.inject(Fault.truncated_json(), method="POST", count=attempts)
    await run_wave(paying, [unread])
    cut = Call(
        "enrichments", Lead(email="c@example.com"), "standard", "c", 0.05
    )
    sandbox.inject(Fault.delay(0.2), method="POST")
    await run_wave(paying, [cut])

    return [unread, cut]


def cancel_after(rng: random.Random) -> float | None:
    """When to cancel a call, if at all: at once (queued or just sent),
    or later (in flight behind a delay, or between retries)."""
    if rng.random() > 0.25:
        return None

    return rng.choice([0.0, 0.002, rng.uniform(0.0, 0.3)])


def plan(rng: random.Random, wave: int) -> list[Call]:
    """A wave of creates: random resource, mode, lead, cancellation."""
    calls = []
    for index in range(CALLS_PER_WAVE):
        failing = rng.random() < 0.3
        domain = "gone.invalid" if failing else f"co{index}.example"
        calls.append(
            Call(
                resource=rng.choice(["jobs", "enrichments"]),
                lead=Lead(
                    email=f"p{wave}x{index}@example.com",
                    company_domain=domain,
                ),
                mode=rng.choice(["standard", "premium"]),
                key=f"run-{wave}-{index}",
                cancel_after=cancel_after(rng),
            )
        )

    return calls


async def create(paying: ParadigmClient, call: Call) -> Any:
    """Create `call`'s resource through `paying`; return its id."""
    group = getattr(paying, call.resource)
    made = await group.create(
        call.lead, research_mode=call.mode, idempotency_key=call.key
    )

    return made.id


async def run_wave(paying: ParadigmClient, calls: list[Call]) -> None:
    """Start every call at once, cancelling those meant to be cancelled."""
    loop = asyncio.get_running_loop()
    tasks = []
    for call in calls:
        task = asyncio.ensure_future(create(paying, call))
        if call.cancel_after is not None:
            loop.call_later(call.cancel_after, task.cancel)
        tasks.append(task)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for call, outcome in zip(calls, outcomes, strict=True):
        call.first = call.outcome = outcome


def unsettled(call: Call) -> bool:
    """Whether the README says to reconcile the call: its error says the
    outcome is unknown, its answer could not be read, or it was
    cancelled (whether it had been sent, its caller cannot tell)."""
    outcome = call.outcome
    if isinstance(outcome, DecodeError | asyncio.CancelledError):
        return True

    return isinstance(outcome, APIError | APIConnectionError) and (
        outcome.outcome_unknown
    )


async def reconcile(paying: ParadigmClient, call: Call) -> None:
    """The README's advice: create again with the same key until the
    server answers for it; faults still queued are used up on the way."""
    for _ in range(50):
        try:
            call.outcome = await create(paying, call)
        except CreditBudgetExceeded as exc:
            # Only a key with no uncertain hold needs room: it was never
            # charged, and there is no room to charge it now.
            call.outcome = exc
            return
        except ParadigmError:
            continue
        return

    pytest.fail(f"{call.key} could not be reconciled")


async def observe_all(
    client: ParadigmClient, ids: dict[str, str], by_list: bool
) -> None:
    """Let the ledger see every resource end, by get or by list."""
    pending = dict(ids)
    for _ in range(200):
        if not pending:
            return
        try:
            if by_list:
                await observe_by_list(client, pending)
            else:
                await observe_by_get(client, pending)
        except ParadigmError:
            pass  # a GET fault outlasted the retries: look again
        await asyncio.sleep(0.02)

    pytest.fail(f"never saw {sorted(pending)} end")


async def observe_by_get(
    client: ParadigmClient, pending: dict[str, str]
) -> None:
    for resource_id, resource in list(pending.items()):
        item = await getattr(client, resource).get(resource_id)
        if item.status in ("completed", "failed"):
            del pending[resource_id]


async def observe_by_list(
    client: ParadigmClient, pending: dict[str, str]
) -> None:
    for resource in ("jobs", "enrichments"):
        group = getattr(client, resource)
        async for item in group.list(limit=100):
            if item.status in ("completed", "failed"):
                pending.pop(item.id, None)


def check_bounds(
    ledger: CreditLedger, budget: CreditBudget, sandbox: Sandbox
) -> None:
    """Before reconciling: the ledger counts no charge the sandbox did
    not make, and what it misses is among its uncertain credits; the
    budget was never passed."""
    account = sandbox.account()
    totals = ledger.snapshot()
    assert totals.spent <= account.charged
    assert account.charged <= totals.spent + totals.uncertain
    assert totals.refunded <= account.refunded
    assert budget.limit is not None
    assert budget.reserved == 0
    assert budget.net + budget.uncertain <= budget.limit
    assert account.net <= budget.limit


@pytest.mark.parametrize("seed", SEEDS)
async def test_the_ledger_agrees_with_the_sandbox(
    sandbox: Sandbox, make_client: MakeClient, seed: int
) -> None:
    rng = random.Random(seed)
    retries = rng.choice([0, 1, 2])
    retry_unknown = rng.random() < 0.5
    client = make_client(
        max_retries=retries, retry_unknown_outcome=retry_unknown
    )
    limit = rng.randint(40, 60)
    paying = client.with_options(max_credits=limit)
    calls: list[Call] = []

    calls += await prologue(
        paying, sandbox, attempts=1 + retries if retry_unknown else 1
    )
    for wave, balance in enumerate(balances(rng)):
        # A short balance draws 402s; refunds seen so far add back.
        sandbox.set_credits(balance)
        sandbox.inject(Fault.drop_after(), method="POST")
        for _ in range(rng.randint(3, 10)):
            sandbox.inject(rng.choice(POST_FAULTS)(), method="POST")
        for _ in range(rng.randint(0, 3)):
            sandbox.inject(rng.choice(GET_FAULTS)(), method="GET")
        planned = plan(rng, wave)
        await run_wave(paying, planned)
        calls += planned
        await asyncio.sleep(0.25)  # delayed work lands before the check
        check_bounds(client.credits, paying.budget, sandbox)
        if rng.random() < 0.5:
            # Refunds seen now give budget back to the waves after.
            await observe_all(client, created(calls), by_list=wave == 1)

    await asyncio.sleep(0.25)
    sandbox.set_credits(1000)
    for call in calls:
        if unsettled(call):
            await reconcile(paying, call)
    await observe_all(client, created(calls), by_list=seed % 2 == 0)

    account = sandbox.account()
    totals = client.credits.snapshot()
    assert totals.uncertain == 0
    assert (totals.spent, totals.refunded, totals.net) == (
        account.charged,
        account.refunded,
        account.net,
    )
    budget = paying.budget
    assert (budget.reserved, budget.uncertain) == (0, 0)
    assert (budget.spent, budget.refunded) == (totals.spent, totals.refunded)
    assert client.budget.net == budget.net == account.net <= limit
    # The run met what it is meant to.
    kinds = {kind(call.first) for call in calls}
    assert account.refunded > 0
    assert kinds >= {"created", "402", "budget", "unknown", "cancelled"}


def kind(outcome: object) -> str:
    """How a call first ended, for checking what a run covered."""
    if isinstance(outcome, str):
        return "created"
    if isinstance(outcome, InsufficientCreditsError):
        return "402"
    if isinstance(outcome, CreditBudgetExceeded):
        return "budget"
    if isinstance(outcome, asyncio.CancelledError):
        return "cancelled"
    if isinstance(outcome, DecodeError) or getattr(
        outcome, "outcome_unknown", False
    ):
        return "unknown"

    return type(outcome).__name__


def test_a_hold_left_by_a_concurrent_reconciliation_is_dropped() -> None:
    """Two creates with one key in flight after an unknown outcome: the
    first takes the hold over and ends unknown too; the second is
    charged, which ends every hold of the key."""
    ledger = CreditLedger()
    budget = CreditBudget(5)
    first = ledger.reserve(budget, 1, "k")
    ledger.record_uncertain(1, "k", first)
    second = ledger.reserve(budget, 1, "k")
    third = ledger.reserve(budget, 1, "k")
    assert (budget.reserved, budget.uncertain) == (2, 0)

    ledger.record_uncertain(1, "k", second)
    assert (budget.reserved, budget.uncertain) == (1, 1)
    ledger.record_charge("job_1", 1, None, "k", third)

    assert (budget.reserved, budget.uncertain, budget.net) == (0, 0, 1)
    assert ledger.uncertain == 0
    assert budget.available == 4
