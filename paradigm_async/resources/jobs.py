"""Jobs: a lead run through AI research and email personalization."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._models import Job, Lead, ResearchMode
from .._validation import check_optional_id
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
