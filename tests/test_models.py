"""Decoding answers into models: strict types, kept unknowns, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from paradigm_async import (
    DecodeError,
    Enrichment,
    Job,
    Lead,
    ResearchMode,
    Status,
)
from paradigm_async._models import structure, unstructure


def job_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "job_1",
        "status": "completed",
        "research_mode": "premium",
        "lead": {"email": "ada@example.com", "first_name": "Ada"},
        "result": {"subject": "Hi", "body": "Hello", "enrichment_id": None},
        "error": None,
        "credits_charged": 2,
        "created_at": "2026-12-03T22:13:04.123Z",
        "updated_at": "2026-12-03T22:13:05Z",
        "completed_at": "2026-12-03T22:13:05.123456Z",
    }
    body.update(overrides)
    return body


def test_timestamps_with_z_and_fractions_become_aware_datetimes() -> None:
    job = structure(job_body(), Job)

    assert job.created_at == datetime(2026, 12, 3, 22, 13, 4, 123000, UTC)
    assert job.updated_at == datetime(2026, 12, 3, 22, 13, 5, tzinfo=UTC)
    assert job.completed_at is not None
    assert job.completed_at.microsecond == 123456


def test_known_enum_values_become_members() -> None:
    job = structure(job_body(), Job)

    assert job.status is Status.COMPLETED
    assert job.research_mode is ResearchMode.PREMIUM
    assert job.is_terminal


def test_unknown_enum_value_stays_a_string() -> None:
    job = structure(job_body(status="paused", research_mode="deep"), Job)

    assert job.status == "paused"
    assert not isinstance(job.status, Status)
    assert job.research_mode == "deep"
    assert not job.is_terminal


def test_unknown_fields_are_kept_and_round_trip() -> None:
    body = job_body(priority=3)
    body["lead"]["timezone"] = "Europe/Paris"
    body["result"]["tone"] = "warm"

    job = structure(body, Job)

    assert job.extra == {"priority": 3}
    assert job.lead is not None
    assert job.lead.extra == {"timezone": "Europe/Paris"}
    assert job.result is not None
    assert job.result.extra == {"tone": "warm"}
    wire = unstructure(job)
    assert wire["priority"] == 3
    assert wire["lead"]["timezone"] == "Europe/Paris"
    assert wire["created_at"] == "2026-12-03T22:13:04.123000Z"
    assert structure(wire, Job) == job


def test_a_field_named_extra_on_the_wire_is_kept_as_unknown() -> None:
    job = structure(job_body(extra={"a": 1}), Job)

    assert job.extra == {"extra": {"a": 1}}


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"id": None}, "$.data.id"),
        ({"credits_charged": "12"}, "$.data.credits_charged"),
        ({"credits_charged": 12.7}, "$.data.credits_charged"),
        ({"credits_charged": True}, "$.data.credits_charged"),
        ({"status": 3}, "$.data.status"),
        ({"created_at": "yesterday"}, "$.data.created_at"),
        ({"lead": {"email": None}}, "$.data.lead.email"),
        (
            {"lead": {"email": "a@b.co", "custom_fields": {"k": 1}}},
            "$.data.lead.custom_fields",
        ),
        ({"result": ["not", "an", "object"]}, "$.data.result"),
    ],
)
def test_wrong_types_raise_decode_error_naming_the_field(
    override: dict[str, Any], path: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        structure(job_body(**override), Job)

    assert caught.value.path.startswith(path)
    assert path in str(caught.value)


def test_missing_required_field_raises_decode_error() -> None:
    body = job_body()
    del body["id"]

    with pytest.raises(DecodeError, match="required field missing") as caught:
        structure(body, Job)

    assert caught.value.path == "$.data.id"


def test_null_never_becomes_the_string_none() -> None:
    with pytest.raises(DecodeError):
        structure({"email": None}, Lead, path="$")


def test_a_body_that_is_not_an_object_raises_decode_error() -> None:
    with pytest.raises(DecodeError):
        structure(["job_1"], Job)


def test_enrichment_parts_decode() -> None:
    enrichment = structure(
        {
            "id": "enr_1",
            "status": "completed",
            "company": {
                "name": "Stripe",
                "employee_count": 8000,
                "signals": ["hiring"],
            },
            "person": {"full_name": "Ada L", "talking_points": ["a", "b"]},
        },
        Enrichment,
    )

    assert enrichment.company is not None
    assert enrichment.company.employee_count == 8000
    assert list(enrichment.company.signals) == ["hiring"]
    assert enrichment.person is not None
    assert list(enrichment.person.talking_points) == ["a", "b"]


def test_models_are_frozen() -> None:
    lead = Lead(email="ada@example.com")

    with pytest.raises(AttributeError):
        lead.email = "other@example.com"  # type: ignore[misc]
