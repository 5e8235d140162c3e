"""`create_many`: lazy, bounded, one result per input, errors per input."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeClient
from sandbox_process import sandbox_process

from paradigm_async import (
    BulkProgress,
    ConfigurationError,
    CreditBudgetExceeded,
    InsufficientCreditsError,
    InvalidInputError,
    NotSentError,
    ParadigmClient,
    Status,
)
from paradigm_async._journal import Journal
from paradigm_async.sandbox import Fault, Sandbox


def leads(count: int, *, start: int = 0) -> Iterator[dict[str, Any]]:
    for i in range(start, start + count):
        yield {"email": f"lead{i}@example.com", "company_domain": "acme.com"}


async def test_one_result_per_lead_in_input_order(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    mixed: list[dict[str, Any]] = [
        *leads(5),
        {"email": "not an email"},
        {"email": "gone@example.com", "company_domain": "gone.invalid"},
        *leads(5, start=5),
    ]

    results = [
        r
        async for r in client.enrichments.create_many(
            mixed, concurrency=4, ordered=True, poll_interval=0.02
        )
    ]

    assert [r.index for r in results] == list(range(12))
    assert [r.input for r in results] == mixed
    assert isinstance(results[5].error, InvalidInputError)
    failed = results[6].value
    assert failed is not None
    assert failed.status == Status.FAILED
    assert all(r.ok for i, r in enumerate(results) if i != 5)
    assert {r.value.status for r in results if r.value} == {
        Status.COMPLETED,
        Status.FAILED,
    }
    # The invalid lead was never sent; the others once each.
    creates = [q for q in sandbox.requests if q.method == "POST"]
    assert len(creates) == 11
    account = sandbox.account()
    assert (account.charged, account.refunded) == (11, 1)
    assert client.credits.net == account.charged - account.refunded


async def test_inputs_are_read_only_as_slots_free_up(
    client: ParadigmClient,
) -> None:
    read = 0
    in_flight_seen: list[int] = []

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal read
        for lead in leads(40):
            read += 1
            yield lead

    def progress(p: BulkProgress) -> None:
        in_flight_seen.append(p.in_flight)

    results = client.enrichments.create_many(
        counting(), concurrency=5, wait=False, on_progress=progress
    )
    first = await anext(results)
    assert read <= 5 + 1
    rest = [r async for r in results]

    assert first.ok
    assert len(rest) + 1 == 40
    assert max(in_flight_seen) <= 5


async def test_an_async_iterable_of_leads_works_too(
    client: ParadigmClient,
) -> None:
    async def source() -> AsyncIterator[dict[str, Any]]:
        for lead in leads(7):
            await asyncio.sleep(0)
            yield lead

    results = [r async for r in client.jobs.create_many(source(), wait=False)]

    assert sorted(r.index for r in results) == list(range(7))
    assert all(r.ok for r in results)


async def test_after_a_402_nothing_more_is_sent(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.set_credits(3)

    results = [
        r
        async for r in client.enrichments.create_many(
            leads(20), concurrency=1, ordered=True, wait=False
        )
    ]

    assert [r.ok for r in results[:3]] == [True] * 3
    assert isinstance(results[3].error, InsufficientCreditsError)
    assert all(isinstance(r.error, NotSentError) for r in results[4:])
    assert len([q for q in sandbox.requests if q.method == "POST"]) == 4


@pytest.mark.parametrize(
    "options",
    [
        {"concurrency": 0},
        {"concurrency": True},
        {"research_mode": "turbo"},
        {"poll_interval": 0},
        {"enrichment_template_id": ""},
    ],
)
async def test_bad_options_raise_at_the_call(
    sandbox: Sandbox, client: ParadigmClient, options: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        client.enrichments.create_many(leads(3), **options)
    assert not sandbox.requests


async def test_leads_that_are_not_iterable_are_refused(
    client: ParadigmClient,
) -> None:
    with pytest.raises(InvalidInputError, match="iterable"):
        client.jobs.create_many(42)  # type: ignore[arg-type]


async def test_breaking_out_cancels_the_calls_in_flight(
    make_client: MakeClient,
) -> None:
    client = make_client()
    results = client.enrichments.create_many(leads(100), concurrency=10)
    async for _ in results:
        break
    await results.aclose()

    await asyncio.sleep(0)
    running = {
        getattr(t.get_coro(), "__qualname__", "")
        for t in asyncio.all_tasks()
        if not t.done()
    }
    assert "_Run._one" not in running


async def test_a_journal_skips_what_an_earlier_run_finished(
    sandbox: Sandbox, client: ParadigmClient, tmp_path: Path
) -> None:
    journal = tmp_path / "run.db"
    first = [
        r
        async for r in client.enrichments.create_many(
            leads(10), journal=journal, poll_interval=0.02
        )
    ]
    again = [
        r
        async for r in client.enrichments.create_many(
            leads(12), journal=journal, poll_interval=0.02, ordered=True
        )
    ]

    assert all(r.ok for r in first + again)
    assert [r.resumed for r in again] == [True] * 10 + [False] * 2
    assert {r.value.id for r in again[:10] if r.value} == {
        r.value.id for r in first if r.value
    }
    assert sandbox.account().charged == 12


async def test_a_journal_refuses_another_input(
    sandbox: Sandbox, client: ParadigmClient, tmp_path: Path
) -> None:
    """Nothing of the other file is sent, not even past the journal's end."""
    journal = tmp_path / "run.db"
    async for _ in client.enrichments.create_many(
        leads(2), journal=journal, wait=False
    ):
        pass

    with pytest.raises(ConfigurationError, match="another input"):
        async for _ in client.enrichments.create_many(
            leads(5, start=50), journal=journal, wait=False
        ):
            pass

    assert sandbox.account().charged == 2


async def test_a_resent_create_keeps_its_key_when_refused(
    sandbox: Sandbox, client: ParadigmClient, tmp_path: Path
) -> None:
    """An input sent by an earlier run may still get its record: a rerun
    refused before sending (here by its budget) must not forget the key,
    or the run after it would pay twice."""
    journal_path = tmp_path / "run.db"
    sandbox.inject(Fault.drop_after(), method="POST")
    first = [
        r
        async for r in client.enrichments.create_many(
            leads(1), journal=journal_path, wait=False
        )
    ]
    assert first[0].error is not None  # charged, answer lost
    # The answer was lost after the work: hide the record from the lookup.
    [record] = await client.enrichments.list().collect()
    await client.enrichments.delete(record.id)

    refused = [
        r
        async for r in client.enrichments.create_many(
            leads(1), journal=journal_path, wait=False, max_credits=0
        )
    ]
    assert isinstance(refused[0].error, CreditBudgetExceeded)
    journal = Journal(journal_path, kind="enrichments")
    try:
        [entry] = journal.unfinished()
    finally:
        journal.close()
    assert (
        entry.idempotency_key == sandbox.requests[0].headers["Idempotency-Key"]
    )


async def test_after_a_402_done_inputs_still_come_back(
    sandbox: Sandbox, client: ParadigmClient, tmp_path: Path
) -> None:
    journal = tmp_path / "run.db"
    async for _ in client.enrichments.create_many(
        leads(4), journal=journal, wait=False
    ):
        pass
    sandbox.set_credits(0)

    again = [
        r
        async for r in client.enrichments.create_many(
            leads(6), journal=journal, wait=False, ordered=True
        )
    ]

    assert [r.resumed for r in again[:4]] == [True] * 4
    assert all(r.ok for r in again[:4])
    assert isinstance(again[4].error, InsufficientCreditsError)


async def test_only_records_of_this_run_are_adopted(
    sandbox: Sandbox, client: ParadigmClient, tmp_path: Path
) -> None:
    """A record of the same lead made with other options is not taken."""
    journal = tmp_path / "run.db"
    [lead] = list(leads(1))
    premium = await client.enrichments.create(lead, research_mode="premium")
    sandbox.inject(Fault.drop_before(), method="POST")
    async for _ in client.enrichments.create_many(
        [lead], journal=journal, wait=False
    ):
        pass

    [result] = [
        r
        async for r in client.enrichments.create_many(
            [lead], journal=journal, wait=False
        )
    ]

    assert result.value is not None
    assert result.value.id != premium.id
    assert result.value.research_mode == "standard"


async def test_a_slow_source_does_not_hold_back_results(
    client: ParadigmClient,
) -> None:
    seen: list[float] = []

    async def slow() -> AsyncIterator[dict[str, Any]]:
        yield next(leads(1))
        await asyncio.sleep(2)
        yield next(leads(1, start=1))

    loop = asyncio.get_running_loop()
    started = loop.time()
    async for _ in client.enrichments.create_many(slow(), wait=False):
        seen.append(loop.time() - started)

    assert seen[0] < 1.0
    assert len(seen) == 2


async def test_a_failing_source_gives_its_results_then_its_error(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    async def breaking() -> AsyncIterator[dict[str, Any]]:
        for lead in leads(3):
            yield lead
        await asyncio.sleep(0.2)
        raise OSError("the file went away")

    got: list[object] = []

    async def consume() -> None:
        async for result in client.enrichments.create_many(
            breaking(), wait=False
        ):
            got.append(result)

    with pytest.raises(OSError, match="went away"):
        await consume()

    assert len(got) == 3
    assert sandbox.account().charged == 3


async def test_a_database_that_is_not_a_journal_is_left_alone(
    client: ParadigmClient, tmp_path: Path
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE rows (x INTEGER)")
    before = path.read_bytes()

    with pytest.raises(ConfigurationError, match="not a journal"):
        async for _ in client.jobs.create_many(leads(1), journal=path):
            pass

    assert path.read_bytes() == before


async def test_a_journal_in_a_missing_directory_is_a_clear_error(
    client: ParadigmClient, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="cannot open"):
        async for _ in client.jobs.create_many(
            leads(1), journal=tmp_path / "missing" / "run.db"
        ):
            pass


def test_a_link_to_a_journal_in_use_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    link = tmp_path / "alias.db"
    first = Journal(path, kind="jobs")
    link.symlink_to(path)
    try:
        with pytest.raises(ConfigurationError, match="in use"):
            Journal(link, kind="jobs")
    finally:
        first.close()


def _memory_of_run(url: str, key: str, count: int) -> tuple[int, int]:
    """Traced memory of one bulk run of `count` leads, in bytes: what it
    still holds at its end, after a collection, and its peak."""

    async def run() -> tuple[int, int]:
        async with ParadigmClient(
            api_key=key, base_url=url, rate_limit=None
        ) as client:
            async for _ in client.enrichments.create_many(leads(50)):
                pass  # decoders and pools made before the count starts
            gc.collect()
            tracemalloc.start()
            done = 0
            async for result in client.enrichments.create_many(
                leads(count), concurrency=16, poll_interval=0.01
            ):
                done += result.ok
            gc.collect()
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert done == count
            return held, peak

    return asyncio.run(run())


def test_memory_does_not_grow_with_the_number_of_leads() -> None:
    """Eight times the leads, the same memory held at the end: nothing
    is kept per lead (100 bytes each would be 700 KB here), and the peak
    stays a few hundred KB. The sandbox runs in another process, so its
    records do not count. ``benchmarks/bulk.py`` runs 100,000."""
    with sandbox_process(
        "--rate-limit", "off", "--processing-delay", "0",
        "--credits", "100000",
    ) as child:  # fmt: skip
        small, _ = _memory_of_run(child.url, child.api_key, 1000)
        large, peak = _memory_of_run(child.url, child.api_key, 8000)

    assert large < small + 256 * 1024, (small, large)
    assert peak < 4 << 20, peak


async def test_a_run_budget_holds_under_concurrency(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    results = [
        r
        async for r in client.enrichments.create_many(
            leads(50), concurrency=50, wait=False, max_credits=7
        )
    ]

    over = [r for r in results if isinstance(r.error, CreditBudgetExceeded)]
    assert len(over) == 43
    assert sum(r.ok for r in results) == 7
    assert len([q for q in sandbox.requests if q.method == "POST"]) == 7
    assert sandbox.account().charged == 7
    # The client's own budget (none) is untouched by the run's cap.
    assert client.budget.limit is None


async def test_a_bad_run_budget_is_refused_at_the_call(
    client: ParadigmClient,
) -> None:
    with pytest.raises(ConfigurationError):
        client.jobs.create_many(leads(1), max_credits=-1)
