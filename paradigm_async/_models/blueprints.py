"""Blueprints: research (enrichment) and email (customization) templates."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ._converter import register_model, register_open_enum

__all__ = [
    "Blueprint",
    "CustomizationTemplate",
    "EnrichmentTemplate",
    "TemplateField",
    "Tone",
]


class Tone(enum.StrEnum):
    """The voice of a personalized email (a design choice of the contract)."""

    PROFESSIONAL = "professional"
    FRIENDLY = "friendly"
    CASUAL = "casual"
    FORMAL = "formal"
    DIRECT = "direct"


@attrs.frozen(kw_only=True)
class TemplateField:
    """One item an enrichment template asks the research to find."""

    name: str
    description: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Blueprint:
    """What both kinds of template share."""

    id: str
    name: str
    description: str | None = None
    instructions: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class EnrichmentTemplate(Blueprint):
    """A research blueprint: what to find out about a lead."""

    fields: Sequence[TemplateField] = ()


@attrs.frozen(kw_only=True)
class CustomizationTemplate(Blueprint):
    """An email personalization blueprint: subject, body and voice."""

    subject_template: str | None = None
    body_template: str | None = None
    tone: Tone | str | None = None


register_open_enum(Tone)
register_model(TemplateField)
register_model(EnrichmentTemplate)
register_model(CustomizationTemplate)
