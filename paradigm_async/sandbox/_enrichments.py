"""Enrichments: AI-researched company and person intelligence for a lead."""

from __future__ import annotations

import attrs

from ._lead import Lead, parse_lead
from ._ledger import PRICES
from ._lifecycle import LifecycleResource
from ._research import company, person
from ._validation import Problems, choice, optional_string, reject_unknown

__all__ = ["ENRICHMENTS", "EnrichmentInput"]

_FIELDS = ("lead", "research_mode", "enrichment_template_id")


@attrs.frozen
class EnrichmentInput:
    """What a create-enrichment request asked for."""

    lead: Lead
    research_mode: str
    enrichment_template_id: str | None


def parse(body: dict[str, object]) -> EnrichmentInput:
    """Read a create-enrichment body; the template id is not checked."""
    problems = Problems()
    reject_unknown(body, _FIELDS, "", problems)
    enrichment = EnrichmentInput(
        lead=parse_lead(body, problems),
        research_mode=choice(body, "research_mode", tuple(PRICES), problems),
        enrichment_template_id=optional_string(
            body, "enrichment_template_id", "", problems
        ),
    )

    problems.raise_if_any()

    return enrichment


def details(enrichment: EnrichmentInput, done: bool) -> dict[str, object]:
    """An enrichment's research: null until completed."""
    lead, mode = enrichment.lead, enrichment.research_mode

    return {
        "company": company(lead, mode) if done else None,
        "person": person(lead, mode) if done else None,
    }


ENRICHMENTS = LifecycleResource(
    noun="enrichment",
    path="enrichments",
    id_prefix="enr_",
    parse=parse,
    details=details,
)
