"""Checks on the caller's input, made before anything is sent.

A call refused here costs no request and no credit, and raises
`InvalidInputError` saying which argument is wrong and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._errors import InvalidInputError
from ._models import Lead, ResearchMode, Status, structure_input

__all__ = [
    "check_email",
    "check_id",
    "check_lead",
    "check_optional_id",
    "check_page_size",
    "check_research_mode",
    "check_status",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

MAX_PAGE_SIZE = 100
"""The contract's largest page (CONTRACT.md, "Pagination")."""


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
    """A `Lead` with a valid email, from a `Lead` or a plain mapping."""
    if not isinstance(lead, Lead):
        if not isinstance(lead, Mapping):
            raise InvalidInputError(
                f"lead must be a Lead or a mapping, got {type(lead).__name__}"
            )
        if "email" not in lead:
            raise InvalidInputError("lead.email is required")
        lead = structure_input(lead, Lead, what="lead")
    check_email(lead.email)

    return lead


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


def check_page_size(limit: object) -> int:
    """A page size from 1 to 100, else an error."""
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= MAX_PAGE_SIZE
    ):
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
