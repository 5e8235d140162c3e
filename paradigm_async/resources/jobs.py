"""Jobs: a lead run through AI research and email personalization."""

from __future__ import annotations

import os
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Iterable,
    Mapping,
)
from typing import Any

from .._bulk import BulkResult
from .._models import Job, Lead, ResearchMode
from .._validation import check_optional_id
from ._bulk_create import (
    BulkOptions,
    LeadInput,
    ProgressCallback,
    start_create_many,
)
from ._research import ResearchResource

__all__ = ["Jobs"]


class Jobs(ResearchResource[Job], group="jobs", model=Job):
    """``client.jobs``: create, list, get, delete and wait on jobs.

    `prices` gives each method's cost without calling it:
    ``client.jobs.prices["create"].credits("premium") == 2``.
    """

    async def create(
        self,
        lead: Lead | Mapping[str, Any],
        *,
        research_mode: ResearchMode | str = ResearchMode.STANDARD,
        enrichment_template_id: str | None = None,
        customization_template_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Job:
        """Start a job for `lead`. Costs 1 credit, or 2 in premium mode.

        The returned job carries its `charge`. Every create sends an
        ``Idempotency-Key`` (yours, or a fresh one); errors whose outcome
        is unknown carry it so the call can be reconciled. Raises
        `InvalidInputError` before sending for a lead without a valid
        email or an unknown research mode.
        """
        return await self._create(
            lead,
            research_mode,
            idempotency_key,
            enrichment_template_id=check_optional_id(
                enrichment_template_id, "enrichment_template_id"
            ),
            customization_template_id=check_optional_id(
                customization_template_id, "customization_template_id"
            ),
        )

    def create_many(
        self,
        leads: Iterable[LeadInput] | AsyncIterable[LeadInput],
        *,
        research_mode: ResearchMode | str = ResearchMode.STANDARD,
        enrichment_template_id: str | None = None,
        customization_template_id: str | None = None,
        concurrency: int = 8,
        ordered: bool = False,
        wait: bool = True,
        poll_interval: float = 2.0,
        wait_timeout: float = 600.0,
        journal: str | os.PathLike[str] | None = None,
        max_credits: int | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> AsyncGenerator[BulkResult[LeadInput, Job], None]:
        """Start a job for each of many leads; each costs what `create` costs.

        Leads are read lazily from a sync or async iterable, at most
        `concurrency` creates in flight; one `BulkResult` per lead is
        yielded as each finishes (in input order if `ordered`), holding
        the job (waited on until it ends, unless `wait` is false) or
        that lead's error. After a 401 or 402 the rest are not sent
        (`NotSentError`). `journal`, a SQLite file, makes the run
        resumable: rerun the same call after a crash and nothing done is
        paid for again. `max_credits` caps what this run may spend, on
        top of the client's own budget: a lead past it gets
        `CreditBudgetExceeded` and nothing is sent for it. Bad options
        raise `InvalidInputError` (`ConfigurationError` for the budget)
        here.
        """
        options = BulkOptions(
            research_mode=research_mode,
            fields={
                "enrichment_template_id": check_optional_id(
                    enrichment_template_id, "enrichment_template_id"
                ),
                "customization_template_id": check_optional_id(
                    customization_template_id, "customization_template_id"
                ),
            },
            concurrency=concurrency,
            ordered=ordered,
            wait=wait,
            poll_interval=poll_interval,
            wait_timeout=wait_timeout,
            journal=journal,
            max_credits=max_credits,
        )

        return start_create_many(self, leads, options, on_progress)
