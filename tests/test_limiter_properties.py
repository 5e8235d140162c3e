"""Properties of the limiter over random arrival patterns, in virtual time.

Bursts, idle gaps, cancellations, both lanes, answers of random delay
and the occasional 429: whatever the pattern, no N + 1 slots fall in one
window, each lane is served in arrival order, interactive callers that
were waiting go ahead of bulk ones, a cancelled caller gives its place
back, and nothing is left waiting at the end. Each example runs on a
virtual clock that raises rather than hang.
"""

from __future__ import annotations

import asyncio
import math

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limiter_sim import busiest
from virtual_clock import run_virtual

from paradigm_async import RateLimit
from paradigm_async._ratelimit import Limiter


@attrs.frozen
class Caller:
    """One call: when it comes, in which lane, and if it gives up."""

    gap: float
    lane: str
    cancel_after: float | None
    answer_delay: float
    rejected: bool


@attrs.define
class Outcome:
    """What happened to one caller."""

    caller: Caller
    arrived: float
    granted: float | None = None
    cancelled_at: float | None = None


gaps = st.one_of(
    st.just(0.0),  # a burst
    st.floats(0.0, 1.0),
    st.floats(5.0, 30.0),  # an idle spell, longer than any window
)
callers = st.builds(
    Caller,
    gap=gaps,
    lane=st.sampled_from(["bulk", "bulk", "interactive"]),
    cancel_after=st.one_of(st.none(), st.floats(0.0, 10.0)),
    answer_delay=st.floats(0.0, 1.0),
    rejected=st.just(False),
)
rates = st.builds(
    RateLimit,
    requests=st.integers(1, 8),
    seconds=st.floats(0.5, 6.0),
    margin=st.one_of(st.none(), st.floats(0.0, 0.5)),
)


async def play(rate: RateLimit, pattern: list[Caller]) -> list[Outcome]:
    """Run `pattern` against one limiter; answer each granted call."""
    loop = asyncio.get_running_loop()
    limiter = Limiter(rate)
    outcomes: list[Outcome] = []
    tasks: list[asyncio.Task[None]] = []

    async def call(outcome: Outcome) -> None:
        await limiter.acquire(outcome.caller.lane)
        outcome.granted = loop.time()
        await asyncio.sleep(outcome.caller.answer_delay)
        status = 429 if outcome.caller.rejected else 200
        limiter.observe(
            status, {"Retry-After": "1"}, loop.time() - outcome.granted
        )

    def give_up(task: asyncio.Task[None], outcome: Outcome) -> None:
        if outcome.granted is None:
            outcome.cancelled_at = loop.time()
            task.cancel()

    for caller in pattern:
        await asyncio.sleep(caller.gap)
        outcome = Outcome(caller, arrived=loop.time())
        outcomes.append(outcome)
        task = asyncio.create_task(call(outcome))
        tasks.append(task)
        if caller.cancel_after is not None:
            loop.call_later(caller.cancel_after, give_up, task, outcome)
    await asyncio.gather(*tasks, return_exceptions=True)

    assert not any(limiter._lanes.values()), "a waiter was left queued"
    assert not limiter._turn_taken, "the turn was never passed on"
    assert asyncio.all_tasks() == {asyncio.current_task()}

    return outcomes


def run(rate: RateLimit, pattern: list[Caller]) -> list[Outcome]:
    longest = sum(c.gap + c.answer_delay for c in pattern)
    slots = (len(pattern) + 1) * (rate.interval + rate.seconds)

    return run_virtual(play(rate, pattern), limit=longest + slots + 200)


property_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@property_settings
@given(rate=rates, pattern=st.lists(callers, min_size=1, max_size=40))
def test_no_window_ever_holds_more_than_n(
    rate: RateLimit, pattern: list[Caller]
) -> None:
    outcomes = run(rate, pattern)
    granted = [o.granted for o in outcomes if o.granted is not None]

    assert busiest(granted, rate.seconds) <= rate.requests
    # Nobody who stayed was forgotten.
    assert all(
        o.granted is not None for o in outcomes if o.cancelled_at is None
    )


@property_settings
@given(rate=rates, pattern=st.lists(callers, min_size=1, max_size=40))
def test_each_lane_is_served_in_arrival_order(
    rate: RateLimit, pattern: list[Caller]
) -> None:
    outcomes = run(rate, pattern)

    for lane in ("interactive", "bulk"):
        grants = [
            o.granted
            for o in outcomes
            if o.caller.lane == lane and o.granted is not None
        ]
        assert grants == sorted(grants)


@property_settings
@given(rate=rates, pattern=st.lists(callers, min_size=1, max_size=40))
def test_waiting_interactive_calls_go_before_bulk_ones(
    rate: RateLimit, pattern: list[Caller]
) -> None:
    """No bulk slot is granted while an interactive caller that was
    already queued at the previous grant is still waiting."""
    outcomes = run(rate, pattern)
    grants = sorted(o.granted for o in outcomes if o.granted is not None)

    for bulk in outcomes:
        if bulk.caller.lane != "bulk" or bulk.granted is None:
            continue
        earlier = [g for g in grants if g < bulk.granted]
        if not earlier:
            continue
        previous = earlier[-1]
        for other in outcomes:
            if other.caller.lane != "interactive":
                continue
            waiting_until = min(
                other.granted or math.inf, other.cancelled_at or math.inf
            )
            assert not (
                other.arrived < previous and waiting_until > bulk.granted
            ), "a bulk call overtook a waiting interactive one"


@property_settings
@given(
    rate=rates,
    pattern=st.lists(
        callers.map(lambda c: attrs.evolve(c, rejected=True)),
        min_size=1,
        max_size=10,
    ),
)
def test_a_429_holds_every_later_slot_back(
    rate: RateLimit, pattern: list[Caller]
) -> None:
    """After an answer with Retry-After: 1 no slot is granted for 1 s."""
    outcomes = run(rate, pattern)
    granted = sorted(o.granted for o in outcomes if o.granted is not None)
    answered = sorted(
        o.granted + o.caller.answer_delay
        for o in outcomes
        if o.granted is not None
    )

    for at in answered:
        assert not [g for g in granted if at + 1e-3 < g < at + 1.0 - 1e-3]
