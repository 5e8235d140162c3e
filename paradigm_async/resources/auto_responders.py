"""Auto responders: AI replies on email and LinkedIn.

All auto responder configuration is free (the public docs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .. import _fields as f
from .._models import EmailAutoResponder, LinkedInAutoResponder
from .._not_given import NOT_GIVEN, NotGiven
from ._base import Context
from ._editable import EditableCollection

__all__ = ["AutoResponders", "EmailAutoResponders", "LinkedInAutoResponders"]

_SHARED = {
    "name": f.NAME,
    "enabled": f.ENABLED,
    "instructions": f.OPTIONAL_TEXT,
    "customization_template_id": f.OPTIONAL_ID,
    "reply_delay_minutes": f.REPLY_DELAY,
}


class EmailAutoResponders(
    EditableCollection[EmailAutoResponder],
    group="email_auto_responders",
    model=EmailAutoResponder,
):
    """``client.auto_responders.email``: replies from a mailbox."""

    writable: ClassVar[Mapping[str, f.Field]] = {
        **_SHARED,
        "mailbox": f.Field(f.email, nullable=False),
    }

    async def create(
        self,
        *,
        name: str,
        mailbox: str,
        enabled: bool = False,
        instructions: str | None = None,
        customization_template_id: str | None = None,
        reply_delay_minutes: int = 0,
        idempotency_key: str | None = None,
    ) -> EmailAutoResponder:
        """Create an email auto responder for `mailbox`. Free."""
        return await self._create(locals(), idempotency_key)

    async def update(
        self,
        responder_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        mailbox: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        customization_template_id: str | NotGiven | None = NOT_GIVEN,
        reply_delay_minutes: int | NotGiven = NOT_GIVEN,
    ) -> EmailAutoResponder:
        """Change only the fields passed; `None` clears one. Free."""
        return await self._update(responder_id, locals())


class LinkedInAutoResponders(
    EditableCollection[LinkedInAutoResponder],
    group="linkedin_auto_responders",
    model=LinkedInAutoResponder,
):
    """``client.auto_responders.linkedin``: replies on a LinkedIn account."""

    writable: ClassVar[Mapping[str, f.Field]] = {
        **_SHARED,
        "linkedin_account": f.Field(f.non_empty_text, nullable=False),
    }

    async def create(
        self,
        *,
        name: str,
        linkedin_account: str,
        enabled: bool = False,
        instructions: str | None = None,
        customization_template_id: str | None = None,
        reply_delay_minutes: int = 0,
        idempotency_key: str | None = None,
    ) -> LinkedInAutoResponder:
        """Create a LinkedIn auto responder for `linkedin_account`. Free."""
        return await self._create(locals(), idempotency_key)

    async def update(
        self,
        responder_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        linkedin_account: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        customization_template_id: str | NotGiven | None = NOT_GIVEN,
        reply_delay_minutes: int | NotGiven = NOT_GIVEN,
    ) -> LinkedInAutoResponder:
        """Change only the fields passed; `None` clears one. Free."""
        return await self._update(responder_id, locals())


class AutoResponders:
    """``client.auto_responders``: the email and LinkedIn responders."""

    def __init__(self, context: Context) -> None:
        self.email = EmailAutoResponders(context)
        self.linkedin = LinkedInAutoResponders(context)
