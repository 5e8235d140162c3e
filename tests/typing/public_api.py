"""A typing test of the public API: `mypy --strict` reads it, pytest never
runs it (no test functions). Each `assert_type` pins what a call returns.
"""

from __future__ import annotations

from typing import assert_type

from paradigm_async import (
    NOT_GIVEN,
    APIResponse,
    CreditBudget,
    CreditTotals,
    CustomizationTemplate,
    EmailAutoResponder,
    Enrichment,
    EnrichmentTemplate,
    Job,
    Lead,
    LinkedInAutoResponder,
    Page,
    Paginator,
    ParadigmClient,
    Price,
    RateLimit,
    ResponseCapture,
)


async def every_group(client: ParadigmClient, lead: Lead) -> None:
    assert_type(await client.jobs.create(lead), Job)
    assert_type(await client.jobs.wait("job_1"), Job)
    assert_type(client.jobs.list(status="completed", limit=5), Paginator[Job])
    assert_type(await client.enrichments.get("enr_1"), Enrichment)
    assert_type(client.jobs.prices["create"], Price)
    assert_type(
        await client.blueprints.enrichment_templates.create(name="n"),
        EnrichmentTemplate,
    )
    assert_type(
        await client.blueprints.customization_templates.update(
            "ct_1", tone=None, name=NOT_GIVEN
        ),
        CustomizationTemplate,
    )
    assert_type(
        await client.auto_responders.email.create(
            name="n", mailbox="a@example.com"
        ),
        EmailAutoResponder,
    )
    assert_type(
        await client.auto_responders.linkedin.get("lar_1"),
        LinkedInAutoResponder,
    )
    assert_type(await client.request("GET", "/jobs"), APIResponse)
    assert_type(client.credits.snapshot(), CreditTotals)
    assert_type(client.budget, CreditBudget)
    assert_type(client.budget.available, int | None)
    assert_type(client.with_options(max_credits=10), ParadigmClient)
    with client.capture_responses() as captured:
        assert_type(captured, ResponseCapture)
    async for page in client.jobs.list().pages():
        assert_type(page, Page[Job])


def options() -> None:
    ParadigmClient(rate_limit=RateLimit(requests=10, seconds=2.0))
    ParadigmClient(rate_limit=None)
    ParadigmClient(max_credits=100)
    ParadigmClient(max_credits=None)
