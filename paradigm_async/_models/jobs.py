"""The job: a lead run through AI research and email personalization."""

from __future__ import annotations

from collections.abc import Mapping
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

__all__ = ["Job", "JobResult"]


@attrs.frozen(kw_only=True)
class JobResult:
    """The personalized email a completed job produced."""

    subject: str | None = None
    body: str | None = None
    enrichment_id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Job:
    """A job as the API reports it.

    `charge` is set on the job a create returns (what it cost); it is
    never read from the wire. `extra` keeps fields the SDK does not know.
    """

    id: str
    status: Status | str
    research_mode: ResearchMode | str | None = None
    lead: Lead | None = None
    enrichment_template_id: str | None = None
    customization_template_id: str | None = None
    result: JobResult | None = None
    error: ErrorInfo | None = None
    credits_charged: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    charge: Charge | None = attrs.field(default=None, eq=False)
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        """Whether the job has finished, completed or failed."""
        return self.status in TERMINAL_STATUSES


register_model(JobResult)
register_model(Job, omit=("charge",))
