"""Enrichments: AI-researched company and person intelligence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._models import Enrichment, Lead, ResearchMode
from .._validation import check_optional_id
from ._research import ResearchResource

__all__ = ["Enrichments"]


class Enrichments(
    ResearchResource[Enrichment], group="enrichments", model=Enrichment
):
    """``client.enrichments``: create, list, get, delete and wait.

    `prices` gives each method's cost without calling it:
    ``client.enrichments.prices["create"].credits("standard") == 1``.
    """

    async def create(
        self,
        lead: Lead | Mapping[str, Any],
        *,
        research_mode: ResearchMode | str = ResearchMode.STANDARD,
        enrichment_template_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Enrichment:
        """Research `lead`. Costs 1 credit, or 2 in premium mode.

        The returned enrichment carries its `charge`; call `wait` for the
        research itself. Every create sends an ``Idempotency-Key`` (yours,
        or a fresh one); errors whose outcome is unknown carry it. Raises
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
        )
