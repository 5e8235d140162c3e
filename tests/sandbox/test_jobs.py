"""Jobs: envelopes, the fields of a record, get, delete and the lifecycle."""

from __future__ import annotations

import asyncio
import re

import pytest

from paradigm_async.sandbox import _jobs

from ._api import LEAD, Api, running

JOB_FIELDS = {
    "id",
    "status",
    "research_mode",
    "lead",
    "enrichment_template_id",
    "customization_template_id",
    "result",
    "error",
    "credits_charged",
    "created_at",
    "updated_at",
    "completed_at",
}
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


async def test_create_job_answers_201_with_data_and_meta(api: Api) -> None:
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert reply.status == 201
    assert set(reply.json) == {"data", "meta"}
    assert reply.json["meta"] == {
        "credits_charged": 1,
        "credits_remaining": 999,
    }


async def test_job_has_exactly_the_contract_fields(api: Api) -> None:
    job = await api.create()

    assert set(job) == JOB_FIELDS
    assert re.fullmatch(r"job_[0-9a-f]{24}", job["id"])
    assert job["research_mode"] == "standard"
    assert job["credits_charged"] == 1


async def test_lead_echo_has_every_field_null_where_absent(api: Api) -> None:
    job = await api.create(lead={"email": "a@b.example"})

    assert job["lead"] == {
        "email": "a@b.example",
        "first_name": None,
        "last_name": None,
        "title": None,
        "company_name": None,
        "company_domain": None,
        "linkedin_url": None,
        "custom_fields": {},
    }


async def test_template_ids_are_echoed(api: Api) -> None:
    job = await api.create(
        enrichment_template_id="et_1", customization_template_id="ct_1"
    )

    assert job["enrichment_template_id"] == "et_1"
    assert job["customization_template_id"] == "ct_1"


async def test_get_job_answers_the_single_envelope(api: Api) -> None:
    job = await api.create()
    reply = await api.call("GET", f"/v1/jobs/{job['id']}")

    assert reply.status == 200
    assert reply.json == {"data": job}


async def test_delete_job_answers_204_then_the_job_is_gone(api: Api) -> None:
    job = await api.create()
    deleted = await api.call("DELETE", f"/v1/jobs/{job['id']}")
    again = await api.call("GET", f"/v1/jobs/{job['id']}")

    assert deleted.status == 204
    assert deleted.text == ""
    assert again.status == 404


async def test_unknown_job_is_404_not_found(api: Api) -> None:
    reply = await api.call("GET", "/v1/jobs/job_missing")

    assert reply.status == 404
    assert reply.json["error"]["code"] == "NOT_FOUND"
    assert "job_missing" in reply.json["error"]["message"]


async def test_unknown_path_is_404_in_the_envelope(api: Api) -> None:
    reply = await api.call("GET", "/v1/nowhere")

    assert reply.status == 404
    assert reply.json["error"]["code"] == "NOT_FOUND"


async def test_wrong_method_is_405_method_not_allowed(api: Api) -> None:
    reply = await api.call("PATCH", "/v1/jobs")

    assert reply.status == 405
    assert reply.json["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert reply.headers["Allow"] == "GET, POST"


async def test_completed_job_has_a_personalised_email(api: Api) -> None:
    job = await api.create()

    assert job["status"] == "completed"
    assert job["error"] is None
    assert job["result"]["enrichment_id"] is None
    assert job["result"]["body"].startswith("Hi Jane,")
    assert "Acme Robotics" in job["result"]["subject"]


async def test_job_moves_queued_processing_completed() -> None:
    async with running(processing_delay=0.6) as api:
        job = await api.create()
        path = f"/v1/jobs/{job['id']}"
        await asyncio.sleep(0.3)
        middle = (await api.call("GET", path)).json["data"]
        await asyncio.sleep(0.4)
        done = (await api.call("GET", path)).json["data"]

    assert (job["status"], job["result"], job["completed_at"]) == (
        "queued",
        None,
        None,
    )
    assert middle["status"] == "processing"
    assert middle["updated_at"] >= job["updated_at"]
    assert done["status"] == "completed"
    assert done["result"] is not None
    assert done["completed_at"] == done["updated_at"]


async def test_timestamps_are_utc_with_milliseconds(api: Api) -> None:
    job = await api.create()

    for name in ("created_at", "updated_at", "completed_at"):
        assert STAMP.fullmatch(job[name]), job[name]


async def test_an_unexpected_error_is_500_and_charges_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError("research broke")

    monkeypatch.setattr(_jobs, "job_result", broken)
    reply = await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    listed = await api.call("GET", "/v1/enrichments")

    assert reply.status == 500
    assert reply.json["error"]["code"] == "INTERNAL_ERROR"
    assert listed.status == 200
    assert api.sandbox.account().charged == 0


async def test_delete_answers_no_body_and_no_content_type(api: Api) -> None:
    job = await api.create()
    reply = await api.call("DELETE", f"/v1/jobs/{job['id']}")

    assert reply.status == 204
    assert "Content-Type" not in reply.headers
