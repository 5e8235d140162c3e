"""The four free, editable resources, described once for the tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from ._api import Api


@attrs.frozen
class Kind:
    """One editable resource as the tests drive it.

    `body` is a valid create body that sets the nullable field
    `nullable`; `defaults` are the fields it leaves out, as rendered;
    `required` are the fields that may never be null.
    """

    noun: str
    path: str
    id_prefix: str
    body: Mapping[str, Any]
    defaults: Mapping[str, Any]
    nullable: str
    required: tuple[str, ...]

    @property
    def fields(self) -> set[str]:
        """Every member a record of this kind renders."""
        return {"id", *self.body, *self.defaults, "created_at", "updated_at"}

    def one(self, ident: str) -> str:
        """The raw path of the record `ident`."""
        return f"{self.path}/{ident}"

    async def create(self, api: Api, **changes: Any) -> Any:
        """Create a record from `body` with `changes`; return its data."""
        body = {**self.body, **changes}
        reply = await api.call("POST", self.path, json=body)
        assert reply.status == 201, reply.text

        return reply.json["data"]


ENRICHMENT_TEMPLATE = Kind(
    noun="enrichment template",
    path="/v1/blueprints/enrichment-templates",
    id_prefix="et_",
    body={
        "name": "Tech stack",
        "instructions": "Find the tools the sales team uses.",
        "fields": [{"name": "crm", "description": "Which CRM they run"}],
    },
    defaults={"description": None},
    nullable="instructions",
    required=("name", "fields"),
)
CUSTOMIZATION_TEMPLATE = Kind(
    noun="customization template",
    path="/v1/blueprints/customization-templates",
    id_prefix="ct_",
    body={
        "name": "Warm intro",
        "subject_template": "A question for {{company_name}}",
        "body_template": "Hi {{first_name}}, ...",
        "tone": "friendly",
    },
    defaults={"description": None, "instructions": None},
    nullable="tone",
    required=("name",),
)
EMAIL_AUTO_RESPONDER = Kind(
    noun="email auto responder",
    path="/v1/auto-responders/email",
    id_prefix="ear_",
    body={
        "name": "Inbound replies",
        "mailbox": "sales@acme-robotics.io",
        "instructions": "Answer briefly and offer a call.",
    },
    defaults={
        "enabled": False,
        "customization_template_id": None,
        "reply_delay_minutes": 0,
    },
    nullable="instructions",
    required=("name", "enabled", "mailbox", "reply_delay_minutes"),
)
LINKEDIN_AUTO_RESPONDER = Kind(
    noun="LinkedIn auto responder",
    path="/v1/auto-responders/linkedin",
    id_prefix="lar_",
    body={
        "name": "Connection replies",
        "linkedin_account": "https://www.linkedin.com/in/jane-doe",
        "customization_template_id": "ct_1",
    },
    defaults={
        "enabled": False,
        "instructions": None,
        "reply_delay_minutes": 0,
    },
    nullable="customization_template_id",
    required=("name", "enabled", "linkedin_account", "reply_delay_minutes"),
)

KINDS = (
    ENRICHMENT_TEMPLATE,
    CUSTOMIZATION_TEMPLATE,
    EMAIL_AUTO_RESPONDER,
    LINKEDIN_AUTO_RESPONDER,
)

each_kind = pytest.mark.parametrize(
    "kind", KINDS, ids=[kind.noun.replace(" ", "_") for kind in KINDS]
)
"""Run a test once for each of the four editable resources."""
