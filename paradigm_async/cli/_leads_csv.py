"""Reading lead lists exported from CRMs and lead tools.

Header names vary by tool ("First Name", "first_name", "Person Linkedin
Url", ...); they are matched after folding case and punctuation. Columns
that are not lead fields are kept in the lead's `custom_fields`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

__all__ = ["CsvRow", "read_rows"]

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
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {exc.start} of the file); "
            "save the CSV as UTF-8 and run again"
        ) from None


def _read_rows(path: Path) -> Iterator[CsvRow]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        delimiter = _delimiter(handle.readline())
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = reader.fieldnames
        if not header:
            raise ValueError(f"{path}: no header row")
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise ValueError(
                f"{path}: the header names {', '.join(map(repr, repeated))} "
                "more than once; rename one so that no column is lost"
            )
        columns = _map_columns(header)
        if "email" not in columns.values():
            raise ValueError(f"{path}: no email column among {header}")
        for number, cells in enumerate(reader, start=1):
            clean = {k: (v or "").strip() for k, v in cells.items() if k}
            yield CsvRow(
                number=number, cells=clean, lead=_lead(clean, columns)
            )


_DELIMITERS = (",", ";", "\t")
"""What spreadsheets separate cells with: a comma, or a semicolon where
the comma is the decimal mark, or a tab."""


def _delimiter(header_line: str) -> str:
    """The delimiter the header row uses most; a comma on a tie."""
    return max(_DELIMITERS, key=header_line.count)


def _fold(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def _map_columns(header: Sequence[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for name in header:
        field = _BY_ALIAS.get(_fold(name))
        if field is not None and field not in columns.values():
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
            if value:
                lead[field] = value
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
