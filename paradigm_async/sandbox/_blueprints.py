"""Blueprints: the enrichment and customization templates jobs may name."""

from __future__ import annotations

from ._editable import EditableResource
from ._fields import (
    INSTRUCTIONS,
    NAME,
    Field,
    list_of,
    members,
    one_of,
    text,
)

__all__ = ["CUSTOMIZATION_TEMPLATES", "ENRICHMENT_TEMPLATES", "TONES"]

TONES = ("professional", "friendly", "casual", "formal", "direct")

_DESCRIPTION = Field("description", text(0, 2000))

# One thing the research should find out, such as "tech stack".
_TEMPLATE_FIELD = members(
    Field("name", text(1, 100), required=True, nullable=False),
    Field("description", text(0, 500)),
)

ENRICHMENT_TEMPLATES = EditableResource(
    noun="enrichment template",
    path="blueprints/enrichment-templates",
    id_prefix="et_",
    fields=(
        NAME,
        _DESCRIPTION,
        INSTRUCTIONS,
        # Not nullable: `[]` is how a caller empties it.
        Field(
            "fields",
            list_of(_TEMPLATE_FIELD, 50),
            nullable=False,
            default=[],
        ),
    ),
)

CUSTOMIZATION_TEMPLATES = EditableResource(
    noun="customization template",
    path="blueprints/customization-templates",
    id_prefix="ct_",
    fields=(
        NAME,
        _DESCRIPTION,
        Field("subject_template", text(0, 500)),
        Field("body_template", text(0, 20_000)),
        Field("tone", one_of(*TONES)),
        INSTRUCTIONS,
    ),
)
