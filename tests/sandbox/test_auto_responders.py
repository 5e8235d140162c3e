"""Email and LinkedIn auto responders: their fields and checks."""

from __future__ import annotations

from typing import Any

import pytest

from ._api import Api
from ._kinds import EMAIL_AUTO_RESPONDER, LINKEDIN_AUTO_RESPONDER, Kind

DELAY = "reply_delay_minutes: must be an integer from 0 to 10080"

# What both kinds check alike, on create and on update.
SHARED = [
    ({"name": "n" * 201}, "name: must be 1 to 200 characters"),
    ({"enabled": "yes"}, "enabled: must be true or false"),
    ({"enabled": 1}, "enabled: must be true or false"),
    ({"reply_delay_minutes": -1}, DELAY),
    ({"reply_delay_minutes": 10_081}, DELAY),
    ({"reply_delay_minutes": 5.0}, DELAY),
    ({"reply_delay_minutes": "5"}, DELAY),
    ({"reply_delay_minutes": True}, DELAY),
    (
        {"instructions": "i" * 10_001},
        "instructions: must be at most 10000 characters",
    ),
    (
        {"customization_template_id": ""},
        "customization_template_id: must be a non-empty string",
    ),
    (
        {"customization_template_id": 12},
        "customization_template_id: must be a non-empty string",
    ),
]
OWN = [
    (
        EMAIL_AUTO_RESPONDER,
        {"mailbox": "sales"},
        "mailbox: must be a valid email address",
    ),
    (
        EMAIL_AUTO_RESPONDER,
        {"mailbox": "a b@acme.io"},
        "mailbox: must be a valid email address",
    ),
    (
        EMAIL_AUTO_RESPONDER,
        {"linkedin_account": "jane"},
        "linkedin_account: is not a known field",
    ),
    (
        LINKEDIN_AUTO_RESPONDER,
        {"linkedin_account": ""},
        "linkedin_account: must be 1 to 200 characters",
    ),
    (
        LINKEDIN_AUTO_RESPONDER,
        {"linkedin_account": "l" * 201},
        "linkedin_account: must be 1 to 200 characters",
    ),
    (
        LINKEDIN_AUTO_RESPONDER,
        {"mailbox": "a@b.io"},
        "mailbox: is not a known field",
    ),
]
CASES = [
    pytest.param(kind, body, message, id=f"{kind.id_prefix}{index}")
    for index, (body, message) in enumerate(SHARED)
    for kind in (EMAIL_AUTO_RESPONDER, LINKEDIN_AUTO_RESPONDER)
] + [
    pytest.param(kind, body, message, id=f"{kind.id_prefix}own{index}")
    for index, (kind, body, message) in enumerate(OWN)
]


@pytest.mark.parametrize(("kind", "body", "message"), CASES)
async def test_bad_field_is_400_naming_it_on_create_and_update(
    api: Api, kind: Kind, body: dict[str, Any], message: str
) -> None:
    responder = await kind.create(api)
    created = await api.call("POST", kind.path, json={**kind.body, **body})
    updated = await api.call("PATCH", kind.one(responder["id"]), json=body)
    fetched = await api.call("GET", kind.one(responder["id"]))

    for reply in (created, updated):
        assert reply.status == 400
        assert reply.json["error"]["code"] == "VALIDATION_ERROR"
        assert reply.json["error"]["message"] == message
    assert fetched.json["data"] == responder


@pytest.mark.parametrize(
    ("kind", "account"),
    [
        (EMAIL_AUTO_RESPONDER, "mailbox"),
        (LINKEDIN_AUTO_RESPONDER, "linkedin_account"),
    ],
)
async def test_name_and_account_are_required_on_create(
    api: Api, kind: Kind, account: str
) -> None:
    reply = await api.call("POST", kind.path, json={"enabled": True})

    assert reply.status == 400
    assert reply.json["error"]["message"] == (
        f"name: is required; {account}: is required"
    )


@pytest.mark.parametrize(
    "kind", [EMAIL_AUTO_RESPONDER, LINKEDIN_AUTO_RESPONDER]
)
async def test_the_limits_themselves_are_accepted(
    api: Api, kind: Kind
) -> None:
    responder = await kind.create(
        api, enabled=True, reply_delay_minutes=10_080, name="n" * 200
    )
    responder_now = await kind.create(api, reply_delay_minutes=0)

    assert responder["enabled"] is True
    assert responder["reply_delay_minutes"] == 10_080
    assert responder_now["reply_delay_minutes"] == 0


async def test_an_update_may_enable_and_retarget_a_responder(
    api: Api,
) -> None:
    kind = EMAIL_AUTO_RESPONDER
    responder = await kind.create(api)
    change = {
        "enabled": True,
        "mailbox": "replies@acme-robotics.io",
        "customization_template_id": "ct_2",
        "reply_delay_minutes": 30,
    }
    reply = await api.call("PATCH", kind.one(responder["id"]), json=change)

    assert reply.status == 200
    assert reply.json["data"] == {
        **responder,
        **change,
        "updated_at": reply.json["data"]["updated_at"],
    }


async def test_a_linkedin_account_may_be_a_url_or_a_handle(
    api: Api,
) -> None:
    by_url = await LINKEDIN_AUTO_RESPONDER.create(api)
    by_handle = await LINKEDIN_AUTO_RESPONDER.create(
        api, linkedin_account="jane-doe"
    )

    assert by_url["linkedin_account"].startswith("https://")
    assert by_handle["linkedin_account"] == "jane-doe"
