"""The free, editable resources: create, get, list, update and delete."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from paradigm_async.sandbox import Account, Fault

from ._api import Api, running
from ._kinds import ENRICHMENT_TEMPLATE, Kind, each_kind

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
UNTOUCHED = Account(1000, charged=0, refunded=0)


@each_kind
async def test_create_answers_201_with_every_field_and_no_meta(
    api: Api, kind: Kind
) -> None:
    reply = await api.call("POST", kind.path, json=dict(kind.body))
    record = reply.json["data"]

    assert reply.status == 201
    assert set(reply.json) == {"data"}
    assert set(record) == kind.fields
    assert re.fullmatch(rf"{kind.id_prefix}[0-9a-f]{{24}}", record["id"])
    assert {name: record[name] for name in kind.body} == kind.body
    assert {name: record[name] for name in kind.defaults} == kind.defaults
    assert STAMP.fullmatch(record["created_at"])
    assert record["updated_at"] == record["created_at"]


@each_kind
async def test_get_answers_the_record_as_created(api: Api, kind: Kind) -> None:
    record = await kind.create(api)
    reply = await api.call("GET", kind.one(record["id"]))

    assert reply.status == 200
    assert reply.json == {"data": record}


@each_kind
async def test_pages_walk_every_record_once_newest_first(
    api: Api, kind: Kind
) -> None:
    created = [(await kind.create(api))["id"] for _ in range(5)]
    seen: list[str] = []
    pages = []
    offset = 0
    while True:
        query = f"?limit=2&offset={offset}"
        page = (await api.call("GET", kind.path + query)).json
        pages.append(page["pagination"])
        seen += [record["id"] for record in page["data"]]
        if not page["pagination"]["has_more"]:
            break
        offset += len(page["data"])

    assert seen == created[::-1]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert {p["total"] for p in pages} == {5}
    assert {p["limit"] for p in pages} == {2}


@each_kind
async def test_a_list_takes_no_filters(api: Api, kind: Kind) -> None:
    reply = await api.call("GET", f"{kind.path}?status=completed")

    assert reply.status == 400
    assert reply.json["error"]["code"] == "VALIDATION_ERROR"
    assert reply.json["error"]["message"] == (
        "status: is not a known query parameter"
    )


@each_kind
async def test_update_changes_only_the_fields_given(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    # The stamps have millisecond precision: let one pass.
    await asyncio.sleep(0.005)
    path = kind.one(record["id"])
    reply = await api.call("PATCH", path, json={"name": "Renamed"})
    updated = reply.json["data"]
    fetched = await api.call("GET", path)

    assert reply.status == 200
    assert set(reply.json) == {"data"}
    assert updated == {
        **record,
        "name": "Renamed",
        "updated_at": updated["updated_at"],
    }
    assert updated["updated_at"] > record["updated_at"]
    assert updated["created_at"] == record["created_at"]
    assert fetched.json["data"] == updated


@each_kind
async def test_null_clears_a_nullable_field(api: Api, kind: Kind) -> None:
    record = await kind.create(api)
    assert record[kind.nullable] is not None
    path = kind.one(record["id"])
    reply = await api.call("PATCH", path, json={kind.nullable: None})
    fetched = await api.call("GET", path)

    assert reply.status == 200
    assert reply.json["data"][kind.nullable] is None
    assert fetched.json["data"][kind.nullable] is None
    assert fetched.json["data"]["name"] == record["name"]


@each_kind
async def test_null_on_a_not_nullable_field_is_400(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    path = kind.one(record["id"])
    for name in kind.required:
        reply = await api.call("PATCH", path, json={name: None})

        assert reply.status == 400, name
        assert reply.json["error"] == {
            "code": "VALIDATION_ERROR",
            "message": f"{name}: must not be null",
        }

    fetched = await api.call("GET", path)
    assert fetched.json["data"] == record


@each_kind
async def test_an_empty_update_is_400_nothing_to_update(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    reply = await api.call("PATCH", kind.one(record["id"]), json={})

    assert reply.status == 400
    assert reply.json["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "nothing to update",
    }


@each_kind
async def test_unknown_and_read_only_fields_are_400_naming_them(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    path = kind.one(record["id"])
    body = {"name": "Renamed", "colour": "red", "updated_at": "now"}
    update = await api.call("PATCH", path, json=body)
    create = await api.call(
        "POST", kind.path, json={**kind.body, "id": "mine", "colour": "red"}
    )
    fetched = await api.call("GET", path)
    listed = await api.call("GET", kind.path)

    assert update.status == 400
    message = update.json["error"]["message"]
    assert "colour: is not a known field" in message
    assert "updated_at: is read-only" in message
    assert create.status == 400
    assert "id: is read-only" in create.json["error"]["message"]
    assert "colour: is not a known field" in create.json["error"]["message"]
    assert fetched.json["data"] == record
    assert listed.json["pagination"]["total"] == 1


@each_kind
async def test_an_update_body_must_be_a_json_object(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    reply = await api.call("PATCH", kind.one(record["id"]), json=["name"])

    assert reply.status == 400
    assert reply.json["error"]["message"] == "body: must be a JSON object"


@each_kind
async def test_delete_answers_204_then_the_record_is_gone(
    api: Api, kind: Kind
) -> None:
    record = await kind.create(api)
    path = kind.one(record["id"])
    deleted = await api.call("DELETE", path)
    replies = [
        await api.call("GET", path),
        await api.call("PATCH", path, json={"name": "Renamed"}),
        await api.call("DELETE", path),
    ]
    listed = await api.call("GET", kind.path)

    assert deleted.status == 204
    assert deleted.text == ""
    assert [reply.status for reply in replies] == [404, 404, 404]
    assert listed.json["pagination"]["total"] == 0


@each_kind
async def test_an_unknown_id_is_404_naming_the_resource(
    api: Api, kind: Kind
) -> None:
    reply = await api.call("PATCH", kind.one("nope"), json={"name": "N"})

    assert reply.status == 404
    assert reply.json["error"] == {
        "code": "NOT_FOUND",
        "message": f"no {kind.noun} has the id 'nope'",
    }


@each_kind
async def test_nothing_costs_credits_even_at_a_zero_balance(
    api: Api, kind: Kind
) -> None:
    api.sandbox.set_credits(0)
    record = await kind.create(api)
    path = kind.one(record["id"])
    replies = [
        await api.call("GET", kind.path),
        await api.call("GET", path),
        await api.call("PATCH", path, json={"name": "Renamed"}),
        await api.call("DELETE", path),
    ]

    assert [reply.status for reply in replies] == [200, 200, 200, 204]
    assert all("meta" not in (reply.json or {}) for reply in replies)
    assert api.sandbox.account() == Account(0, charged=0, refunded=0)


@each_kind
async def test_every_call_is_counted_by_the_rate_limit(kind: Kind) -> None:
    async with running(rate_limit=(4, 60.0)) as api:
        record = await kind.create(api)
        path = kind.one(record["id"])
        replies = [
            await api.call("GET", kind.path),
            await api.call("PATCH", path, json={"name": "Renamed"}),
            await api.call("DELETE", path),
            await api.call("GET", kind.path),
        ]
        account = api.sandbox.account()

    remaining = [reply.headers["X-RateLimit-Remaining"] for reply in replies]
    assert remaining == ["2", "1", "0", "0"]
    assert replies[-1].status == 429
    assert replies[-1].json["error"]["code"] == "RATE_LIMITED"
    assert account == UNTOUCHED


@each_kind
async def test_an_idempotency_key_replays_the_create(
    api: Api, kind: Kind
) -> None:
    headers = {"Idempotency-Key": "responder-1"}
    body = dict(kind.body)
    first = await api.call("POST", kind.path, json=body, headers=headers)
    second = await api.call("POST", kind.path, json=body, headers=headers)
    other = {**body, "name": "Another"}
    reused = await api.call("POST", kind.path, json=other, headers=headers)
    listed = await api.call("GET", kind.path)

    assert first.status == second.status == 201
    assert second.text == first.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert reused.status == 400
    assert "Idempotency-Key" in reused.json["error"]["message"]
    assert listed.json["pagination"]["total"] == 1


@each_kind
async def test_scripted_faults_apply(api: Api, kind: Kind) -> None:
    api.sandbox.inject(Fault.json_500(), method="POST", path=kind.path)
    failed = await api.call("POST", kind.path, json=dict(kind.body))
    api.sandbox.inject(Fault.drop_after(), method="POST", path=kind.path)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", kind.path, json=dict(kind.body))
    listed = await api.call("GET", kind.path)

    assert failed.status == 500
    assert failed.json["error"]["code"] == "INTERNAL_ERROR"
    assert listed.json["pagination"]["total"] == 1


async def test_each_api_key_sees_only_its_own_records() -> None:
    kind = ENRICHMENT_TEMPLATE
    async with running(api_keys=("pk_live_a", "pk_live_b")) as api:
        record = await kind.create(api)
        path = kind.one(record["id"])
        theirs = [
            await api.call("GET", path, key="pk_live_b"),
            await api.call("PATCH", path, json={"name": "X"}, key="pk_live_b"),
            await api.call("DELETE", path, key="pk_live_b"),
        ]
        listed = await api.call("GET", kind.path, key="pk_live_b")
        mine = await api.call("GET", path)

    assert [reply.status for reply in theirs] == [404, 404, 404]
    assert listed.json["data"] == []
    assert mine.json["data"] == record


async def test_the_resources_are_listed_apart(api: Api) -> None:
    await ENRICHMENT_TEMPLATE.create(api)
    others = [
        "/v1/blueprints/customization-templates",
        "/v1/auto-responders/email",
        "/v1/auto-responders/linkedin",
        "/v1/jobs",
    ]
    totals = [
        (await api.call("GET", path)).json["pagination"]["total"]
        for path in others
    ]

    assert totals == [0, 0, 0, 0]


async def test_put_is_405_and_patch_is_allowed(api: Api) -> None:
    reply = await api.call(
        "PUT", ENRICHMENT_TEMPLATE.one("et_1"), json={"name": "N"}
    )

    assert reply.status == 405
    assert reply.headers["Allow"] == "DELETE, GET, PATCH"
