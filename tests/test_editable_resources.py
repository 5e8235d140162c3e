"""Blueprints and auto responders round-trip against the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest

from paradigm_async import (
    NOT_GIVEN,
    InvalidInputError,
    NotFoundError,
    ParadigmClient,
    TemplateField,
    Tone,
    ValidationError,
)
from paradigm_async.resources._editable import EditableCollection
from paradigm_async.sandbox import Sandbox

Make = Callable[[EditableCollection[Any], int], Awaitable[Any]]


@attrs.frozen
class Case:
    """One resource: how to reach it, make one, and what to change."""

    name: str
    group: Callable[[ParadigmClient], EditableCollection[Any]]
    create: dict[str, Any]
    change: dict[str, Any]
    clear: str
    required: str


CASES = [
    Case(
        "enrichment templates",
        lambda c: c.blueprints.enrichment_templates,
        {
            "description": "What matters for outbound",
            "instructions": "Look for hiring signals",
            "fields": [TemplateField(name="tech_stack"), {"name": "funding"}],
        },
        {"instructions": "Only public sources"},
        "description",
        "name",
    ),
    Case(
        "customization templates",
        lambda c: c.blueprints.customization_templates,
        {
            "subject_template": "{first_name}, a thought on {company}",
            "body_template": "Hi {first_name}",
            "tone": Tone.FRIENDLY,
        },
        {"tone": "formal"},
        "subject_template",
        "name",
    ),
    Case(
        "email auto responders",
        lambda c: c.auto_responders.email,
        {"mailbox": "sdr@example.com", "reply_delay_minutes": 15},
        {"enabled": True, "reply_delay_minutes": 30},
        "instructions",
        "mailbox",
    ),
    Case(
        "linkedin auto responders",
        lambda c: c.auto_responders.linkedin,
        {"linkedin_account": "https://www.linkedin.com/in/sdr"},
        {"enabled": True},
        "customization_template_id",
        "linkedin_account",
    ),
]
IDS = [case.name for case in CASES]


async def make(case: Case, group: EditableCollection[Any], n: int = 0) -> Any:
    values = {**case.create, "name": f"{case.name} {n}"}
    if case.clear not in values:
        values[case.clear] = "to be cleared"
    return await group.create(**values)  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_create_get_list_update_delete_then_404(
    sandbox: Sandbox, client: ParadigmClient, case: Case
) -> None:
    group = case.group(client)
    made = [await make(case, group, n) for n in range(25)]
    first = made[0]

    fetched = await group.get(first.id)
    listed = [item.id async for item in group.list(limit=10)]
    changed = await group.update(first.id, **case.change)  # type: ignore[attr-defined]
    cleared = await group.update(first.id, **{case.clear: None})  # type: ignore[attr-defined]
    await group.delete(first.id)

    assert fetched == first
    assert sorted(listed) == sorted(item.id for item in made)
    for field, value in case.change.items():
        assert getattr(changed, field) == value
    assert changed.name == first.name
    assert getattr(cleared, case.clear) is None
    for field in case.change:
        assert getattr(cleared, field) == getattr(changed, field)
    with pytest.raises(NotFoundError):
        await group.get(first.id)
    assert sandbox.account().charged == 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_update_sends_only_the_fields_given(
    sandbox: Sandbox, client: ParadigmClient, case: Case
) -> None:
    group = case.group(client)
    item = await make(case, group)
    sandbox.reset_requests()

    update: Any = group.update  # type: ignore[attr-defined]
    await update(item.id, name="renamed", **{case.clear: NOT_GIVEN})

    [request] = sandbox.requests
    assert request.method == "PATCH"
    assert request.body == b'{"name":"renamed"}'


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_they_are_free_and_say_so(
    client: ParadigmClient, case: Case
) -> None:
    group = case.group(client)

    assert set(group.prices) == {"list", "get", "create", "update", "delete"}
    assert all(price.is_free for price in group.prices.values())


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_bad_values_are_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient, case: Case
) -> None:
    group = case.group(client)
    item = await make(case, group)
    sandbox.reset_requests()
    update: Any = group.update  # type: ignore[attr-defined]

    for bad in ({"name": ""}, {"name": "  "}, {"name": None}, {"name": 3}):
        with pytest.raises(InvalidInputError, match="name"):
            await update(item.id, **bad)
    with pytest.raises(InvalidInputError, match=case.required):
        await update(item.id, **{case.required: None})
    with pytest.raises(InvalidInputError, match="nothing to update"):
        await update(item.id)

    assert not sandbox.requests


async def test_responder_delays_tones_and_flags_are_checked(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    email = client.auto_responders.email
    templates = client.blueprints.customization_templates

    with pytest.raises(InvalidInputError, match="reply_delay_minutes"):
        await email.create(name="x", mailbox="a@example.com",
                           reply_delay_minutes=-1)  # fmt: skip
    with pytest.raises(InvalidInputError, match="reply_delay_minutes"):
        await email.create(name="x", mailbox="a@example.com",
                           reply_delay_minutes=1.5)  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(InvalidInputError, match="mailbox"):
        await email.create(name="x", mailbox="not-an-address")
    with pytest.raises(InvalidInputError, match="enabled"):
        await email.create(name="x", mailbox="a@example.com",
                           enabled="yes")  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(InvalidInputError, match="tone"):
        await templates.create(name="x", tone="sarcastic")
    with pytest.raises(InvalidInputError, match="fields"):
        await client.blueprints.enrichment_templates.create(
            name="x", fields=[{"name": ""}]
        )

    assert not sandbox.requests


async def test_what_the_sdk_cannot_check_the_server_refuses(
    client: ParadigmClient,
) -> None:
    with pytest.raises(ValidationError, match="name"):
        await client.blueprints.enrichment_templates.create(name="x" * 201)


async def test_create_refuses_not_given_for_a_required_field(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    templates = client.blueprints.enrichment_templates
    with pytest.raises(InvalidInputError, match="name is required"):
        await templates.create(name=NOT_GIVEN)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="reply_delay_minutes"):
        await client.auto_responders.linkedin.create(
            name="x", linkedin_account="y", reply_delay_minutes=10_081
        )
    with pytest.raises(InvalidInputError, match="description"):
        await client.blueprints.enrichment_templates.create(
            name="x",
            fields=[TemplateField(name="a", description=5)],  # type: ignore[arg-type]
        )
    with pytest.raises(InvalidInputError, match="mailbox"):
        await client.auto_responders.email.create(name="x", mailbox="a@b..com")

    assert not sandbox.requests
