"""Idempotency-Key on creates: one charge, one record, the same answer."""

from __future__ import annotations

from ._api import LEAD, Api, running

KEY = {"Idempotency-Key": "create-jane-1"}


async def test_a_repeat_replays_the_answer_without_a_new_charge(
    api: Api,
) -> None:
    body = {"lead": LEAD}
    first = await api.call("POST", "/v1/jobs", json=body, headers=KEY)
    second = await api.call("POST", "/v1/jobs", json=body, headers=KEY)
    listed = await api.call("GET", "/v1/jobs")

    assert first.status == second.status == 201
    assert second.text == first.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.sandbox.account().charged == 1
    assert listed.json["pagination"]["total"] == 1


async def test_key_order_and_spacing_do_not_change_the_request(
    api: Api,
) -> None:
    headers = {**KEY, "Content-Type": "application/json"}
    one = b'{"lead": {"email": "a@b.example"}, "research_mode": "premium"}'
    two = b'{"research_mode":"premium","lead":{"email":"a@b.example"}}'
    await api.call("POST", "/v1/jobs", data=one, headers=headers)
    again = await api.call("POST", "/v1/jobs", data=two, headers=headers)

    assert again.headers["Idempotent-Replayed"] == "true"


async def test_the_same_key_for_another_request_is_400(api: Api) -> None:
    await api.call("POST", "/v1/jobs", json={"lead": LEAD}, headers=KEY)
    other = {"lead": {**LEAD, "first_name": "Janet"}}
    reply = await api.call("POST", "/v1/jobs", json=other, headers=KEY)
    elsewhere = await api.call(
        "POST", "/v1/enrichments", json={"lead": LEAD}, headers=KEY
    )

    assert reply.status == 400
    assert reply.json["error"]["code"] == "VALIDATION_ERROR"
    assert "Idempotency-Key" in reply.json["error"]["message"]
    assert elsewhere.status == 400
    assert api.sandbox.account().charged == 1


async def test_error_answers_are_not_kept(api: Api) -> None:
    api.sandbox.set_credits(0)
    short = await api.call(
        "POST", "/v1/jobs", json={"lead": LEAD}, headers=KEY
    )
    api.sandbox.set_credits(10)
    retry = await api.call(
        "POST", "/v1/jobs", json={"lead": LEAD}, headers=KEY
    )

    assert short.status == 402
    assert retry.status == 201
    assert "Idempotent-Replayed" not in retry.headers


async def test_idempotency_keys_belong_to_one_api_key() -> None:
    async with running(api_keys=("pk_live_a", "pk_live_b")) as api:
        body = {"lead": LEAD}
        await api.call("POST", "/v1/jobs", json=body, headers=KEY)
        theirs = await api.call(
            "POST", "/v1/jobs", json=body, headers=KEY, key="pk_live_b"
        )

        assert "Idempotent-Replayed" not in theirs.headers
        assert api.sandbox.account("pk_live_b").charged == 1


async def test_an_empty_idempotency_key_is_400(api: Api) -> None:
    headers = {"Idempotency-Key": ""}
    reply = await api.call(
        "POST", "/v1/jobs", json={"lead": LEAD}, headers=headers
    )

    assert reply.status == 400
    assert "Idempotency-Key" in reply.json["error"]["message"]


async def test_without_a_key_every_create_is_charged(api: Api) -> None:
    await api.call("POST", "/v1/jobs", json={"lead": LEAD})
    await api.call("POST", "/v1/jobs", json={"lead": LEAD})

    assert api.sandbox.account().charged == 2
