"""Reading the contract's response envelopes, in one place.

The contract's design (CONTRACT.md, "Envelopes"): one object comes as
``{"data": {...}}`` (a bare object is accepted too), a list as ``{"data":
[...], "pagination": {...}}``, a paid write adds ``"meta"`` (whole
numbers of credits), and an error is ``{"error": {"code": ...,
"message": ...}}`` (the documented shape).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "Envelope",
    "ErrorBody",
    "Pagination",
    "is_credit_count",
    "read_envelope",
    "read_error",
]


_CREDIT_FIGURES = ("credits_charged", "credits_remaining")
"""The keys of a paid write's ``meta``: whole numbers of credits, never
negative. An answer that says otherwise is not read: the ledger would
add up what it says."""


@attrs.frozen(kw_only=True)
class Pagination:
    """Where one page of a list sits: the contract's pagination object."""

    limit: int | None
    offset: int
    total: int | None
    has_more: bool


@attrs.frozen(kw_only=True)
class ErrorBody:
    """The documented error envelope's code and message."""

    code: str
    message: str


@attrs.frozen(kw_only=True)
class Envelope:
    """A successful answer's payload and what came around it."""

    data: Any
    pagination: Pagination | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)


def read_envelope(document: Any) -> Envelope:
    """Split a decoded success body into data, pagination and meta.

    A body without a ``data`` key is taken as the bare object itself.
    Raises `ValueError` naming what is wrong when the shape is not one the
    contract allows.
    """
    if type(document) is not dict or "data" not in document:
        return Envelope(data=document)
    if len(document) == 1:  # a get's answer: nothing but the data
        return Envelope(data=document["data"])

    meta = document.get("meta")
    if meta is None:
        meta = {}
    elif not isinstance(meta, dict):
        raise ValueError("$.meta: expected an object")
    for key in _CREDIT_FIGURES:
        _check_credits(meta, key)

    return Envelope(
        data=document["data"],
        pagination=_read_pagination(document.get("pagination")),
        meta=meta,
    )


def is_credit_count(value: object) -> bool:
    """A number of credits: an integer >= 0 (a bool is not one)."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and value >= 0
    )


def _check_credits(meta: Mapping[str, Any], key: str) -> None:
    value = meta.get(key)
    if value is not None and not is_credit_count(value):
        raise ValueError(f"$.meta.{key}: expected an integer >= 0")


def read_error(document: Any) -> ErrorBody | None:
    """The error envelope's code and message, or None if it is not one."""
    if not isinstance(document, dict):
        return None
    error = document.get("error")
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    message = error.get("message")
    if not isinstance(code, str):
        return None

    return ErrorBody(
        code=code,
        message=message if isinstance(message, str) else code,
    )


def _read_pagination(value: Any) -> Pagination | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("$.pagination: expected an object")

    return Pagination(
        limit=_optional_int(value, "limit"),
        offset=_optional_int(value, "offset") or 0,
        total=_optional_int(value, "total"),
        has_more=_has_more(value),
    )


def _has_more(value: Mapping[str, Any]) -> bool:
    has_more = value.get("has_more", False)
    if not isinstance(has_more, bool):
        raise ValueError("$.pagination.has_more: expected a boolean")

    return has_more


def _optional_int(value: Mapping[str, Any], key: str) -> int | None:
    item = value.get(key)
    if item is None:
        return None
    if isinstance(item, bool) or not isinstance(item, int):
        raise ValueError(f"$.pagination.{key}: expected an integer")

    return item
