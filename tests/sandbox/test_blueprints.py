"""Enrichment and customization templates: their fields and checks."""

from __future__ import annotations

from typing import Any

import pytest

from ._api import Api
from ._kinds import CUSTOMIZATION_TEMPLATE, ENRICHMENT_TEMPLATE

TONES = "professional, friendly, casual, formal, direct"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name: is required"),
        ({"name": None}, "name: must not be null"),
        ({"name": ""}, "name: must be 1 to 200 characters"),
        ({"name": "n" * 201}, "name: must be 1 to 200 characters"),
        ({"name": 7}, "name: must be a string"),
        (
            {"name": "N", "description": "d" * 2001},
            "description: must be at most 2000 characters",
        ),
        (
            {"name": "N", "instructions": "i" * 10_001},
            "instructions: must be at most 10000 characters",
        ),
        (
            {"name": "N", "fields": None},
            "fields: must not be null",
        ),
        (
            {"name": "N", "fields": {"name": "crm"}},
            "fields: must be a list of at most 50 items",
        ),
        (
            {"name": "N", "fields": [{"name": "f"}] * 51},
            "fields: must be a list of at most 50 items",
        ),
        ({"name": "N", "fields": ["crm"]}, "fields[0]: must be an object"),
        ({"name": "N", "fields": [{}]}, "fields[0].name: is required"),
        (
            {"name": "N", "fields": [{"name": "a"}, {"name": "f" * 101}]},
            "fields[1].name: must be 1 to 100 characters",
        ),
        (
            {"name": "N", "fields": [{"name": "a", "description": 1}]},
            "fields[0].description: must be a string",
        ),
        (
            {"name": "N", "fields": [{"name": "a", "description": "d" * 501}]},
            "fields[0].description: must be at most 500 characters",
        ),
        (
            {"name": "N", "fields": [{"name": "a", "type": "text"}]},
            "fields[0].type: is not a known field",
        ),
    ],
)
async def test_bad_enrichment_template_is_400_naming_the_field(
    api: Api, body: dict[str, Any], message: str
) -> None:
    reply = await api.call("POST", ENRICHMENT_TEMPLATE.path, json=body)

    assert reply.status == 400
    assert reply.json["error"]["code"] == "VALIDATION_ERROR"
    assert reply.json["error"]["message"] == message


async def test_every_problem_is_reported_at_once(api: Api) -> None:
    body = {"name": "", "description": 3, "fields": [{"name": ""}]}
    reply = await api.call("POST", ENRICHMENT_TEMPLATE.path, json=body)

    assert reply.json["error"]["message"] == (
        "name: must be 1 to 200 characters; description: must be a string; "
        "fields[0].name: must be 1 to 100 characters"
    )


async def test_the_limits_themselves_are_accepted(api: Api) -> None:
    # Lengths count characters, not bytes: each é is two in UTF-8.
    template = await ENRICHMENT_TEMPLATE.create(
        api,
        name="é" * 200,
        description="d" * 2000,
        instructions="i" * 10_000,
        fields=[{"name": "f" * 100, "description": "d" * 500}] * 50,
    )

    assert len(template["name"]) == 200
    assert len(template["fields"]) == 50


async def test_a_template_field_echoes_a_null_description(
    api: Api,
) -> None:
    given = await ENRICHMENT_TEMPLATE.create(api, fields=[{"name": "crm"}])

    assert given["fields"] == [{"name": "crm", "description": None}]


async def test_fields_default_to_an_empty_list(api: Api) -> None:
    reply = await api.call(
        "POST", ENRICHMENT_TEMPLATE.path, json={"name": "Bare"}
    )

    assert reply.json["data"]["fields"] == []
    assert reply.json["data"]["description"] is None


async def test_an_empty_list_empties_the_fields(api: Api) -> None:
    template = await ENRICHMENT_TEMPLATE.create(api)
    path = ENRICHMENT_TEMPLATE.one(template["id"])
    reply = await api.call("PATCH", path, json={"fields": []})

    assert reply.status == 200
    assert reply.json["data"]["fields"] == []
    assert reply.json["data"]["name"] == template["name"]


async def test_an_update_replaces_the_whole_field_list(api: Api) -> None:
    template = await ENRICHMENT_TEMPLATE.create(api)
    path = ENRICHMENT_TEMPLATE.one(template["id"])
    fields = [{"name": "headcount"}, {"name": "funding", "description": "$"}]
    reply = await api.call("PATCH", path, json={"fields": fields})

    assert reply.json["data"]["fields"] == [
        {"name": "headcount", "description": None},
        {"name": "funding", "description": "$"},
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"tone": "angry"}, f"tone: must be one of {TONES}"),
        ({"tone": 1}, f"tone: must be one of {TONES}"),
        (
            {"subject_template": "s" * 501},
            "subject_template: must be at most 500 characters",
        ),
        (
            {"body_template": "b" * 20_001},
            "body_template: must be at most 20000 characters",
        ),
        ({"body_template": ["Hi"]}, "body_template: must be a string"),
        ({"name": ""}, "name: must be 1 to 200 characters"),
        ({"fields": []}, "fields: is not a known field"),
    ],
)
async def test_bad_customization_template_is_400_on_create_and_update(
    api: Api, body: dict[str, Any], message: str
) -> None:
    template = await CUSTOMIZATION_TEMPLATE.create(api)
    path = CUSTOMIZATION_TEMPLATE.path
    created = await api.call("POST", path, json={"name": "N", **body})
    updated = await api.call(
        "PATCH", CUSTOMIZATION_TEMPLATE.one(template["id"]), json=body
    )

    for reply in (created, updated):
        assert reply.status == 400
        assert reply.json["error"]["code"] == "VALIDATION_ERROR"
        assert reply.json["error"]["message"] == message


@pytest.mark.parametrize(
    "tone", ["professional", "friendly", "casual", "formal", "direct"]
)
async def test_every_tone_is_accepted(api: Api, tone: str) -> None:
    template = await CUSTOMIZATION_TEMPLATE.create(api, tone=tone)

    assert template["tone"] == tone


async def test_tone_defaults_to_null(api: Api) -> None:
    reply = await api.call(
        "POST", CUSTOMIZATION_TEMPLATE.path, json={"name": "Plain"}
    )

    assert reply.json["data"] == {
        "id": reply.json["data"]["id"],
        "name": "Plain",
        "description": None,
        "subject_template": None,
        "body_template": None,
        "tone": None,
        "instructions": None,
        "created_at": reply.json["data"]["created_at"],
        "updated_at": reply.json["data"]["updated_at"],
    }
