"""Jobs: a lead run through AI research and email personalization."""

from __future__ import annotations

import attrs

from ._lead import Lead, parse_lead
from ._ledger import PRICES
from ._lifecycle import LifecycleResource
from ._research import failure, job_result
from ._store import Failure, Record, Status
from ._validation import Problems, choice, optional_string, reject_unknown

__all__ = ["JOBS", "JobInput"]

_FIELDS = (
    "lead",
    "research_mode",
    "enrichment_template_id",
    "customization_template_id",
)


@attrs.frozen
class JobInput:
    """What a create-job request asked for."""

    lead: Lead
    research_mode: str
    enrichment_template_id: str | None
    customization_template_id: str | None


def parse(body: dict[str, object]) -> JobInput:
    """Read a create-job body; template ids are not checked to exist."""
    problems = Problems()
    reject_unknown(body, _FIELDS, "", problems)
    job = JobInput(
        lead=parse_lead(body, problems),
        research_mode=choice(body, "research_mode", tuple(PRICES), problems),
        enrichment_template_id=optional_string(
            body, "enrichment_template_id", "", problems
        ),
        customization_template_id=optional_string(
            body, "customization_template_id", "", problems
        ),
    )

    problems.raise_if_any()

    return job


def render(record: Record[JobInput]) -> dict[str, object]:
    """Render a job with exactly the contract's fields."""
    job = record.item
    done = record.status is Status.COMPLETED

    return {
        "id": record.id,
        "status": record.status,
        "research_mode": job.research_mode,
        "lead": job.lead.echo(),
        "enrichment_template_id": job.enrichment_template_id,
        "customization_template_id": job.customization_template_id,
        "result": job_result(job.lead, job.research_mode) if done else None,
        "error": record.error,
        "credits_charged": record.credits_charged,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "completed_at": record.completed_at,
    }


def _cost(job: JobInput) -> int:
    return PRICES[job.research_mode]


def _failure(job: JobInput) -> Failure | None:
    return failure(job.lead)


JOBS = LifecycleResource(
    noun="job",
    path="jobs",
    id_prefix="job_",
    parse=parse,
    cost=_cost,
    failure=_failure,
    render=render,
)
