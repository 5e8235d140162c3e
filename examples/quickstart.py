"""Enrich a lead, list completed jobs and read what it all cost.

Runs against an embedded sandbox unless PARADIGM_API_KEY is set:
``python examples/quickstart.py``.
"""

from __future__ import annotations

import asyncio
import os

from paradigm_async import Lead, ParadigmClient
from paradigm_async.sandbox import Sandbox


async def tour(client: ParadigmClient) -> None:
    lead = Lead(
        email="ada@example.com",
        first_name="Ada",
        company_name="Stripe",
        company_domain="stripe.com",
    )
    created = await client.enrichments.create(lead, research_mode="premium")
    print("charged:", created.charge)

    enrichment = await client.enrichments.wait(created.id, poll_interval=0.2)
    assert enrichment.company is not None
    print(enrichment.company.name, "-", enrichment.company.summary)

    job = await client.jobs.create(lead)
    await client.jobs.wait(job.id, poll_interval=0.2)

    # The documented request: GET /v1/jobs?status=completed&limit=5
    async for page in client.jobs.list(status="completed", limit=5).pages():
        for done in page.items:
            print(done.id, done.result.subject if done.result else None)
        break

    print("credits:", client.credits.snapshot())


async def main() -> None:
    if os.environ.get("PARADIGM_API_KEY"):
        async with ParadigmClient() as client:
            await tour(client)
        return

    async with (
        Sandbox(processing_delay=0.5) as sandbox,
        ParadigmClient(
            api_key=sandbox.api_key, base_url=sandbox.url
        ) as client,
    ):
        await tour(client)


if __name__ == "__main__":
    asyncio.run(main())
