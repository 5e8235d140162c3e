"""The credit budget: a create that would pass it is refused unsent, calls
in flight hold their cost, and a refund gives credits back."""

from __future__ import annotations

import asyncio

import pytest
from conftest import MakeClient

from paradigm_async import (
    APIConnectionError,
    APIError,
    ConfigurationError,
    CreditBudget,
    CreditBudgetExceeded,
    DecodeError,
    InsufficientCreditsError,
    Job,
    Lead,
    ParadigmClient,
    RateLimit,
)
from paradigm_async.sandbox import Fault, Sandbox

LEAD = Lead(email="ada@example.com", company_domain="stripe.com")
FAILING = Lead(email="bob@example.com", company_domain="gone.invalid")
"""The sandbox fails research on a `.invalid` domain, and refunds it."""


def posts(sandbox: Sandbox) -> int:
    """The creates that reached the sandbox."""
    return sum(1 for record in sandbox.requests if record.method == "POST")


def fitting(costs: list[int], limit: int) -> list[int]:
    """The indexes a budget of `limit` accepts, reserving in order."""
    accepted: list[int] = []
    total = 0
    for index, cost in enumerate(costs):
        if total + cost <= limit:
            accepted.append(index)
            total += cost

    return accepted


@pytest.mark.parametrize("where", ["client", "view"])
async def test_500_concurrent_creates_send_exactly_what_fits(
    sandbox: Sandbox, make_client: MakeClient, where: str
) -> None:
    limit = 149
    modes = ["premium" if i % 3 == 0 else "standard" for i in range(500)]
    costs = [2 if mode == "premium" else 1 for mode in modes]
    client = make_client(max_credits=limit if where == "client" else None)
    paying = (
        client if where == "client" else client.with_options(max_credits=limit)
    )

    results = await asyncio.gather(
        *(paying.jobs.create(LEAD, research_mode=mode) for mode in modes),
        return_exceptions=True,
    )

    accepted = [i for i, got in enumerate(results) if isinstance(got, Job)]
    refused = [got for got in results if isinstance(got, CreditBudgetExceeded)]
    expected = fitting(costs, limit)
    assert accepted == expected
    assert len(accepted) + len(refused) == 500
    # 37 rounds of premium, standard, standard take 148; the next premium
    # does not fit, the standard after it does, then nothing more.
    assert sum(costs[i] for i in expected) == limit
    assert posts(sandbox) == len(accepted)
    assert sandbox.account().charged == limit
    assert paying.budget.net == limit
    assert paying.budget.reserved == 0
    assert paying.budget.available == 0
    assert client.credits.spent == limit


async def test_a_refund_returns_budget(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    view = client.with_options(max_credits=10)
    leads = [FAILING if i % 3 == 0 else LEAD for i in range(10)]
    created = await asyncio.gather(*(view.jobs.create(x) for x in leads))
    with pytest.raises(CreditBudgetExceeded):
        await view.jobs.create(LEAD)
    assert posts(sandbox) == 10

    for job in created:
        await view.jobs.wait(job.id, poll_interval=0.02)

    assert view.budget.refunded == 4
    assert view.budget.net == 6 == sandbox.account().net
    assert view.budget.available == 4
    await asyncio.gather(*(view.jobs.create(LEAD) for _ in range(4)))
    with pytest.raises(CreditBudgetExceeded):
        await view.jobs.create(LEAD)
    assert posts(sandbox) == 14
    assert view.budget.net == 10


async def test_premium_costs_two_and_standard_one(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=3)
    await client.enrichments.create(LEAD, research_mode="premium")

    with pytest.raises(CreditBudgetExceeded) as caught:
        await client.enrichments.create(LEAD, research_mode="premium")
    assert caught.value.cost == 2
    assert caught.value.available == 1
    message = str(caught.value)
    assert "costs 2 credits" in message
    assert "budget of 3 has 1 left" in message
    assert "2 spent" in message
    assert "0 reserved" in message

    await client.enrichments.create(LEAD)
    with pytest.raises(CreditBudgetExceeded) as caught:
        await client.enrichments.create(LEAD)
    assert caught.value.cost == 1
    assert caught.value.available == 0
    assert posts(sandbox) == 2
    assert sandbox.account().charged == 3


async def test_a_call_in_flight_holds_its_cost(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=3)
    sandbox.inject(Fault.delay(0.3), method="POST")
    slow = asyncio.ensure_future(
        client.jobs.create(LEAD, research_mode="premium")
    )
    await asyncio.sleep(0.05)

    assert client.budget.reserved == 2
    with pytest.raises(CreditBudgetExceeded) as caught:
        await client.jobs.create(LEAD, research_mode="premium")
    assert "0 spent (net of refunds), 2 reserved" in str(caught.value)

    await slow
    assert client.budget.reserved == 0
    assert client.budget.net == 2
    assert posts(sandbox) == 1


async def test_view_budgets_are_their_own_and_stack_on_the_client(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=10)
    first = client.with_options(max_credits=3)
    second = client.with_options(max_credits=5)
    nested = first.with_options(max_credits=1)
    same = first.with_options(priority="interactive")
    assert same.budget is first.budget
    assert second.budget is not first.budget

    await nested.jobs.create(LEAD)
    with pytest.raises(CreditBudgetExceeded):
        await nested.jobs.create(LEAD)
    await same.jobs.create(LEAD)
    await first.jobs.create(LEAD)
    with pytest.raises(CreditBudgetExceeded):
        await first.jobs.create(LEAD)
    await asyncio.gather(*(second.jobs.create(LEAD) for _ in range(4)))
    await asyncio.gather(*(client.jobs.create(LEAD) for _ in range(3)))
    # `second` has 1 of its own 5 left, but the client's 10 are spent:
    # what it may still reserve is the least along the chain.
    assert second.budget.limit - second.budget.net == 1
    assert second.budget.available == 0
    with pytest.raises(CreditBudgetExceeded) as caught:
        await second.jobs.create(LEAD)

    assert caught.value.available == 0
    assert "budget of 10" in str(caught.value)
    assert (nested.budget.net, first.budget.net, second.budget.net) == (
        1,
        3,
        4,
    )
    assert client.budget.net == 10 == sandbox.account().charged
    assert posts(sandbox) == 10


@pytest.mark.parametrize("bad", [-1, True, False, 1.5, "3"])
async def test_max_credits_must_be_a_whole_number(
    sandbox: Sandbox, client: ParadigmClient, bad: object
) -> None:
    with pytest.raises(ConfigurationError, match="max_credits"):
        ParadigmClient(
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            max_credits=bad,  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError, match="max_credits"):
        client.with_options(max_credits=bad)  # type: ignore[arg-type]


async def test_a_budget_of_zero_refuses_creates_but_not_free_calls(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=0)

    with pytest.raises(CreditBudgetExceeded):
        await client.jobs.create(LEAD)
    assert await client.jobs.list().collect() == []
    assert [r.method for r in sandbox.requests] == ["GET"]


async def test_none_adds_no_budget_to_a_view(client: ParadigmClient) -> None:
    capped = client.with_options(max_credits=5)

    assert capped.with_options(max_credits=None).budget is capped.budget
    assert client.with_options().budget is client.budget
    assert client.budget.limit is None
    assert client.budget.available is None


@pytest.mark.parametrize(
    "fault",
    [
        Fault.error(400, "VALIDATION_ERROR", "lead.email: is required"),
        Fault.json_500(),
        Fault.error(404, "NOT_FOUND"),
    ],
    ids=["400", "json_500", "404"],
)
async def test_a_definitive_failure_releases_the_reservation(
    sandbox: Sandbox, make_client: MakeClient, fault: Fault
) -> None:
    client = make_client(max_credits=2, max_retries=0)
    sandbox.inject(fault, method="POST")

    with pytest.raises(APIError) as caught:
        await client.jobs.create(LEAD, research_mode="premium")

    assert not caught.value.outcome_unknown
    assert client.budget.available == 2
    assert (client.budget.reserved, client.budget.uncertain) == (0, 0)
    assert sandbox.account().charged == 0


async def test_a_402_releases_the_reservation(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=5)
    sandbox.set_credits(1)

    with pytest.raises(InsufficientCreditsError):
        await client.jobs.create(LEAD, research_mode="premium")

    assert client.budget.available == 5
    await client.jobs.create(LEAD)
    assert client.budget.net == 1 == sandbox.account().charged


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.drop_after(), APIConnectionError),
        (Fault.html_503(), APIError),
        (Fault.truncated_json(), DecodeError),
    ],
    ids=["drop_after", "html_503", "truncated_json"],
)
async def test_an_unknown_outcome_holds_the_cost_until_reconciled(
    sandbox: Sandbox,
    make_client: MakeClient,
    fault: Fault,
    error: type[Exception],
) -> None:
    client = make_client(max_credits=3)
    await client.jobs.create(LEAD)
    sandbox.inject(fault, method="POST")
    with pytest.raises(error) as caught:
        await client.jobs.create(LEAD, research_mode="premium")
    key = getattr(caught.value, "idempotency_key", None)
    assert key is not None

    assert client.budget.uncertain == 2
    assert client.budget.available == 0
    sent = posts(sandbox)
    with pytest.raises(CreditBudgetExceeded, match="2 uncertain"):
        await client.jobs.create(LEAD)
    assert posts(sandbox) == sent

    # Reconciling needs no room of its own: the server charges a key once.
    await client.jobs.create(
        LEAD, research_mode="premium", idempotency_key=key
    )
    assert client.budget.uncertain == 0
    assert client.budget.net == 3 == client.credits.net
    # Charged once for the key: by the first try, or else by this one.
    assert sandbox.account().charged == 3


async def test_a_failed_reconciliation_keeps_the_hold(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=2, max_retries=0)
    sandbox.inject(Fault.drop_after(), method="POST")
    with pytest.raises(APIConnectionError) as caught:
        await client.jobs.create(LEAD)
    key = caught.value.idempotency_key
    assert key is not None

    sandbox.inject(Fault.json_500(), method="POST")
    with pytest.raises(APIError):
        await client.jobs.create(LEAD, idempotency_key=key)

    assert client.budget.uncertain == 1
    assert client.credits.uncertain == 1
    assert client.budget.available == 1
    await client.jobs.create(LEAD, idempotency_key=key)
    assert (client.budget.uncertain, client.budget.net) == (0, 1)
    assert sandbox.account().charged == 1


async def test_a_reconciliation_through_another_view_settles_the_hold(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(max_credits=4)
    bulk = client.with_options(max_credits=1)
    sandbox.inject(Fault.drop_after(), method="POST")
    with pytest.raises(APIConnectionError) as caught:
        await bulk.jobs.create(FAILING)
    key = caught.value.idempotency_key
    assert key is not None
    assert (bulk.budget.uncertain, client.budget.uncertain) == (1, 1)

    job = await client.jobs.create(FAILING, idempotency_key=key)
    await client.jobs.wait(job.id, poll_interval=0.02)

    # Both budgets counted the charge, and both got the refund.
    for budget in (bulk.budget, client.budget):
        assert (budget.spent, budget.refunded, budget.uncertain) == (1, 1, 0)
    assert bulk.budget.available == 1
    assert sandbox.account().net == 0


async def test_an_earlier_unknown_attempt_stays_uncertain(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    """A retried create whose first attempt may have been charged is
    uncertain, whatever the last attempt drew."""
    client = make_client(
        max_credits=5, retry_unknown_outcome=True, max_retries=2
    )
    sandbox.inject(Fault.drop_after(), method="POST")
    sandbox.inject(Fault.json_500(), method="POST", count=2)

    with pytest.raises(APIError) as caught:
        await client.jobs.create(LEAD)

    assert caught.value.outcome_unknown
    assert sandbox.account().charged == 1
    assert client.credits.uncertain == 1
    assert client.budget.uncertain == 1
    key = caught.value.idempotency_key
    assert key is not None
    await client.jobs.create(LEAD, idempotency_key=key)
    assert client.credits.spent == 1 == client.budget.net


async def test_cancelling_frees_a_queued_create_and_holds_a_sent_one(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(
        max_credits=3, rate_limit=RateLimit(requests=1, seconds=10.0)
    )
    sandbox.inject(Fault.delay(5.0), method="POST")
    sent = asyncio.ensure_future(client.jobs.create(LEAD))
    queued = asyncio.ensure_future(client.jobs.create(LEAD))
    await asyncio.sleep(0.1)
    assert client.budget.reserved == 2

    for call in (sent, queued):
        call.cancel()
    await asyncio.gather(sent, queued, return_exceptions=True)

    assert client.budget.reserved == 0
    assert client.budget.uncertain == 1
    assert client.budget.available == 2
    assert posts(sandbox) == 1


def test_a_reservation_ends_once() -> None:
    parent = CreditBudget(4)
    budget = CreditBudget(3, parent=parent)
    reservation = budget.reserve(2)
    assert (budget.reserved, parent.reserved) == (2, 2)

    reservation.settle(2)
    reservation.release()
    reservation.hold_uncertain()
    reservation.refund(5)
    reservation.refund(5)

    assert (budget.spent, budget.refunded, budget.reserved) == (2, 2, 0)
    assert (parent.net, parent.uncertain) == (0, 0)
    assert budget.available == 3
    assert reservation.state == "settled"
    with pytest.raises(ValueError, match="cost"):
        budget.reserve(-1)
