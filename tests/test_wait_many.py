"""`wait_many` and the `Watcher`: many jobs waited on through the list,
against the real sandbox over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from paradigm_async import (
    APIConnectionError,
    AuthenticationError,
    InvalidInputError,
    Job,
    NotFoundError,
    ParadigmClient,
    ServerError,
    WaitTimeoutError,
)
from paradigm_async._watcher import FAILED_ROUNDS_LIMIT, Watcher
from paradigm_async.sandbox import Fault, Sandbox

Running = tuple[Sandbox, ParadigmClient]


@contextlib.asynccontextmanager
async def running(delay: float, **options: object) -> AsyncIterator[Running]:
    """A sandbox whose research takes `delay` s, and a client of it."""
    async with (
        Sandbox(rate_limit=None, processing_delay=delay) as sandbox,
        ParadigmClient(
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            rate_limit=None,
            **options,  # type: ignore[arg-type]
        ) as client,
    ):
        yield sandbox, client


def polls(sandbox: Sandbox) -> Counter[str]:
    """The job reads the sandbox received: list pages and single gets."""
    seen: Counter[str] = Counter()
    for record in sandbox.requests:
        if record.method != "GET":
            continue
        if record.path == "/v1/jobs":
            seen["list"] += 1
        elif record.path.startswith("/v1/jobs/"):
            seen["get"] += 1

    return seen


async def create(client: ParadigmClient, count: int, **lead: str) -> list[Job]:
    return list(
        await asyncio.gather(
            *(
                client.jobs.create({"email": f"lead{i}@example.com", **lead})
                for i in range(count)
            )
        )
    )


async def gather_into(jobs: AsyncIterator[Job], seen: list[str]) -> None:
    """Note each id yielded, until the iterator ends or raises."""
    async for job in jobs:
        seen.append(job.id)


def watcher_tasks() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name() == "paradigm_async.watcher" and not task.done()
    ]


async def test_many_jobs_finish_with_far_fewer_requests_than_one_by_one() -> (
    None
):
    async with running(0.3) as (sandbox, client):
        first = await create(client, 150)
        sandbox.reset_requests()
        await asyncio.gather(
            *(client.jobs.wait(job.id, poll_interval=0.05) for job in first)
        )
        each = polls(sandbox)

        second = await create(client, 150)
        sandbox.reset_requests()
        done = [
            job
            async for job in client.jobs.wait_many(
                second, poll_interval=0.05, max_interval=0.2
            )
        ]
        together = polls(sandbox)

    assert sorted(job.id for job in done) == sorted(job.id for job in second)
    assert {job.status for job in done} == {"completed"}
    assert all(job.result and job.result.subject for job in done)
    assert each["get"] >= 2 * 150
    assert together["get"] == 0
    assert 0 < together["list"] * 10 <= each["get"]


async def test_each_id_is_yielded_once_and_failed_jobs_are_yielded_too() -> (
    None
):
    async with running(0.2) as (_, client):
        good = await create(client, 5, company_domain="stripe.com")
        bad = await create(client, 3, company_domain="gone.invalid")
        ids = [job.id for job in good + bad]
        given: list[str | Job] = [*ids, *good, *ids[:2]]

        done = [
            job
            async for job in client.jobs.wait_many(
                given, poll_interval=0.05, max_interval=0.1
            )
        ]

        credits = client.credits.snapshot()

    assert sorted(job.id for job in done) == sorted(ids)
    statuses = {job.id: job.status for job in done}
    assert {statuses[job.id] for job in bad} == {"failed"}
    assert {statuses[job.id] for job in good} == {"completed"}
    assert all(job.error for job in done if job.status == "failed")
    assert (credits.spent, credits.refunded) == (8, 3)


async def test_a_finished_record_is_yielded_without_a_request() -> None:
    async with running(0) as (sandbox, client):
        [job] = await create(client, 1)
        sandbox.reset_requests()

        done = [job async for job in client.jobs.wait_many([job])]
        none = [job async for job in client.jobs.wait_many([])]

    assert done == [job]
    assert none == []
    assert len(sandbox.requests) == 0


async def test_polls_back_off_while_nothing_finishes() -> None:
    """Without backoff a second of polls every 20 ms would be 50 lists."""
    async with running(30) as (sandbox, client):
        jobs = await create(client, 3)
        sandbox.reset_requests()

        with pytest.raises(WaitTimeoutError):
            async for _ in client.jobs.wait_many(
                jobs, timeout=1.0, poll_interval=0.02, max_interval=0.16
            ):
                pass

        quiet = polls(sandbox)

    # 0.02 + 0.04 + 0.08, then every 0.16 s: about 8 rounds.
    assert 4 <= quiet["list"] <= 12
    assert quiet["get"] == 0


async def test_backoff_starts_over_when_something_finishes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="paradigm_async.watcher")
    async with (
        running(0.6) as (_, client),
        Watcher(client.jobs, poll_interval=0.02, max_interval=0.16) as w,
    ):
        [early] = await create(client, 1)
        first = asyncio.ensure_future(w.watch(early))
        await asyncio.sleep(0.45)
        [late] = await create(client, 1)

        done = [(await first).id, (await w.watch(late)).id]

    assert done == [early.id, late.id]
    rounds = [
        (getattr(r, "paradigm.finished"), getattr(r, "paradigm.interval"))
        for r in caplog.records
        if r.name == "paradigm_async.watcher"
    ]
    interval = 0.02
    for finished, chosen in rounds:
        interval = 0.02 if finished else min(interval * 2, 0.16)
        assert chosen == pytest.approx(interval)
    finishes = [i for i, (finished, _) in enumerate(rounds) if finished]
    assert len(finishes) == 2
    between = rounds[finishes[0] + 1 : finishes[1]]
    assert between[0][1] == pytest.approx(0.04)
    assert rounds[finishes[0] - 1][1] == pytest.approx(0.16)


async def test_a_timeout_names_what_still_runs_after_yielding_the_rest() -> (
    None
):
    async with running(0.3) as (_, client):
        early = await create(client, 2)
        await asyncio.sleep(0.4)
        late = await create(client, 2)
        seen: list[str] = []

        waiting = client.jobs.wait_many(
            [*late, *early], timeout=0.15, poll_interval=0.05
        )

        with pytest.raises(WaitTimeoutError) as raised:
            await gather_into(waiting, seen)

    assert sorted(seen) == sorted(job.id for job in early)
    assert raised.value.resource_id == late[0].id
    assert raised.value.last_status in {"queued", "processing"}
    assert str(raised.value).startswith("2 of 4 still running after 0.15 s")
    assert late[1].id in str(raised.value)


async def test_cancelling_the_wait_leaves_no_task_and_stops_polling() -> None:
    async with running(30) as (sandbox, client):
        jobs = await create(client, 3)

        async def consume() -> None:
            async for _ in client.jobs.wait_many(jobs, poll_interval=0.02):
                pass

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(0.15)
        assert len(watcher_tasks()) == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert watcher_tasks() == []
        before = len(sandbox.requests)
        await asyncio.sleep(0.2)

        assert len(sandbox.requests) == before


async def test_leaving_the_loop_early_stops_the_watcher_on_close() -> None:
    async with running(0.1) as (sandbox, client):
        quick = await create(client, 1)
        await asyncio.sleep(0.2)
        slow = await create(client, 1)

        async with contextlib.aclosing(
            client.jobs.wait_many([*quick, *slow], poll_interval=0.02)
        ) as waiting:
            async for job in waiting:
                assert job.id == quick[0].id
                break
        assert watcher_tasks() == []
        before = len(sandbox.requests)
        await asyncio.sleep(0.1)

        assert len(sandbox.requests) == before


async def test_a_job_deleted_while_waited_on_raises_not_found() -> None:
    """Newer than the first page's oldest: no walk looks further back."""
    async with running(30) as (sandbox, client):
        await create(client, 250)
        [gone, kept] = await create(client, 2)
        await client.jobs.delete(gone.id)
        sandbox.reset_requests()

        with pytest.raises(NotFoundError):
            async for _ in client.jobs.wait_many(
                [gone, kept], timeout=5, poll_interval=0.02
            ):
                pass

        reads = polls(sandbox)

    assert reads["get"] == 1  # after two walks missed it
    assert reads["list"] == 2


async def test_an_id_behind_newer_records_is_fetched_on_its_own() -> None:
    """Bare id, created before 150 others: the walk does not go looking."""
    async with running(0.05) as (sandbox, client):
        [old] = await create(client, 1)
        await create(client, 150)
        await asyncio.sleep(0.1)
        sandbox.reset_requests()

        done = [
            job
            async for job in client.jobs.wait_many(
                [old.id], poll_interval=0.02
            )
        ]

        reads = polls(sandbox)

    assert [(job.id, job.status) for job in done] == [(old.id, "completed")]
    assert reads == {"list": 2, "get": 1}


async def test_a_walk_passes_older_records_without_reading_them() -> None:
    """250 older records finished long ago cost no extra pages."""
    async with running(0.3) as (sandbox, client):
        await create(client, 250)
        await asyncio.sleep(0.35)
        ours = await create(client, 30)
        sandbox.reset_requests()

        done = [
            job
            async for job in client.jobs.wait_many(
                ours, poll_interval=0.05, max_interval=0.1
            )
        ]

        reads = polls(sandbox)
        pages = [
            r.query_string for r in sandbox.requests if r.path == "/v1/jobs"
        ]

    assert len(done) == 30
    assert reads["get"] == 0
    assert all("offset" not in query for query in pages)


async def test_a_passing_error_is_retried_at_the_next_round() -> None:
    async with running(0.1, max_retries=0) as (sandbox, client):
        jobs = await create(client, 2)
        sandbox.inject(Fault.html_503(), method="GET", path="/v1/jobs")

        done = [
            job
            async for job in client.jobs.wait_many(jobs, poll_interval=0.02)
        ]

    assert len(done) == 2


async def test_errors_that_persist_end_every_wait() -> None:
    async with running(30, max_retries=0) as (sandbox, client):
        jobs = await create(client, 2)
        sandbox.inject(
            Fault.html_503(),
            count=FAILED_ROUNDS_LIMIT,
            method="GET",
            path="/v1/jobs",
        )

        with pytest.raises(ServerError):
            async for _ in client.jobs.wait_many(jobs, poll_interval=0.02):
                pass

        async with ParadigmClient(
            api_key="pk_live_wrong", base_url=sandbox.url, rate_limit=None
        ) as stranger:
            with pytest.raises(AuthenticationError):
                async for _ in stranger.jobs.wait_many(
                    jobs, poll_interval=0.02
                ):
                    pass


async def test_bad_arguments_are_refused_at_the_call(
    client: ParadigmClient,
) -> None:
    jobs = client.jobs

    with pytest.raises(InvalidInputError):
        jobs.wait_many("job_1")
    with pytest.raises(InvalidInputError):
        jobs.wait_many(["job_1", ""])
    with pytest.raises(InvalidInputError):
        jobs.wait_many([42])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError):
        jobs.wait_many(["job_1"], poll_interval=0)
    with pytest.raises(InvalidInputError):
        jobs.wait_many(["job_1"], poll_interval=2, max_interval=1)
    with pytest.raises(InvalidInputError):
        jobs.wait_many(["job_1"], timeout=-1)
    with pytest.raises(InvalidInputError):
        Watcher(jobs, max_interval=float("inf"))


async def test_watchers_of_one_id_each_get_it_and_one_may_leave() -> None:
    async with running(0.3) as (_, client):
        [job] = await create(client, 1)
        async with Watcher(
            client.jobs, poll_interval=0.02, max_interval=0.05
        ) as watcher:
            leaving = asyncio.ensure_future(watcher.watch(job))
            staying = asyncio.ensure_future(watcher.watch(job.id))
            await asyncio.sleep(0.05)
            assert watcher.watching == 1
            leaving.cancel()

            done = await staying

            assert watcher.watching == 0
            await asyncio.sleep(0.05)
            assert watcher_tasks() == []

    assert leaving.cancelled()
    assert (done.id, done.status) == (job.id, "completed")


async def test_a_watch_can_time_out_and_close_ends_the_others() -> None:
    async with running(30) as (_, client):
        [job] = await create(client, 1)
        watcher = Watcher(client.jobs, poll_interval=0.02)

        with pytest.raises(WaitTimeoutError) as raised:
            await watcher.watch(job, timeout=0.1)
        pending = asyncio.ensure_future(watcher.watch(job))
        await asyncio.sleep(0.05)
        await watcher.close()

        with pytest.raises(APIConnectionError):
            await pending
        with pytest.raises(APIConnectionError):
            await watcher.watch(job)

    assert raised.value.resource_id == job.id
    assert raised.value.last_status in {"queued", "processing"}
    assert watcher_tasks() == []
