"""The enrichment: AI-researched company and person intelligence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ._common import RECORD_HOOKS, ResearchRecord
from ._converter import register_model

__all__ = ["Company", "Enrichment", "Person"]


@attrs.frozen(kw_only=True)
class Company:
    """What the research found about the lead's company."""

    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    headquarters: str | None = None
    summary: str | None = None
    signals: Sequence[str] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Person:
    """What the research found about the lead themselves."""

    full_name: str | None = None
    title: str | None = None
    seniority: str | None = None
    summary: str | None = None
    talking_points: Sequence[str] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Enrichment(ResearchRecord):
    """An enrichment as the API reports it: company and person research."""

    company: Company | None = None
    person: Person | None = None


register_model(Company)
register_model(Person)
register_model(Enrichment, omit=("charge",), hooks=RECORD_HOOKS)
