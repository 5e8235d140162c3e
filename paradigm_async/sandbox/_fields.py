"""The fields of editable records: how each is checked, defaulted, cleared."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeGuard

import attrs

from ._validation import Problems, is_email, reject_unknown, validation_error

__all__ = [
    "INSTRUCTIONS",
    "NAME",
    "READ_ONLY",
    "Check",
    "Field",
    "boolean",
    "email",
    "integer",
    "list_of",
    "members",
    "non_empty_text",
    "one_of",
    "read_changes",
    "read_new",
    "text",
]

Check = Callable[[str, object, Problems], object]
"""Reads the value at a field path, notes its problems, returns what to keep.

A check never sees null for a field (the field handles that itself), but
may see it for an item inside a list.
"""

# Every record has these; the server sets them and nobody may write them.
READ_ONLY = ("id", "created_at", "updated_at")


@attrs.frozen
class Field:
    """One writable member of an editable record.

    A `required` field must be given on create; any other starts as
    `default`, read through `check` like a given value. Null clears a
    `nullable` field and is refused for any other.
    """

    name: str
    check: Check
    required: bool = False
    nullable: bool = True
    default: object = None

    def read(self, value: object, path: str, problems: Problems) -> object:
        """Return what to keep for `value` at `path`, noting problems."""
        if value is None:
            if not self.nullable:
                problems.add(path, "must not be null")
            return None

        return self.check(path, value, problems)


def read_new(
    fields: Sequence[Field], body: Mapping[str, object]
) -> dict[str, object]:
    """Read a create body into every field's value, in `fields` order.

    Raises one VALIDATION_ERROR naming every field with a problem.
    """
    problems = Problems()
    values = _read_object(fields, _writable(body, problems), "", problems)

    problems.raise_if_any()

    return values


def read_changes(
    fields: Sequence[Field], body: Mapping[str, object]
) -> dict[str, object]:
    """Read an update body into the values of the fields it holds.

    A field left out is not in the result, so it keeps its value. Raises
    VALIDATION_ERROR for an empty body or for any field with a problem.
    """
    if not body:
        raise validation_error("nothing to update")

    problems = Problems()
    writable = _writable(body, problems)
    reject_unknown(writable, [field.name for field in fields], "", problems)
    changes = {
        field.name: field.read(writable[field.name], field.name, problems)
        for field in fields
        if field.name in writable
    }

    problems.raise_if_any()

    return changes


def text(least: int, most: int) -> Check:
    """Check a string of `least` to `most` characters."""
    rule = (
        f"must be at most {most} characters"
        if least == 0
        else f"must be {least} to {most} characters"
    )

    def check(path: str, value: object, problems: Problems) -> object:
        if not isinstance(value, str):
            problems.add(path, "must be a string")
            return None

        if not least <= len(value) <= most:
            problems.add(path, rule)
            return None

        return value

    return check


def non_empty_text(path: str, value: object, problems: Problems) -> object:
    """Check a string of any length but zero, such as an id."""
    if isinstance(value, str) and value:
        return value

    problems.add(path, "must be a non-empty string")

    return None


def one_of(*options: str) -> Check:
    """Check a string that is one of `options`."""

    def check(path: str, value: object, problems: Problems) -> object:
        if isinstance(value, str) and value in options:
            return value

        problems.add(path, f"must be one of {', '.join(options)}")

        return None

    return check


def integer(least: int, most: int) -> Check:
    """Check a JSON integer from `least` to `most`."""

    def check(path: str, value: object, problems: Problems) -> object:
        if _is_integer(value) and least <= value <= most:
            return value

        problems.add(path, f"must be an integer from {least} to {most}")

        return None

    return check


def boolean(path: str, value: object, problems: Problems) -> object:
    """Check a JSON boolean."""
    if isinstance(value, bool):
        return value

    problems.add(path, "must be true or false")

    return None


def email(path: str, value: object, problems: Problems) -> object:
    """Check a string shaped like an email address."""
    if isinstance(value, str) and is_email(value):
        return value

    problems.add(path, "must be a valid email address")

    return None


def list_of(item: Check, most: int) -> Check:
    """Check a list of at most `most` items, each read by `item`."""

    def check(path: str, value: object, problems: Problems) -> object:
        if not isinstance(value, list) or len(value) > most:
            problems.add(path, f"must be a list of at most {most} items")
            return None

        return [
            item(f"{path}[{index}]", member, problems)
            for index, member in enumerate(value)
        ]

    return check


def members(*fields: Field) -> Check:
    """Check an object holding `fields`, defaulted as on create."""

    def check(path: str, value: object, problems: Problems) -> object:
        if not isinstance(value, dict):
            problems.add(path, "must be an object")
            return None

        return _read_object(fields, value, f"{path}.", problems)

    return check


# Every editable resource of the contract has these two.
NAME = Field("name", text(1, 200), required=True, nullable=False)
INSTRUCTIONS = Field("instructions", text(0, 10_000))


def _is_integer(value: object) -> TypeGuard[int]:
    # bool is an int in Python, but true is not a number in JSON.
    return isinstance(value, int) and not isinstance(value, bool)


def _writable(
    body: Mapping[str, object], problems: Problems
) -> dict[str, object]:
    for name in READ_ONLY:
        if name in body:
            problems.add(name, "is read-only")

    return {
        name: value for name, value in body.items() if name not in READ_ONLY
    }


def _read_object(
    fields: Sequence[Field],
    body: Mapping[str, object],
    prefix: str,
    problems: Problems,
) -> dict[str, object]:
    reject_unknown(body, [field.name for field in fields], prefix, problems)
    values: dict[str, object] = {}
    for field in fields:
        path = f"{prefix}{field.name}"
        if field.name in body:
            values[field.name] = field.read(body[field.name], path, problems)
        elif field.required:
            problems.add(path, "is required")
        else:
            values[field.name] = field.read(field.default, path, problems)

    return values
