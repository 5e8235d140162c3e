"""`paradigm enrich`: one enrichment per CSV row, one line out per row.

Rows are sent with bounded concurrency and written in input order. Every
row gets its line: the finished enrichment, or why it has none. A row
whose email is missing or malformed is refused by the SDK before sending,
so it costs nothing. A row charged whose wait then fails keeps its
enrichment's id and cost in its line. After an authentication or credit
error no further row is sent, the rows left are written as skipped, and
the run exits non-zero. With ``--journal run.db`` the run can be killed
at any moment and rerun with the same command: done rows are not paid
for again (see `paradigm_async.resources._bulk_create`).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import attrs

from .._bulk import BulkResult
from .._client import ParadigmClient
from .._errors import InvalidInputError, NotSentError
from .._models import Enrichment, ResearchMode, unstructure
from ._leads_csv import read_rows
from ._output import (
    LineWriter,
    error_fields,
    finished_fields,
    open_output,
    output_format,
)
from ._progress import progress_bar

__all__ = ["EnrichOptions", "Summary", "enrich_file"]

Line = dict[str, Any]
"""One output line: row, email, outcome, status, credits, enrichment,
error."""


@attrs.frozen(kw_only=True)
class EnrichOptions:
    """What one `paradigm enrich` run does."""

    leads: Path
    output: Path
    research_mode: ResearchMode = ResearchMode.STANDARD
    concurrency: int = 8
    poll_interval: float = 2.0
    wait_timeout: float = 600.0
    progress: bool = True
    journal: Path | None = None
    output_format: str | None = None
    """``jsonl`` or ``csv``; None: by the output's extension."""


@attrs.define
class Summary:
    """Counts of one run, printed at its end."""

    rows: int = 0
    completed: int = 0
    failed: int = 0
    invalid: int = 0
    errors: int = 0
    skipped: int = 0
    resumed: int = 0
    """Rows finished by an earlier run, taken from the journal."""
    stopped: str | None = None
    """Why sending stopped early (an authentication or credit error)."""

    @property
    def exit_code(self) -> int:
        """0 when every row ended as it should; 1 after a stop or when a
        row ended in an error (the run can be rerun)."""
        return 0 if self.stopped is None and not self.errors else 1

    def count(self, outcome: str) -> None:
        """Add one row that ended as `outcome`."""
        setattr(self, outcome, getattr(self, outcome) + 1)


async def enrich_file(
    client: ParadigmClient, options: EnrichOptions
) -> Summary:
    """Enrich every row of `options.leads` into `options.output`.

    Rows are read lazily and written in input order as they finish. With
    a journal the lines go to a partial file that replaces the output
    only once every row has its line, so a rerun after a crash leaves
    one complete file; without one, each line is written as it comes,
    so a crash keeps every line already paid for.
    """
    summary = Summary(rows=_count_rows(options.leads))
    bar = progress_bar(summary.rows, "enriching", enabled=options.progress)
    target = options.output
    if options.journal is not None:
        target = target.with_name(f"{target.name}.partial")
    results = client.enrichments.create_many(
        (row.lead for row in read_rows(options.leads)),
        research_mode=options.research_mode,
        concurrency=options.concurrency,
        ordered=True,
        poll_interval=options.poll_interval,
        wait_timeout=options.wait_timeout,
        journal=options.journal,
    )
    fmt = output_format(options.output, options.output_format)

    def take(result: BulkResult[Any, Enrichment], out: LineWriter) -> None:
        line = _line(result)
        summary.count(line["outcome"])
        summary.resumed += result.resumed
        if isinstance(result.error, NotSentError):
            summary.stopped = str(result.error.cause)
        out.write(line)
        bar.update()

    try:
        async with contextlib.aclosing(results):
            # The first result comes once the journal is open and locked:
            # a run refused for another's journal must not touch its file.
            first = await anext(results, None)
            with open_output(
                target, fmt=fmt, leads=options.leads, record="enrichment"
            ) as out:
                if first is not None:
                    take(first, out)
                async for result in results:
                    take(result, out)
    finally:
        bar.close()
    if target != options.output:
        target.replace(options.output)

    return summary


def _count_rows(path: Path) -> int:
    return sum(1 for _ in read_rows(path))


def _line(result: BulkResult[Any, Enrichment]) -> Line:
    """One row's line: the enrichment, or why it has none."""
    base: Line = {
        "row": result.index + 1,
        "email": result.input.get("email"),
    }
    error, enrichment = result.error, result.value
    if error is None:
        assert enrichment is not None
        charged = enrichment.charge.credits if enrichment.charge else 0
        return {**base, **_enrichment_fields(enrichment, charged)}
    if isinstance(error, NotSentError):
        return {**base, **_error_fields("skipped", str(error))}
    if isinstance(error, InvalidInputError):
        return {**base, **_error_fields("invalid", str(error), error)}
    line = {**base, **_error_fields("errors", str(error), error)}
    if enrichment is not None:
        # Charged, then the wait failed: keep its id and cost.
        charged = enrichment.charge.credits if enrichment.charge else 0
        line.update(
            status=str(enrichment.status),
            credits=charged,
            enrichment=unstructure(enrichment),
        )

    return line


def _enrichment_fields(enrichment: Enrichment, charged: int) -> Line:
    return finished_fields(enrichment, charged, record="enrichment")


def _error_fields(
    outcome: str, message: str, exc: BaseException | None = None
) -> Line:
    return error_fields(outcome, message, exc, record="enrichment")


def print_summary(summary: Summary, client: ParadigmClient) -> None:
    """The run's closing lines, on stderr."""
    credits = client.credits.snapshot()
    print(
        f"{summary.rows} rows: {summary.completed} completed, "
        f"{summary.failed} failed (refunded), {summary.invalid} invalid "
        f"(not sent), {summary.errors} errors, {summary.skipped} skipped",
        file=sys.stderr,
    )
    remaining = "unknown" if credits.remaining is None else credits.remaining
    print(
        f"credits: {credits.net} net ({credits.spent} charged, "
        f"{credits.refunded} refunded); balance {remaining} when last "
        "reported",
        file=sys.stderr,
    )
    if summary.resumed:
        print(
            f"{summary.resumed} rows were finished by an earlier run "
            "(from the journal)",
            file=sys.stderr,
        )
    if summary.stopped is not None:
        print(f"stopped early: {summary.stopped}", file=sys.stderr)
