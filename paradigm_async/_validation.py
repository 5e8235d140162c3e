"""Checks on the caller's input, made before anything is sent.

A call refused here costs no request and no credit, and raises
`InvalidInputError` saying which argument is wrong and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import InvalidInputError
from ._models import Lead, ResearchMode, Status, structure_input

__all__ = [
    "check_email",
    "check_id",
    "check_idempotency_key",
    "check_lead",
    "check_optional_id",
    "check_page_size",
    "check_research_mode",
    "check_status",
    "check_wait",
    "is_number",
    "is_whole_number",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
"""The contract's email pattern (openapi.json, ``Lead.email``)."""

MAX_PAGE_SIZE = 100
"""The contract's largest page (CONTRACT.md, "Pagination")."""

_MAX_KEY_LENGTH = 255

_LEAD_FIELDS = frozenset(
    field.name for field in attrs.fields(Lead) if field.name != "extra"
)


def check_email(email: object) -> str:
    """An address of the form ``name@domain.tld``, else an error."""
    if not isinstance(email, str) or not email.strip():
        raise InvalidInputError("lead.email is required")
    if not _EMAIL.fullmatch(email.strip()):
        raise InvalidInputError(
            f"lead.email is not a valid email address: {email!r}"
        )

    return email.strip()


def check_lead(lead: Lead | Mapping[str, Any]) -> Lead:
    """A `Lead` with a valid email, from a `Lead` or a plain mapping.

    Either way each field's type is checked, and the email is sent
    without the spaces a spreadsheet cell may have around it. A mapping
    may only use the lead's own field names (a typo would be dropped and
    still charged); a `Lead`'s `extra` is sent as it is.
    """
    if isinstance(lead, Lead):
        lead = structure_input(lead, Lead, what="lead")
    elif isinstance(lead, Mapping):
        unknown = sorted(map(str, set(lead) - _LEAD_FIELDS))
        if unknown:
            raise InvalidInputError(
                f"lead has no field {', '.join(map(repr, unknown))}; "
                f"the fields are {', '.join(sorted(_LEAD_FIELDS))}"
            )
        if "email" not in lead:
            raise InvalidInputError("lead.email is required")
        lead = structure_input(lead, Lead, what="lead")
    else:
        raise InvalidInputError(
            f"lead must be a Lead or a mapping, got {type(lead).__name__}"
        )
    email = check_email(lead.email)

    return lead if email == lead.email else attrs.evolve(lead, email=email)


def check_idempotency_key(key: object) -> str | None:
    """None, or a key of 1 to 255 visible ASCII characters."""
    if key is None:
        return None
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= _MAX_KEY_LENGTH
        or not key.isascii()
        or not key.isprintable()
        or " " in key
    ):
        raise InvalidInputError(
            "idempotency_key must be 1 to 255 visible ASCII characters"
        )

    return key


def check_wait(timeout: object, poll_interval: object) -> None:
    """A wait needs a timeout >= 0 and a poll interval > 0, in seconds."""
    if not _seconds(timeout) >= 0:
        raise InvalidInputError("timeout must be a number of seconds >= 0")
    if not _seconds(poll_interval) > 0:
        raise InvalidInputError(
            "poll_interval must be a number of seconds > 0"
        )


def _seconds(value: object) -> float:
    """`value` as seconds, or NaN (which fails every comparison)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")

    return float(value)


def check_research_mode(mode: ResearchMode | str) -> ResearchMode:
    """One of the documented research modes, else an error."""
    try:
        return ResearchMode(mode)
    except ValueError:
        known = ", ".join(m.value for m in ResearchMode)
        raise InvalidInputError(
            f"research_mode must be one of {known}, got {mode!r}"
        ) from None


def check_status(status: Status | str | None) -> str | None:
    """A status filter: one of the lifecycle's statuses, or None."""
    if status is None:
        return None
    try:
        return Status(status).value
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InvalidInputError(
            f"status must be one of {known}, got {status!r}"
        ) from None


def is_whole_number(value: object) -> bool:
    """An int that is not a bool (True is an int to Python, not to us)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """An int or a float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_page_size(limit: object) -> int:
    """A page size from 1 to 100, else an error."""
    if not isinstance(limit, int) or not is_whole_number(limit):
        raise InvalidInputError(
            f"limit must be an integer from 1 to {MAX_PAGE_SIZE}, "
            f"got {limit!r}"
        )
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            f"limit must be an integer from 1 to {MAX_PAGE_SIZE}, "
            f"got {limit!r}"
        )

    return limit


def check_id(value: object, name: str) -> str:
    """A non-empty string id; encoding it into the path is the router's."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{name} must be a non-empty string")

    return value


def check_optional_id(value: object, name: str) -> str | None:
    """None, or a non-empty string id."""
    return None if value is None else check_id(value, name)
