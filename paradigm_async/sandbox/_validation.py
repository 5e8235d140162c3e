"""Checks request bodies and queries, naming the failing field in messages."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping

import attrs

from ._http import ApiError

__all__ = [
    "Page",
    "Problems",
    "choice",
    "is_email",
    "optional_string",
    "parse_body",
    "parse_page",
    "reject_query",
    "reject_unknown",
    "validation_error",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_INTEGER = re.compile(r"-?[0-9]+")

# Deliberately loose: one @, no spaces, a dotted domain. The sandbox
# checks shape, not deliverability.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def validation_error(message: str) -> ApiError:
    """Return the documented 400 error carrying `message`."""
    return ApiError(400, "VALIDATION_ERROR", message)


class Problems:
    """Collects `field: problem` lines and raises them as one error.

    A line reads like `lead.email: must be a valid email address`; the
    lines of one request are joined with `; ` into one VALIDATION_ERROR,
    so a caller sees every problem at once.
    """

    def __init__(self) -> None:
        self._lines: dict[str, None] = {}

    def add(self, field: str, problem: str) -> None:
        """Note that `field` has `problem`."""
        self._lines[f"{field}: {problem}"] = None

    def raise_if_any(self) -> None:
        """Raise one VALIDATION_ERROR listing every problem noted."""
        if self._lines:
            raise validation_error("; ".join(self._lines))


@attrs.frozen
class Page:
    """A list request's window and its filters."""

    limit: int
    offset: int
    filters: Mapping[str, str]


def parse_body(body: bytes) -> dict[str, object]:
    """Decode a request body that must be one JSON object."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise validation_error("body: must be a JSON object") from None

    if not isinstance(value, dict):
        raise validation_error("body: must be a JSON object")

    return value


def reject_unknown(
    value: Mapping[str, object],
    known: Collection[str],
    prefix: str,
    problems: Problems,
) -> None:
    """Note every key of `value` that is not in `known`."""
    for name in value:
        if name not in known:
            problems.add(f"{prefix}{name}", "is not a known field")


def optional_string(
    value: Mapping[str, object], name: str, prefix: str, problems: Problems
) -> str | None:
    """Return `value[name]` if it is a string, None if absent or null."""
    found = value.get(name)
    if found is None or isinstance(found, str):
        return found

    problems.add(f"{prefix}{name}", "must be a string or null")

    return None


def choice(
    value: Mapping[str, object],
    name: str,
    options: tuple[str, ...],
    problems: Problems,
) -> str:
    """Return `value[name]` if it is one of `options`; absent is the first."""
    found = value.get(name, options[0])
    if isinstance(found, str) and found in options:
        return found

    problems.add(name, f"must be one of {', '.join(options)}")

    return options[0]


def is_email(text: str) -> bool:
    """Say whether `text` is shaped like an email address."""
    return _EMAIL.fullmatch(text) is not None


def reject_query(query: tuple[tuple[str, str], ...]) -> None:
    """Refuse any query parameter on a route that takes none."""
    problems = Problems()
    for name, _ in query:
        problems.add(name, "is not a known query parameter")

    problems.raise_if_any()


def parse_page(
    query: tuple[tuple[str, str], ...],
    filters: Mapping[str, tuple[str, ...]],
) -> Page:
    """Read `limit`, `offset` and the given filters from a list query."""
    problems = Problems()
    given = _single_values(query, {"limit", "offset", *filters}, problems)
    limit = _integer(given, "limit", DEFAULT_LIMIT, (1, MAX_LIMIT), problems)
    offset = _integer(given, "offset", 0, (0, None), problems)
    chosen: dict[str, str] = {}
    for name, options in filters.items():
        if name not in given:
            continue
        if given[name] not in options:
            problems.add(name, f"must be one of {', '.join(options)}")
        chosen[name] = given[name]

    problems.raise_if_any()

    return Page(limit=limit, offset=offset, filters=chosen)


def _single_values(
    query: tuple[tuple[str, str], ...],
    known: Collection[str],
    problems: Problems,
) -> dict[str, str]:
    given: dict[str, str] = {}
    for name, value in query:
        if name not in known:
            problems.add(name, "is not a known query parameter")
        elif name in given:
            problems.add(name, "must be given at most once")
        given[name] = value

    return given


def _integer(
    given: Mapping[str, str],
    name: str,
    default: int,
    bounds: tuple[int, int | None],
    problems: Problems,
) -> int:
    lowest, highest = bounds
    raw = given.get(name)
    if raw is None:
        return default

    if _INTEGER.fullmatch(raw) is None:
        problems.add(name, "must be an integer")
        return default

    number = int(raw)
    if number < lowest or (highest is not None and number > highest):
        span = (
            f"from {lowest} to {highest}" if highest else f"{lowest} or more"
        )
        problems.add(name, f"must be {span}")
        return default

    return number
