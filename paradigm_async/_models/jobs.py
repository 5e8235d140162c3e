"""The job: a lead run through AI research and email personalization."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._common import RECORD_HOOKS, ResearchRecord
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
class Job(ResearchRecord):
    """A job as the API reports it: its lead, lifecycle and email."""

    customization_template_id: str | None = None
    result: JobResult | None = None


register_model(JobResult)
register_model(Job, omit=("charge",), hooks=RECORD_HOOKS)
