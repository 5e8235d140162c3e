"""Lists: offset pages, newest first, the status filter, query checks."""

from __future__ import annotations

import pytest

from ._api import FAILING_LEAD, Api


async def test_list_answers_data_and_pagination(api: Api) -> None:
    await api.create()
    reply = await api.call("GET", "/v1/jobs")

    assert reply.status == 200
    assert set(reply.json) == {"data", "pagination"}
    assert reply.json["pagination"] == {
        "limit": 20,
        "offset": 0,
        "total": 1,
        "has_more": False,
    }


async def test_pages_walk_every_record_once_newest_first(api: Api) -> None:
    created = [(await api.create())["id"] for _ in range(5)]
    seen: list[str] = []
    pages = []
    offset = 0
    while True:
        reply = await api.call("GET", f"/v1/jobs?limit=2&offset={offset}")
        page = reply.json
        pages.append(page["pagination"])
        seen += [job["id"] for job in page["data"]]
        if not page["pagination"]["has_more"]:
            break
        offset += len(page["data"])

    assert seen == created[::-1]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert {p["total"] for p in pages} == {5}
    assert [p["offset"] for p in pages] == [0, 2, 4]


async def test_offset_past_the_end_is_an_empty_page(api: Api) -> None:
    await api.create()
    reply = await api.call("GET", "/v1/jobs?offset=10")

    assert reply.json["data"] == []
    assert reply.json["pagination"]["has_more"] is False
    assert reply.json["pagination"]["total"] == 1


async def test_list_filters_by_status(api: Api) -> None:
    await api.create()
    failed = await api.create(lead=FAILING_LEAD)
    reply = await api.call("GET", "/v1/jobs?status=failed&limit=5")

    assert [job["id"] for job in reply.json["data"]] == [failed["id"]]
    assert reply.json["pagination"]["total"] == 1


async def test_enrichments_and_jobs_are_listed_apart(api: Api) -> None:
    await api.create("/v1/enrichments")
    reply = await api.call("GET", "/v1/jobs")

    assert reply.json["data"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit: must be from 1 to 100"),
        ("limit=101", "limit: must be from 1 to 100"),
        ("limit=abc", "limit: must be an integer"),
        ("limit=2.5", "limit: must be an integer"),
        ("offset=-1", "offset: must be 0 or more"),
        ("offset=", "offset: must be an integer"),
        ("limit=1&limit=2", "limit: must be given at most once"),
        ("status=done", "status: must be one of queued, processing"),
        ("page=2", "page: is not a known query parameter"),
    ],
)
async def test_bad_list_query_is_400_naming_the_parameter(
    api: Api, query: str, message: str
) -> None:
    reply = await api.call("GET", f"/v1/jobs?{query}")

    assert reply.status == 400
    assert reply.json["error"]["code"] == "VALIDATION_ERROR"
    assert message in reply.json["error"]["message"]
