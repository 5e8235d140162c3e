"""Reading lead lists exported from CRMs and lead tools.

Header names vary by tool ("First Name", "first_name", "Person Linkedin
Url", ...); they are matched after folding case and punctuation. Columns
that are not lead fields are kept in the lead's `custom_fields`.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

__all__ = ["CsvRow", "column_names", "read_rows"]

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "email": (
        "email",
        "email_address",
        "work_email",
        "person_email",
        "e_mail",
    ),
    "first_name": ("first_name", "firstname", "first", "given_name"),
    "last_name": ("last_name", "lastname", "last", "surname", "family_name"),
    "title": ("title", "job_title", "person_title", "position"),
    "company_name": (
        "company",
        "company_name",
        "organization",
        "organization_name",
        "account_name",
    ),
    "company_domain": (
        "website",
        "company_domain",
        "domain",
        "company_website",
        "website_url",
        "organization_website",
    ),
    "linkedin_url": (
        "linkedin_url",
        "person_linkedin_url",
        "linkedin",
        "linkedin_profile",
        "linkedin_profile_url",
    ),
}
_BY_ALIAS = {
    alias: field for field, names in _ALIASES.items() for alias in names
}
_FULL_NAME = ("name", "full_name", "contact_name")


@attrs.frozen(kw_only=True)
class CsvRow:
    """One data row: its number (from 1), its cells, and the lead fields."""

    number: int
    cells: Mapping[str, str]
    lead: Mapping[str, object]


def read_rows(path: Path) -> Iterator[CsvRow]:
    """Yield each row of the CSV at `path` with its lead fields mapped.

    The cells may be separated by commas, semicolons or tabs: whichever
    the header row uses most. Raises `ValueError` if the file has no
    header, no email column or a column name twice, or is not UTF-8 text.
    """
    try:
        yield from _read_rows(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: UnicodeDecodeError | csv.Error) -> ValueError:
    if isinstance(exc, csv.Error):  # a cell longer than csv reads, say
        return ValueError(f"{path}: not a CSV file that can be read: {exc}")

    return ValueError(
        f"{path}: not UTF-8 text (byte {exc.start} of the file); "
        "save the CSV as UTF-8 and run again"
    )


def column_names(path: Path) -> list[str]:
    """The names of the CSV's columns, as `read_rows` keys each row's
    cells. Raises `ValueError` as `read_rows` does for the header."""
    try:
        with _open(path) as (header, _, _):
            return header
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, exc) from None


@contextlib.contextmanager
def _open(path: Path) -> Iterator[tuple[list[str], Iterator[list[str]], str]]:
    """The header's names, a reader of the rows after it, the delimiter."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        delimiter = _delimiter(handle.readline())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        yield _column_names(path, next(reader, [])), reader, delimiter


def _read_rows(path: Path) -> Iterator[CsvRow]:
    with _open(path) as (header, reader, delimiter):
        columns = _map_columns(header)
        if "email" not in columns.values():
            raise ValueError(f"{path}: no email column among {header}")
        number = 0
        for cells in reader:
            if not cells:
                continue  # a blank line: not a row, and not counted
            number += 1
            extra = cells[len(header) :]
            if any(cell.strip() for cell in extra):
                raise ValueError(
                    f"{path}: row {number} has {len(cells)} cells but the "
                    f"header names {len(header)}; quote the cells that hold "
                    f"a {_NAMES.get(delimiter, delimiter)}"
                )
            clean = {
                name: cell.strip()
                for name, cell in zip(header, cells, strict=False)
            }
            clean.update((name, "") for name in header[len(cells) :])
            yield CsvRow(
                number=number, cells=clean, lead=_lead(clean, columns)
            )


def _column_names(path: Path, header: list[str]) -> list[str]:
    """The header's names, as written; a blank one is named by its place,
    ``column 3`` (``column 3 (blank)`` if a column has that name), so
    that its cells are kept. Raises `ValueError` for a missing header or
    a name given twice."""
    if not header:
        raise ValueError(f"{path}: no header row")
    repeated = sorted(
        {name for name in header if name.strip() and header.count(name) > 1}
    )
    if repeated:
        raise ValueError(
            f"{path}: the header names {', '.join(map(repr, repeated))} "
            "more than once; rename one so that no column is lost"
        )
    names = []
    for place, name in enumerate(header, start=1):
        if not name.strip():
            name = f"column {place}"
            while name in header:
                name += " (blank)"
        names.append(name)

    return names


_DELIMITERS = (",", ";", "\t")
"""What spreadsheets separate cells with: a comma, or a semicolon where
the comma is the decimal mark, or a tab."""

_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}

_QUOTED = re.compile(r'"(?:[^"]|"")*"?')
"""A quoted cell, which may hold any delimiter (to the line's end if its
closing quote is on a later line)."""


def _delimiter(header_line: str) -> str:
    """The delimiter the header row uses most outside quoted names; a
    comma on a tie."""
    bare = _QUOTED.sub("", header_line)

    return max(_DELIMITERS, key=bare.count)


def _fold(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def _map_columns(header: Sequence[str]) -> dict[str, str]:
    """The lead field of each column named like one. Several columns may
    name one field ("Email", "Work Email"): a row takes the first of
    them that holds a value."""
    columns: dict[str, str] = {}
    for name in header:
        field = _BY_ALIAS.get(_fold(name))
        if field is not None:
            columns[name] = field

    return columns


def _lead(
    cells: Mapping[str, str], columns: Mapping[str, str]
) -> dict[str, object]:
    lead: dict[str, object] = {}
    custom: dict[str, str] = {}
    for name, value in cells.items():
        field = columns.get(name)
        if field is not None:
            if value and field not in lead:
                lead[field] = value
            elif value:  # another column for the field came first
                custom[name] = value
        elif _fold(name) in _FULL_NAME:
            _split_name(value, lead)
        elif value:
            custom[name] = value
    if "company_domain" in lead:
        lead["company_domain"] = bare_domain(str(lead["company_domain"]))
    if custom:
        lead["custom_fields"] = custom

    return lead


def _split_name(value: str, lead: dict[str, object]) -> None:
    first, _, last = value.partition(" ")
    if first:
        lead.setdefault("first_name", first)
    if last:
        lead.setdefault("last_name", last.strip())


def bare_domain(website: str) -> str:
    """``https://www.example.com/about`` becomes ``example.com``."""
    text = re.sub(r"^[a-z]+://", "", website.strip().lower())
    text = text.split("/", 1)[0].split("?", 1)[0]

    return text.removeprefix("www.")
