"""Enrichments: premium pricing and the deterministic research."""

from __future__ import annotations

import pytest

from ._api import LEAD, Api, running

COMPANY_FIELDS = {
    "name",
    "domain",
    "industry",
    "employee_count",
    "headquarters",
    "summary",
    "signals",
}
PERSON_FIELDS = {
    "full_name",
    "title",
    "seniority",
    "summary",
    "talking_points",
}


async def test_premium_enrichment_costs_two_credits(api: Api) -> None:
    reply = await api.call(
        "POST",
        "/v1/enrichments",
        json={"lead": LEAD, "research_mode": "premium"},
    )

    assert reply.status == 201
    assert reply.json["data"]["id"].startswith("enr_")
    assert reply.json["data"]["credits_charged"] == 2
    assert reply.json["meta"] == {
        "credits_charged": 2,
        "credits_remaining": 998,
    }


async def test_completed_enrichment_has_company_and_person(api: Api) -> None:
    enrichment = await api.create("/v1/enrichments")
    company, person = enrichment["company"], enrichment["person"]

    assert set(company) == COMPANY_FIELDS
    assert set(person) == PERSON_FIELDS
    assert company["name"] == "Acme Robotics"
    assert company["domain"] == "acme-robotics.io"
    assert isinstance(company["employee_count"], int)
    assert 2 <= len(company["signals"]) <= 4
    assert 2 <= len(person["talking_points"]) <= 4
    assert person["full_name"] == "Jane Doe"


async def test_research_is_the_same_for_the_same_lead(api: Api) -> None:
    first = await api.create("/v1/enrichments")
    second = await api.create("/v1/enrichments")

    assert first["company"] == second["company"]
    assert first["person"] == second["person"]


async def test_company_name_is_derived_from_the_domain(api: Api) -> None:
    lead = {"email": "li@blue-harbor.example"}
    enrichment = await api.create("/v1/enrichments", lead=lead)

    assert enrichment["company"]["name"] == "Blue Harbor"
    assert enrichment["person"]["full_name"] == "Li"


@pytest.mark.parametrize(
    ("title", "seniority"),
    [
        ("Chief Revenue Officer", "executive"),
        ("Vice President, Sales", "vp"),
        ("Director of Operations", "director"),
        ("Marketing Manager", "manager"),
        ("Software Engineer", "individual_contributor"),
        (None, "individual_contributor"),
    ],
)
async def test_seniority_is_derived_from_the_title(
    api: Api, title: str | None, seniority: str
) -> None:
    lead = {"email": "a@b.example", "title": title}
    enrichment = await api.create("/v1/enrichments", lead=lead)

    assert enrichment["person"]["seniority"] == seniority


async def test_research_is_null_until_completed() -> None:
    async with running(processing_delay=5.0) as api:
        enrichment = await api.create("/v1/enrichments")

    assert enrichment["status"] == "queued"
    assert enrichment["company"] is None
    assert enrichment["person"] is None


async def test_enrichment_takes_no_customization_template(api: Api) -> None:
    body = {"lead": LEAD, "customization_template_id": "ct_1"}
    reply = await api.call("POST", "/v1/enrichments", json=body)

    assert reply.status == 400
    assert "customization_template_id" in reply.json["error"]["message"]
