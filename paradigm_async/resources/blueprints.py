"""Blueprints: enrichment (research) and customization (email) templates.

All blueprint management is free (the public docs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from .. import _fields as f
from .._models import (
    CustomizationTemplate,
    EnrichmentTemplate,
    TemplateField,
    Tone,
)
from .._not_given import NOT_GIVEN, NotGiven
from ._base import Context
from ._editable import EditableCollection

__all__ = ["Blueprints", "CustomizationTemplates", "EnrichmentTemplates"]

FieldItems = Sequence[TemplateField | Mapping[str, Any]]


class EnrichmentTemplates(
    EditableCollection[EnrichmentTemplate],
    group="enrichment_templates",
    model=EnrichmentTemplate,
):
    """``client.blueprints.enrichment_templates``: research blueprints."""

    writable: ClassVar[Mapping[str, f.Field]] = {
        "name": f.NAME,
        "description": f.OPTIONAL_TEXT,
        "instructions": f.OPTIONAL_TEXT,
        "fields": f.Field(f.template_fields, nullable=False),
    }

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        instructions: str | None = None,
        fields: FieldItems = (),
        idempotency_key: str | None = None,
    ) -> EnrichmentTemplate:
        """Create a research blueprint. Free.

        `fields` lists what the research should find, as `TemplateField`
        or ``{"name": ..., "description": ...}``.
        """
        return await self._create(locals(), idempotency_key)

    async def update(
        self,
        template_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        fields: FieldItems | NotGiven = NOT_GIVEN,
    ) -> EnrichmentTemplate:
        """Change only the fields passed; `None` clears one. Free."""
        return await self._update(template_id, locals())


class CustomizationTemplates(
    EditableCollection[CustomizationTemplate],
    group="customization_templates",
    model=CustomizationTemplate,
):
    """``client.blueprints.customization_templates``: email blueprints."""

    writable: ClassVar[Mapping[str, f.Field]] = {
        "name": f.NAME,
        "description": f.OPTIONAL_TEXT,
        "subject_template": f.OPTIONAL_TEXT,
        "body_template": f.OPTIONAL_TEXT,
        "tone": f.Field(f.tone),
        "instructions": f.OPTIONAL_TEXT,
    }

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        subject_template: str | None = None,
        body_template: str | None = None,
        tone: Tone | str | None = None,
        instructions: str | None = None,
        idempotency_key: str | None = None,
    ) -> CustomizationTemplate:
        """Create an email personalization blueprint. Free.

        Raises `InvalidInputError` before sending for an unknown `tone`.
        """
        return await self._create(locals(), idempotency_key)

    async def update(
        self,
        template_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        subject_template: str | NotGiven | None = NOT_GIVEN,
        body_template: str | NotGiven | None = NOT_GIVEN,
        tone: Tone | str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
    ) -> CustomizationTemplate:
        """Change only the fields passed; `None` clears one. Free."""
        return await self._update(template_id, locals())


class Blueprints:
    """``client.blueprints``: the two kinds of template."""

    def __init__(self, context: Context) -> None:
        self.enrichment_templates = EnrichmentTemplates(context)
        self.customization_templates = CustomizationTemplates(context)
