"""Models shared by jobs and enrichments: the lead, statuses, errors."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._envelope import is_credit_count
from ._converter import register_model, register_open_enum

__all__ = [
    "RECORD_HOOKS",
    "Charge",
    "ErrorInfo",
    "Lead",
    "ResearchMode",
    "ResearchRecord",
    "Status",
]


class ResearchMode(enum.StrEnum):
    """How deep the AI research goes; premium costs twice the credits."""

    STANDARD = "standard"
    PREMIUM = "premium"


class Status(enum.StrEnum):
    """Where a job or an enrichment is in its lifecycle."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


TERMINAL_STATUSES = frozenset({Status.COMPLETED, Status.FAILED})


@attrs.frozen(kw_only=True)
class Lead:
    """A person to research: the input of jobs and enrichments.

    Only `email` is required. `extra` holds fields of an answer that this
    version of the SDK does not know.
    """

    email: str
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    linkedin_url: str | None = None
    custom_fields: Mapping[str, str] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class ErrorInfo:
    """Why a job or an enrichment failed."""

    code: str
    message: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Charge:
    """What a write call cost: set by the SDK on the object it returns.

    `credits` is the server's figure where it reported one, else the price
    table's; `source` says which. `credits_remaining` is the balance the
    server reported after the call, if it did.
    """

    credits: int
    research_mode: ResearchMode | str
    credits_remaining: int | None
    source: str


@attrs.frozen(kw_only=True)
class ResearchRecord:
    """What jobs and enrichments share: a lead, a lifecycle, a cost.

    `charge` is set on the object a create returns (what it cost); it is
    never read from the wire. `extra` keeps fields the SDK does not know.
    """

    id: str
    status: Status | str
    research_mode: ResearchMode | str | None = None
    lead: Lead | None = None
    enrichment_template_id: str | None = None
    error: ErrorInfo | None = None
    credits_charged: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    charge: Charge | None = attrs.field(default=None, eq=False)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        """Whether it has finished: completed or failed."""
        return self.status in TERMINAL_STATUSES


def _structure_credits(value: Any, _: type) -> int | None:
    if value is None:
        return None
    if not is_credit_count(value):
        raise ValueError("expected a number of credits, an integer >= 0")

    return int(value)


RECORD_HOOKS = {"credits_charged": _structure_credits}
"""Hooks for `register_model` of each `ResearchRecord`: a negative or
fractional charge is not read (the ledger adds charges up)."""


register_open_enum(ResearchMode)
register_open_enum(Status)
register_model(Lead)
register_model(ErrorInfo)
