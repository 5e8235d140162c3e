"""Answers with fields and enum values the SDK does not know still parse,
keep the unknown data reachable, and round-trip, for every resource."""

from __future__ import annotations

from typing import Any

import pytest

from paradigm_async import (
    CustomizationTemplate,
    EmailAutoResponder,
    Enrichment,
    EnrichmentTemplate,
    Job,
    LinkedInAutoResponder,
)
from paradigm_async._models import structure, unstructure

STAMP = "2026-12-03T22:13:04.123Z"

SAMPLES: list[tuple[type[Any], dict[str, Any], str | None]] = [
    (Job, {"id": "job_1", "status": "archived",
           "research_mode": "ultra", "created_at": STAMP}, "status"),
    (Enrichment, {"id": "enr_1", "status": "completed",
                  "company": {"name": "X", "ticker": "XX"}}, None),
    (EnrichmentTemplate, {"id": "et_1", "name": "n",
                          "fields": [{"name": "f", "weight": 2}]}, None),
    (CustomizationTemplate, {"id": "ct_1", "name": "n",
                             "tone": "playful"}, "tone"),
    (EmailAutoResponder, {"id": "ear_1", "name": "n", "enabled": True,
                          "mailbox": "a@example.com"}, None),
    (LinkedInAutoResponder, {"id": "lar_1", "name": "n", "enabled": False,
                             "linkedin_account": "x"}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "body", "open_enum"),
    SAMPLES,
    ids=[model.__name__ for model, _, _ in SAMPLES],
)
def test_unknown_fields_and_values_parse_and_round_trip(
    model: type[Any], body: dict[str, Any], open_enum: str | None
) -> None:
    wire = {**body, "added_in_v2": {"nested": [1, 2]}}

    item = structure(wire, model)

    assert item.extra == {"added_in_v2": {"nested": [1, 2]}}
    if open_enum is not None:
        assert getattr(item, open_enum) == body[open_enum]
    again = unstructure(item)
    assert again["added_in_v2"] == {"nested": [1, 2]}
    assert structure(again, model) == item
