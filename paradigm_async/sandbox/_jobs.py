"""Jobs: a lead run through AI research and email personalization."""

from __future__ import annotations

import attrs

from ._lead import Lead, parse_lead
from ._ledger import PRICES
from ._lifecycle import LifecycleResource
from ._research import job_result
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


def details(job: JobInput, done: bool) -> dict[str, object]:
    """A job's own fields; its email is null until completed."""
    return {
        "customization_template_id": job.customization_template_id,
        "result": job_result(job.lead, job.research_mode) if done else None,
    }


JOBS = LifecycleResource(
    noun="job",
    path="jobs",
    id_prefix="job_",
    parse=parse,
    details=details,
)
