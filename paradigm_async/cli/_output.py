"""The output of the lead commands: JSON lines, or CSV beside the input.

`paradigm enrich` and `paradigm personalize` write one line per input
row, in input order. JSON lines (the default) keep each line whole. CSV
repeats the input row's own columns and adds the result's, flattened:
``outcome``, ``status``, ``credits``, ``error``, ``error_code`` and the
main fields of the enrichment or job, so the file opens as the same
spreadsheet with answers beside each lead. The format is the one asked
for, else ``.csv`` for a path ending so, else JSON lines.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import (
    Callable,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import IO, Any, Protocol

from .. import _json
from .._errors import APIError
from .._models import Status, unstructure
from .._models._common import ResearchRecord
from ._leads_csv import CsvRow, column_names, read_rows

__all__ = [
    "FORMATS",
    "Line",
    "LineWriter",
    "error_fields",
    "finished_fields",
    "open_output",
    "output_format",
]

Line = dict[str, Any]
"""One output line: row, email, outcome, status, credits, the record (under
its noun: ``enrichment`` or ``job``) and error."""

FORMATS = ("jsonl", "csv")

COLLISION_PREFIX = "paradigm_"
"""Put before a result column whose name an input column already has."""

# Characters that make a spreadsheet read a cell as a formula (OWASP's
# "CSV injection"). Text from the server is defused with a leading quote;
# the input's own cells are written back as they were read.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Flatten = Callable[[Mapping[str, Any]], dict[str, object]]


class LineWriter(Protocol):
    """Writes each row's line as it comes, in input order."""

    def write(self, line: Line) -> None:
        """Write one row's line; `line["row"]` numbers it from 1."""


def output_format(path: Path, chosen: str | None) -> str:
    """The format asked for, else the one the file name says."""
    if chosen is not None:
        if chosen not in FORMATS:
            raise ValueError(f"unknown output format {chosen!r}")
        return chosen

    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def error_fields(
    outcome: str,
    message: str,
    exc: BaseException | None = None,
    *,
    record: str,
) -> Line:
    """A line's fields for a row that has no finished `record`."""
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
        record: None,
        "error": error,
    }


def finished_fields(
    item: ResearchRecord, charged: int, *, record: str
) -> Line:
    """A line's fields for a row whose `record` completed or failed.

    A failed one was refunded, so it cost nothing.
    """
    failed = item.status == Status.FAILED

    return {
        "outcome": "failed" if failed else "completed",
        "status": str(item.status),
        "credits": 0 if failed else charged,
        record: unstructure(item),
        "error": unstructure(item.error) if item.error else None,
    }


@contextlib.contextmanager
def open_output(
    path: Path, *, fmt: str, leads: Path, record: str
) -> Iterator[LineWriter]:
    """Open `path` for the lines of a run over the CSV at `leads`.

    `record` names the line's record (``enrichment`` or ``job``), which
    says which columns a CSV gets. Each line is flushed as it is
    written, so a run cut short keeps every line it paid for.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    flatten = _FLATTEN[record]
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt != "csv":
            yield _JsonLinesWriter(out)
            return
        writer = _CsvWriter(out, leads, record, flatten)
        try:
            yield writer
        finally:
            writer.close()


class _JsonLinesWriter:
    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, line: Line) -> None:
        self._out.write(_json.dumps(line).decode() + "\n")
        self._out.flush()


class _CsvWriter:
    """The input's rows, read again in step, with the result's columns."""

    def __init__(
        self, out: IO[str], leads: Path, record: str, flatten: Flatten
    ) -> None:
        self._out = out
        self._rows = read_rows(leads)
        self._flatten = flatten
        inputs = column_names(leads)
        ours = [*_COMMON, *_COLUMNS[record]]
        taken = set(inputs)
        self._names = {
            name: COLLISION_PREFIX + name if name in taken else name
            for name in ours
        }
        self._writer = csv.writer(out)
        self._writer.writerow([*inputs, *self._names.values()])
        self._inputs = inputs

    def write(self, line: Line) -> None:
        row = self._row(int(line["row"]))
        ours = {**_common_cells(line), **self._flatten(line)}
        cells: list[str | int | float] = [
            row.cells.get(name, "") for name in self._inputs
        ]
        cells += [_cell(ours.get(name)) for name in self._names]
        self._writer.writerow(cells)
        self._out.flush()

    def close(self) -> None:
        """Close the input, read again up to the last row written."""
        if isinstance(self._rows, Generator):
            self._rows.close()

    def _row(self, number: int) -> CsvRow:
        for row in self._rows:
            if row.number == number:
                return row
            if row.number > number:
                break
        raise RuntimeError(f"lines must come in input order (row {number})")


_COMMON = ("outcome", "status", "credits", "error", "error_code")

_COLUMNS: Mapping[str, Sequence[str]] = {
    "enrichment": (
        "enrichment_id",
        "company_name",
        "company_domain",
        "industry",
        "employee_count",
        "headquarters",
        "company_summary",
        "signals",
        "person_name",
        "person_title",
        "seniority",
        "person_summary",
        "talking_points",
    ),
    "job": ("job_id", "subject", "body", "enrichment_id"),
}


def _common_cells(line: Mapping[str, Any]) -> dict[str, object]:
    error = line.get("error") or {}
    code = error.get("code") or error.get("type")

    return {
        "outcome": line.get("outcome"),
        "status": line.get("status"),
        "credits": line.get("credits"),
        "error": error.get("message"),
        "error_code": code,
    }


def _enrichment_cells(line: Mapping[str, Any]) -> dict[str, object]:
    enrichment = line.get("enrichment") or {}
    company = enrichment.get("company") or {}
    person = enrichment.get("person") or {}

    return {
        "enrichment_id": enrichment.get("id"),
        "company_name": company.get("name"),
        "company_domain": company.get("domain"),
        "industry": company.get("industry"),
        "employee_count": company.get("employee_count"),
        "headquarters": company.get("headquarters"),
        "company_summary": company.get("summary"),
        "signals": company.get("signals"),
        "person_name": person.get("full_name"),
        "person_title": person.get("title"),
        "seniority": person.get("seniority"),
        "person_summary": person.get("summary"),
        "talking_points": person.get("talking_points"),
    }


def _job_cells(line: Mapping[str, Any]) -> dict[str, object]:
    job = line.get("job") or {}
    result = job.get("result") or {}

    return {
        "job_id": job.get("id"),
        "subject": result.get("subject"),
        "body": result.get("body"),
        "enrichment_id": result.get("enrichment_id"),
    }


_FLATTEN: Mapping[str, Flatten] = {
    "enrichment": _enrichment_cells,
    "job": _job_cells,
}


def _cell(value: object) -> str | int | float:
    """One CSV cell: lists joined by "; ", None empty, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text

    return text
