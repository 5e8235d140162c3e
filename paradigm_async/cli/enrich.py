"""`paradigm enrich`: one enrichment per CSV row, one JSON line per row.

Rows are sent with bounded concurrency and written in input order. Every
row gets its line: the finished enrichment, or why it has none. A row
whose email is missing or malformed is refused by the SDK before sending,
so it costs nothing. A row charged whose wait then fails keeps its
enrichment's id and cost in its line. After an authentication or credit
error no further row is sent, the rows left are written as skipped, and
the run exits non-zero.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import attrs

from .. import _json
from .._client import ParadigmClient
from .._errors import (
    APIError,
    AuthenticationError,
    InsufficientCreditsError,
    InvalidInputError,
    ParadigmError,
)
from .._models import Enrichment, ResearchMode, Status, unstructure
from ._leads_csv import CsvRow, read_rows
from ._progress import progress_bar

__all__ = ["EnrichOptions", "Summary", "enrich_file"]

_FATAL = (AuthenticationError, InsufficientCreditsError)

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


@attrs.define
class Summary:
    """Counts of one run, printed at its end."""

    rows: int = 0
    completed: int = 0
    failed: int = 0
    invalid: int = 0
    errors: int = 0
    skipped: int = 0
    stopped: str | None = None
    """Why sending stopped early (an authentication or credit error)."""

    def count(self, outcome: str) -> None:
        """Add one row that ended as `outcome`."""
        setattr(self, outcome, getattr(self, outcome) + 1)


async def enrich_file(
    client: ParadigmClient, options: EnrichOptions
) -> Summary:
    """Enrich every row of `options.leads` into `options.output`."""
    rows = list(read_rows(options.leads))
    summary = Summary(rows=len(rows))
    bar = progress_bar(len(rows), "enriching", enabled=options.progress)
    run = _Run(client, options)
    with options.output.open("w", encoding="utf-8") as out:
        try:
            async for line in run.lines(rows):
                summary.count(line["outcome"])
                _write(out, line)
                bar.update()
        finally:
            bar.close()
    summary.stopped = run.stop_reason

    return summary


class _Run:
    """One run's rows in flight, and whether sending has been stopped."""

    def __init__(self, client: ParadigmClient, options: EnrichOptions):
        self._client = client
        self._options = options
        self._slots = asyncio.Semaphore(options.concurrency)
        self.stop_reason: str | None = None

    async def lines(self, rows: list[CsvRow]) -> AsyncIterator[Line]:
        """Yield each row's line in input order as the rows finish.

        One task per row, at most `concurrency` of them working at once:
        sized for files that fit in memory; the bulk module streams.
        """
        tasks = [asyncio.ensure_future(self._line(row)) for row in rows]
        try:
            for task in tasks:
                yield await task
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _line(self, row: CsvRow) -> Line:
        base: Line = {"row": row.number, "email": row.lead.get("email")}
        async with self._slots:
            if self.stop_reason is not None:
                skipped = f"not sent: {self.stop_reason}"
                return {**base, **_error_fields("skipped", skipped)}
            try:
                created = await self._client.enrichments.create(
                    row.lead, research_mode=self._options.research_mode
                )
            except InvalidInputError as exc:
                return {**base, **_error_fields("invalid", str(exc), exc)}
            except _FATAL as exc:
                self.stop_reason = f"an earlier row failed with {exc}"
                return {**base, **_error_fields("errors", str(exc), exc)}
            except ParadigmError as exc:
                return {**base, **_error_fields("errors", str(exc), exc)}

            return {**base, **await self._finish(created)}

    async def _finish(self, created: Enrichment) -> Line:
        """Wait for a charged enrichment; keep its id if the wait fails."""
        charged = created.charge.credits if created.charge else 0
        if created.is_terminal:
            return _enrichment_fields(created, charged)
        try:
            done = await self._client.enrichments.wait(
                created.id,
                timeout=self._options.wait_timeout,
                poll_interval=self._options.poll_interval,
            )
        except ParadigmError as exc:
            return {
                **_error_fields("errors", str(exc), exc),
                "status": str(created.status),
                "credits": charged,
                "enrichment": unstructure(created),
            }

        return _enrichment_fields(done, charged)


def _enrichment_fields(enrichment: Enrichment, charged: int) -> Line:
    failed = enrichment.status == Status.FAILED

    return {
        "outcome": "failed" if failed else "completed",
        "status": str(enrichment.status),
        "credits": 0 if failed else charged,
        "enrichment": unstructure(enrichment),
        "error": (unstructure(enrichment.error) if enrichment.error else None),
    }


def _error_fields(
    outcome: str, message: str, exc: BaseException | None = None
) -> Line:
    error: dict[str, Any] = {"message": message}
    if exc is not None:
        error["type"] = type(exc).__name__
    if isinstance(exc, APIError):
        error["status"] = exc.status
        error["code"] = exc.code

    return {
        "outcome": outcome,
        "status": "error" if outcome != "skipped" else "skipped",
        "credits": 0,
        "enrichment": None,
        "error": error,
    }


def _write(out: IO[str], line: Line) -> None:
    out.write(_json.dumps(line).decode() + "\n")
    out.flush()


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
    if summary.stopped is not None:
        print(f"stopped early: {summary.stopped}", file=sys.stderr)
