"""Create bodies: every problem is a 400 that names its field."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from ._api import LEAD, Api

GOOD = {"email": "a@b.example"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "lead: is required"),
        ({"lead": "a@b.example"}, "lead: must be an object"),
        ({"lead": {}}, "lead.email: is required"),
        ({"lead": {"email": "nope"}}, "lead.email: must be a valid email"),
        ({"lead": {"email": 7}}, "lead.email: must be a valid email"),
        (
            {"lead": {**GOOD, "first_name": 3}},
            "lead.first_name: must be a string or null",
        ),
        (
            {"lead": {**GOOD, "nickname": "J"}},
            "lead.nickname: is not a known field",
        ),
        (
            {"lead": {**GOOD, "custom_fields": ["x"]}},
            "lead.custom_fields: must be an object of strings",
        ),
        (
            {"lead": {**GOOD, "custom_fields": {"tier": 1}}},
            "lead.custom_fields.tier: must be a string",
        ),
        (
            {"lead": GOOD, "research_mode": "deep"},
            "research_mode: must be one of standard, premium",
        ),
        (
            {"lead": GOOD, "research_mode": None},
            "research_mode: must be one of standard, premium",
        ),
        (
            {"lead": GOOD, "enrichment_template_id": 5},
            "enrichment_template_id: must be a string or null",
        ),
        ({"lead": GOOD, "priority": 1}, "priority: is not a known field"),
    ],
)
async def test_bad_job_body_is_400_naming_the_field(
    api: Api, body: dict[str, Any], message: str
) -> None:
    reply = await api.call("POST", "/v1/jobs", json=body)

    assert reply.status == 400
    assert reply.json["error"]["code"] == "VALIDATION_ERROR"
    assert message in reply.json["error"]["message"]


@pytest.mark.parametrize("data", [b"", b"{not json", b"[1, 2]", b'"lead"'])
async def test_body_that_is_not_a_json_object_is_400(
    api: Api, data: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    reply = await api.call("POST", "/v1/jobs", data=data, headers=headers)

    assert reply.status == 400
    assert reply.json["error"]["message"] == "body: must be a JSON object"


async def test_every_problem_is_reported_at_once(api: Api) -> None:
    body = {"lead": {"email": "nope", "title": 1}, "research_mode": "x"}
    reply = await api.call("POST", "/v1/jobs", json=body)
    message = reply.json["error"]["message"]

    assert "lead.email" in message
    assert "lead.title" in message
    assert "research_mode" in message


async def test_null_optional_fields_are_accepted(api: Api) -> None:
    lead = {**GOOD, "title": None, "custom_fields": None}
    body = {"lead": lead, "enrichment_template_id": None}
    reply = await api.call("POST", "/v1/jobs", json=body)

    assert reply.status == 201
    assert reply.json["data"]["lead"]["custom_fields"] == {}


async def test_rejected_create_charges_nothing_and_stores_nothing(
    api: Api,
) -> None:
    await api.call("POST", "/v1/jobs", json={"lead": {"email": "x"}})
    listed = await api.call("GET", "/v1/jobs")

    assert api.sandbox.account().charged == 0
    assert listed.json["pagination"]["total"] == 0


async def test_query_parameters_on_create_are_rejected(api: Api) -> None:
    reply = await api.call("POST", "/v1/jobs?dry_run=1", json={"lead": LEAD})

    assert reply.status == 400
    assert "dry_run" in reply.json["error"]["message"]


async def test_a_body_over_one_mebibyte_is_400(api: Api) -> None:
    padding = "x" * (1024 * 1024)
    body = {"lead": {**GOOD, "custom_fields": {"note": padding}}}
    data = io.BytesIO(json.dumps(body).encode())
    headers = {"Content-Type": "application/json"}
    reply = await api.call("POST", "/v1/jobs", data=data, headers=headers)

    assert reply.status == 400
    assert reply.json["error"]["message"].startswith("body: must be at most")
    assert reply.headers["X-RateLimit-Limit"] == "100"


async def test_a_body_nested_too_deep_is_400_not_500(api: Api) -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    headers = {"Content-Type": "application/json"}
    reply = await api.call("POST", "/v1/jobs", data=data, headers=headers)

    assert reply.status == 400
