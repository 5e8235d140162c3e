"""Auto responders: AI replies to email and LinkedIn messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._converter import register_model

__all__ = ["AutoResponder", "EmailAutoResponder", "LinkedInAutoResponder"]


@attrs.frozen(kw_only=True)
class AutoResponder:
    """What both kinds share: replies in a template's way, after a delay."""

    id: str
    name: str
    enabled: bool = False
    instructions: str | None = None
    customization_template_id: str | None = None
    reply_delay_minutes: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class EmailAutoResponder(AutoResponder):
    """Answers the mail of one mailbox."""

    mailbox: str | None = None


@attrs.frozen(kw_only=True)
class LinkedInAutoResponder(AutoResponder):
    """Answers the LinkedIn messages of one account."""

    linkedin_account: str | None = None


register_model(EmailAutoResponder)
register_model(LinkedInAutoResponder)
