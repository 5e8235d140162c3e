"""Checking the caller's own requests, for `ParadigmClient.request`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import InvalidInputError
from ._exchange import Request
from .resources._base import new_idempotency_key

__all__ = ["build_raw_request"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_FORBIDDEN = frozenset("?#\\ \t\r\n\0")


def build_raw_request(
    method: str,
    path: str,
    *,
    params: Mapping[str, str | int | float] | None,
    json: Any,
    key: str | None,
) -> Request:
    """A `Request` for `method` and `path`, or `InvalidInputError`.

    The path must be relative to the base URL and already encoded: it may
    not carry a query (pass `params`), a fragment, spaces, or ``.`` and
    ``..`` segments, so nothing reaches another path than the one meant.
    """
    verb = str(method).upper()
    if verb not in _METHODS:
        raise InvalidInputError(
            f"method must be one of {sorted(_METHODS)}, got {method!r}"
        )
    _check_path(path)
    idempotent = verb in _IDEMPOTENT
    if idempotent and key is not None:
        raise InvalidInputError(
            f"idempotency_key applies to POST only, not {verb}"
        )

    return Request(
        method=verb,
        path=path,
        params=_check_params(params),
        json=json,
        idempotent=idempotent,
        idempotency_key=None if idempotent else new_idempotency_key(key),
    )


def _check_path(path: object) -> None:
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidInputError(
            f"path must be a string starting with '/', got {path!r}"
        )
    if not path.isascii() or not path.isprintable():
        raise InvalidInputError(
            f"path {path!r} must be percent-encoded ASCII: "
            "encode ids with encode_segment"
        )
    if "//" in path or not _FORBIDDEN.isdisjoint(path):
        raise InvalidInputError(
            f"path {path!r} holds a query, a fragment, an empty segment or "
            "a space: pass params=..., and encode ids with encode_segment"
        )
    for segment in path.split("/")[1:]:
        if segment.lower() in {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."}:
            raise InvalidInputError(f"path {path!r} holds a dot segment")


def _check_params(
    params: Mapping[str, str | int | float] | None,
) -> dict[str, str | int] | None:
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise InvalidInputError("params must be a mapping of name to value")
    checked: dict[str, str | int] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidInputError(
                f"params[{name!r}] must be a string or a number"
            )
        if not _encodable(f"{name}{value}"):
            raise InvalidInputError(
                f"params[{name!r}] is not valid Unicode text"
            )
        checked[str(name)] = (
            value if isinstance(value, (str, int)) else str(value)
        )

    return checked


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False

    return True
