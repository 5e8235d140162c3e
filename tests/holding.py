"""Whether a decoded-and-re-encoded value kept what was sent."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def holds(read: Any, sent: Any, *, instants: bool = False) -> bool:
    """Whether `read` keeps every value `sent` had.

    Defaults the decoder filled in are ignored. With `instants`, a
    timestamp may be written another way for the same instant.
    """
    if isinstance(sent, Mapping):
        return isinstance(read, Mapping) and all(
            key in read and holds(read[key], value, instants=instants)
            for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(read, (list, tuple))
            and len(read) == len(sent)
            and all(
                holds(one, other, instants=instants)
                for one, other in zip(read, sent, strict=True)
            )
        )
    if isinstance(sent, str):  # an enum member is a str too
        return isinstance(read, str) and (
            read == sent or (instants and same_instant(read, sent))
        )
    if isinstance(sent, float) and math.isnan(sent):
        return isinstance(read, float) and math.isnan(read)

    return type(read) is type(sent) and bool(read == sent)


def same_instant(one: str, other: str) -> bool:
    """Whether two ISO 8601 texts name one moment (naive ones in UTC)."""
    try:
        first = datetime.fromisoformat(one)
        second = datetime.fromisoformat(other)
    except ValueError:
        return False

    return _as_utc(first) == _as_utc(second)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
