"""`paradigm personalize`: one job per CSV row, one personalized email out.

Rows are created the way `paradigm enrich` creates them (`create_many`:
at most `concurrency` creates in flight, a row without a valid email
refused before sending, nothing sent after a 401 or 402), but the jobs
are not polled one by one: each is handed to one `Watcher` as soon as
its create answers, and that one loop polls them all through the list
endpoint, 100 a request, backing off while none finishes. So
`concurrency` bounds creates, not waits, and a file of thousands costs a
few list requests a round instead of a request per job per poll. Each
row gets its line, in input order: the job and its email, or why there
is none; a job charged whose wait then fails keeps its id and cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import attrs

from .._bulk import BulkResult
from .._client import ParadigmClient
from .._errors import InvalidInputError, NotSentError, ParadigmError
from .._models import Job, Lead, ResearchMode, unstructure
from .._watcher import Watcher
from ..resources._bulk_create import LeadInput
from ._leads_csv import read_rows
from ._output import (
    Line,
    error_fields,
    finished_fields,
    open_output,
    output_format,
)
from ._progress import progress_bar
from .enrich import Summary

__all__ = ["PersonalizeOptions", "personalize_file"]

Result = BulkResult[LeadInput, Job]


@attrs.frozen(kw_only=True)
class PersonalizeOptions:
    """What one `paradigm personalize` run does."""

    leads: Path
    output: Path
    customization_template_id: str
    enrichment_template_id: str | None = None
    research_mode: ResearchMode = ResearchMode.STANDARD
    output_format: str | None = None
    """``jsonl`` or ``csv``; None: by the output's extension."""
    concurrency: int = 8
    poll_interval: float = 2.0
    max_interval: float = 30.0
    wait_timeout: float = 600.0
    """Seconds each job may take from its create to its end."""
    progress: bool = True


async def personalize_file(
    client: ParadigmClient, options: PersonalizeOptions
) -> Summary:
    """Personalize an email for every row of `options.leads`.

    Lines go to `options.output` in input order, each flushed as it is
    written.
    """
    summary = Summary(rows=sum(1 for _ in read_rows(options.leads)))
    fmt = output_format(options.output, options.output_format)
    created = client.jobs.create_many(
        (row.lead for row in read_rows(options.leads)),
        research_mode=options.research_mode,
        customization_template_id=options.customization_template_id,
        enrichment_template_id=options.enrichment_template_id,
        concurrency=options.concurrency,
        ordered=True,
        wait=False,
    )
    watcher = Watcher(
        client.jobs,
        poll_interval=options.poll_interval,
        max_interval=options.max_interval,
    )
    bar = progress_bar(summary.rows, "personalizing", enabled=options.progress)
    async with watcher:
        with open_output(
            options.output, fmt=fmt, leads=options.leads, record="job"
        ) as out:
            try:
                lines = _lines(created, watcher, options.wait_timeout)
                async for result, line in lines:
                    summary.count(line["outcome"])
                    if isinstance(result.error, NotSentError):
                        summary.stopped = str(result.error.cause)
                    out.write(line)
                    bar.update()
            finally:
                bar.close()

    return summary


async def _lines(
    created: AsyncIterator[Result], watcher: Watcher[Job], timeout: float
) -> AsyncIterator[tuple[Result, Line]]:
    """Each row's create result and line, in input order.

    Creating runs in its own task, so that the rows before the one being
    written keep being created (and their jobs watched) meanwhile.
    """
    queue: asyncio.Queue[tuple[Result, asyncio.Task[Line]] | None]
    queue = asyncio.Queue()
    waits: set[asyncio.Task[Line]] = set()

    async def create_all() -> None:
        try:
            async for result in created:
                wait = asyncio.ensure_future(_line(result, watcher, timeout))
                waits.add(wait)
                queue.put_nowait((result, wait))
        finally:
            queue.put_nowait(None)

    creating = asyncio.ensure_future(create_all())
    try:
        while (item := await queue.get()) is not None:
            result, wait = item
            line = await wait
            waits.discard(wait)
            yield result, line
        await creating
    finally:
        creating.cancel()
        for wait in waits:
            wait.cancel()
        await asyncio.gather(creating, *waits, return_exceptions=True)


async def _line(result: Result, watcher: Watcher[Job], timeout: float) -> Line:
    """One row's line: its job once finished, or why it has none."""
    base: Line = {"row": result.index + 1, "email": _email(result.input)}
    error, job = result.error, result.value
    if isinstance(error, NotSentError):
        return {**base, **_error_fields("skipped", str(error))}
    if isinstance(error, InvalidInputError):
        return {**base, **_error_fields("invalid", str(error), error)}
    if error is not None or job is None:
        message = str(error) if error else "no job was returned"
        return {**base, **_error_fields("errors", message, error)}

    charged = job.charge.credits if job.charge else 0
    try:
        done = await watcher.watch(job, timeout=timeout)
    except ParadigmError as exc:
        # Charged, then the wait failed: keep its id and cost.
        return {
            **base,
            **_error_fields("errors", str(exc), exc),
            "status": str(job.status),
            "credits": charged,
            "job": unstructure(job),
        }

    return {**base, **finished_fields(done, charged, record="job")}


def _error_fields(
    outcome: str, message: str, exc: BaseException | None = None
) -> Line:
    return error_fields(outcome, message, exc, record="job")


def _email(lead: LeadInput) -> object:
    return lead.email if isinstance(lead, Lead) else lead.get("email")
