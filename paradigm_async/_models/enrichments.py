"""The enrichment: AI-researched company and person intelligence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ._common import (
    TERMINAL_STATUSES,
    Charge,
    ErrorInfo,
    Lead,
    ResearchMode,
    Status,
)
from ._converter import register_model

__all__ = ["Company", "Enrichment", "Person"]


@attrs.frozen(kw_only=True)
class Company:
    """What the research found about the lead's company."""

    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    headquarters: str | None = None
    summary: str | None = None
    signals: Sequence[str] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Person:
    """What the research found about the lead themselves."""

    full_name: str | None = None
    title: str | None = None
    seniority: str | None = None
    summary: str | None = None
    talking_points: Sequence[str] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Enrichment:
    """An enrichment as the API reports it.

    `charge` is set on the enrichment a create returns (what it cost); it
    is never read from the wire. `extra` keeps fields the SDK does not
    know.
    """

    id: str
    status: Status | str
    research_mode: ResearchMode | str | None = None
    lead: Lead | None = None
    enrichment_template_id: str | None = None
    company: Company | None = None
    person: Person | None = None
    error: ErrorInfo | None = None
    credits_charged: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    charge: Charge | None = attrs.field(default=None, eq=False)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        """Whether the enrichment has finished, completed or failed."""
        return self.status in TERMINAL_STATUSES


register_model(Company)
register_model(Person)
register_model(Enrichment, omit=("charge",))
