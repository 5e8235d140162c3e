"""Requests spent polling per job finished: one by one against wait_many.

Creates `JOBS` jobs in the sandbox (one in 30 with a failing domain),
whose research takes `DELAY` seconds, then waits for all of them twice
over, on a fresh sandbox each time: (a) one `jobs.wait` per job, every
`POLL` seconds, all at once; (b) one `jobs.wait_many` over them all,
from the same `POLL` and backing off to `MAX_INTERVAL`. Only the wait is
counted: every request the sandbox receives from the end of the creates
until the last job is yielded. First with no rate limit anywhere (the
requests asked for), then with the documented 100 requests a minute
compressed sixty times, 100 a second, on both sides (what the polls
then take of the budget, and how long the wait lasts). A table in
about a minute. Run: ``python benchmarks/polling.py``.
"""

from __future__ import annotations

import asyncio
import time

from paradigm_async import Job, ParadigmClient, RateLimit
from paradigm_async.sandbox import Sandbox

JOBS = 300
DELAY = 6.0
POLL = 0.25
MAX_INTERVAL = 2.0
BUDGET = (100, 1.0)
"""100 requests a minute on a clock sixty times faster."""


async def one_by_one(client: ParadigmClient, jobs: list[Job]) -> int:
    """Wait on each job with its own polls; return how many finished."""
    done = await asyncio.gather(
        *(client.jobs.wait(job.id, poll_interval=POLL) for job in jobs)
    )

    return sum(1 for job in done if job.is_terminal)


async def together(client: ParadigmClient, jobs: list[Job]) -> int:
    """Wait on every job through one `wait_many`."""
    finished = 0
    async for job in client.jobs.wait_many(
        jobs, poll_interval=POLL, max_interval=MAX_INTERVAL
    ):
        finished += job.is_terminal

    return finished


async def run(
    method: str, limited: bool
) -> tuple[int, int, float, float | None]:
    """Polling requests, jobs finished, wall seconds, budget share."""
    limit = BUDGET if limited else None
    rate = (
        RateLimit(requests=BUDGET[0], seconds=BUDGET[1]) if limited else None
    )
    async with (
        Sandbox(rate_limit=limit, processing_delay=DELAY, credits=JOBS)
        as sandbox,
        ParadigmClient(
            api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=rate
        ) as client,
    ):  # fmt: skip
        jobs = await asyncio.gather(
            *(client.jobs.create(_lead(i)) for i in range(JOBS))
        )
        sandbox.reset_requests()
        started = time.monotonic()
        wait = one_by_one if method == "one by one" else together
        finished = await wait(client, jobs)
        wall = time.monotonic() - started
        polls = len(sandbox.requests)
    share = polls / (wall * BUDGET[0] / BUDGET[1]) if limited else None

    return polls, finished, wall, share


def _lead(index: int) -> dict[str, str]:
    domain = "gone.invalid" if index % 30 == 0 else "stripe.com"

    return {"email": f"lead{index}@example.com", "company_domain": domain}


async def main() -> None:
    print(
        f"{JOBS} jobs, research {DELAY:g} s, poll every {POLL:g} s "
        f"(wait_many backs off to {MAX_INTERVAL:g} s)"
    )
    print(
        f"{'rate limit':<15} {'method':<11} {'polls':>6} {'per job':>8} "
        f"{'wall s':>7} {'of budget':>10}"
    )
    for limited in (False, True):
        for method in ("one by one", "wait_many"):
            polls, finished, wall, share = await run(method, limited)
            label = "100/s both" if limited else "none"
            budget = "" if share is None else f"{share:.0%}"
            print(
                f"{label:<15} {method:<11} {polls:>6} "
                f"{polls / finished:>8.3f} {wall:>7.1f} {budget:>10}"
            )


if __name__ == "__main__":
    asyncio.run(main())
