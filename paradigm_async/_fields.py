"""Checks on the fields of free resources, made before anything is sent.

The SDK refuses what it can know is wrong: an empty name, a negative reply
delay, a tone the contract does not know, a value of the wrong type, or a
`None` for a field that cannot be cleared. Length limits are the server's
to enforce: it answers 400 ``VALIDATION_ERROR`` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._errors import InvalidInputError
from ._models import TemplateField, Tone, structure_input, unstructure
from ._not_given import NotGiven
from ._validation import check_email

__all__ = [
    "ENABLED",
    "NAME",
    "OPTIONAL_ID",
    "OPTIONAL_TEXT",
    "REPLY_DELAY",
    "Field",
    "build_body",
    "email",
    "non_empty_text",
    "template_fields",
    "tone",
]

Check = Callable[[str, Any], Any]


@attrs.frozen
class Field:
    """How one field is checked, and whether `None` may clear it."""

    check: Check
    nullable: bool = True


def build_body(
    fields: Mapping[str, Field],
    values: Mapping[str, Any],
    *,
    partial: bool,
) -> dict[str, Any]:
    """The JSON body for `values`, each checked by its `Field`.

    With `partial`, `NOT_GIVEN` values are left out and at least one field
    must remain; `None` is sent, to clear, only where the field allows it.
    """
    body: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, NotGiven):
            if not partial and not fields[name].nullable:
                raise InvalidInputError(f"{name} is required")
            continue
        rule = fields[name]
        if value is None:
            if not rule.nullable:
                raise InvalidInputError(f"{name} cannot be cleared (None)")
            if partial:
                body[name] = None
            continue
        body[name] = rule.check(name, value)
    if partial and not body:
        raise InvalidInputError("nothing to update: pass at least one field")

    return body


def text(name: str, value: Any) -> str:
    """Any string."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{name} must be a string, got {type(value).__name__}"
        )

    return value


def non_empty_text(name: str, value: Any) -> str:
    """A string with something in it besides spaces."""
    if not text(name, value).strip():
        raise InvalidInputError(f"{name} must not be empty")

    return str(value)


def flag(name: str, value: Any) -> bool:
    """True or False, not a truthy stand-in."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False")

    return value


MAX_REPLY_DELAY = 10_080
"""A week in minutes: the contract's longest reply delay."""


def minutes(name: str, value: Any) -> int:
    """A whole number of minutes, from zero to a week."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not 0 <= value <= MAX_REPLY_DELAY:
        raise InvalidInputError(
            f"{name} must be a whole number of minutes from 0 to "
            f"{MAX_REPLY_DELAY}, got {value!r}"
        )

    return int(value)


def email(name: str, value: Any) -> str:
    """An email address."""
    try:
        return check_email(value)
    except InvalidInputError:
        raise InvalidInputError(
            f"{name} is not a valid email address: {value!r}"
        ) from None


def tone(name: str, value: Any) -> str:
    """One of the tones the contract knows."""
    try:
        return Tone(value).value
    except ValueError:
        known = ", ".join(t.value for t in Tone)
        raise InvalidInputError(
            f"{name} must be one of {known}, got {value!r}"
        ) from None


def template_fields(name: str, value: Any) -> list[dict[str, Any]]:
    """A list of `TemplateField` (or mappings with a non-empty name)."""
    if not isinstance(value, (list, tuple)):
        raise InvalidInputError(f"{name} must be a list of TemplateField")
    items = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if isinstance(item, Mapping):
            item = dict(item)
        elif not isinstance(item, TemplateField):
            raise InvalidInputError(
                f"{where} must be a TemplateField or a mapping"
            )
        item = structure_input(item, TemplateField, what=where)
        non_empty_text(f"{name}[{index}].name", item.name)
        items.append(
            {k: v for k, v in unstructure(item).items() if v is not None}
        )

    return items


NAME = Field(non_empty_text, nullable=False)
OPTIONAL_TEXT = Field(text)
OPTIONAL_ID = Field(non_empty_text)
ENABLED = Field(flag, nullable=False)
REPLY_DELAY = Field(minutes, nullable=False)
