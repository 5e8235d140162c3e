"""Auto responders: replies to a mailbox or a LinkedIn account's messages."""

from __future__ import annotations

from ._editable import EditableResource
from ._fields import (
    INSTRUCTIONS,
    NAME,
    Field,
    boolean,
    email,
    integer,
    non_empty_text,
    text,
)

__all__ = ["EMAIL_AUTO_RESPONDERS", "LINKEDIN_AUTO_RESPONDERS"]

# Seven days: the longest a reply may wait.
_MAX_REPLY_DELAY_MINUTES = 7 * 24 * 60


def _responder(
    noun: str, path: str, id_prefix: str, account: Field
) -> EditableResource:
    # The two kinds differ only in the account they answer for.
    fields = (
        NAME,
        Field("enabled", boolean, nullable=False, default=False),
        account,
        INSTRUCTIONS,
        # Existence is not checked, as for the template ids of a job.
        Field("customization_template_id", non_empty_text),
        Field(
            "reply_delay_minutes",
            integer(0, _MAX_REPLY_DELAY_MINUTES),
            nullable=False,
            default=0,
        ),
    )

    return EditableResource(noun, path, id_prefix, fields)


EMAIL_AUTO_RESPONDERS = _responder(
    "email auto responder",
    "auto-responders/email",
    "ear_",
    Field("mailbox", email, required=True, nullable=False),
)

LINKEDIN_AUTO_RESPONDERS = _responder(
    "LinkedIn auto responder",
    "auto-responders/linkedin",
    "lar_",
    # A profile URL or a handle: either is just text here.
    Field("linkedin_account", text(1, 200), required=True, nullable=False),
)
