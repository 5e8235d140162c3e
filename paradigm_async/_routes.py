"""The routing table: every operation's method, path and price.

Paths are the contract's design (CONTRACT.md, "Resources"), relative to
the base URL that ends in ``/v1``. A correction to a path is a one-line
change here. Ids are percent-encoded as one path segment each, so no id
can add a segment, climb with ``..`` or start a query.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from urllib.parse import quote

import attrs

from ._credits import FREE, PRICES, Price
from ._errors import InvalidInputError

__all__ = ["MAX_SEGMENT_LENGTH", "ROUTES", "Operation", "encode_segment"]

_IDEMPOTENT_METHODS = frozenset({"GET", "DELETE", "PATCH"})
_FIELDS = string.Formatter()

MAX_SEGMENT_LENGTH = 1024
"""The longest encoded id sent. Ids are opaque, but none comes near this,
and hosts cut a request line at about 8 KB (aiohttp's server at 8190
bytes), so a longer one could only fail after being sent."""


@attrs.frozen
class Operation:
    """One endpoint of the API."""

    name: str
    method: str
    path: str
    parameters: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    """The names in `path`'s braces, read once."""

    @parameters.default
    def _read_parameters(self) -> frozenset[str]:
        return frozenset(
            name for _, name, _, _ in _FIELDS.parse(self.path) if name
        )

    @property
    def price(self) -> Price:
        """What one call costs, from the documented price table."""
        return PRICES.get(self.name, FREE)

    @property
    def idempotent(self) -> bool:
        """Whether repeating the call cannot change the outcome."""
        return self.method in _IDEMPOTENT_METHODS

    def render(self, path_params: Mapping[str, str]) -> str:
        """The path with each parameter encoded as a single segment."""
        encoded = {
            name: encode_segment(value, name)
            for name, value in path_params.items()
        }
        if encoded.keys() != self.parameters:
            names = set(self.parameters)
            raise TypeError(f"{self.name} takes path parameters {names}")

        return self.path.format_map(encoded)


_is_plain = re.compile(
    f"[A-Za-z0-9_~-]{{1,{MAX_SEGMENT_LENGTH}}}", re.ASCII
).fullmatch
"""Whether an id needs no encoding, the usual case: unreserved characters
but the dot, so ``.`` and ``..`` still get their own check."""


def encode_segment(value: str, name: str = "id") -> str:
    """Percent-encode `value` as exactly one path segment.

    Raises `InvalidInputError` for a value that is not a string, is
    empty, is ``.`` or ``..`` (even percent-encoded, a server or proxy
    that normalises paths would read it as a step up), is not valid
    Unicode, or is longer than `MAX_SEGMENT_LENGTH` once encoded.
    """
    if type(value) is str and _is_plain(value):
        return value
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{name} must be a string, got {type(value).__name__}"
        )
    if not value:
        raise InvalidInputError(f"{name} must not be empty")
    if value in {".", ".."}:
        raise InvalidInputError(
            f"{name} {value!r} would name another path, not a record"
        )
    try:
        encoded = quote(value, safe="")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{name} holds characters that are not valid Unicode text"
        ) from None
    if len(encoded) > MAX_SEGMENT_LENGTH:
        raise InvalidInputError(
            f"{name} is {len(encoded)} characters long once encoded; "
            f"at most {MAX_SEGMENT_LENGTH} are sent"
        )
    return encoded


def _table(*operations: Operation) -> Mapping[str, Operation]:
    return {operation.name: operation for operation in operations}


def _group(name: str, path: str, *, update: bool = True) -> list[Operation]:
    """The standard operations of a collection at `path`."""
    one = f"{path}/{{id}}"
    operations = [
        Operation(f"{name}.list", "GET", path),
        Operation(f"{name}.get", "GET", one),
        Operation(f"{name}.delete", "DELETE", one),
        Operation(f"{name}.create", "POST", path),
    ]
    if update:
        operations.append(Operation(f"{name}.update", "PATCH", one))

    return operations


ROUTES: Mapping[str, Operation] = _table(
    *_group("jobs", "/jobs", update=False),
    *_group("enrichments", "/enrichments", update=False),
    *_group("enrichment_templates", "/blueprints/enrichment-templates"),
    *_group("customization_templates", "/blueprints/customization-templates"),
    *_group("email_auto_responders", "/auto-responders/email"),
    *_group("linkedin_auto_responders", "/auto-responders/linkedin"),
)
"""Every operation the SDK models, by name."""
