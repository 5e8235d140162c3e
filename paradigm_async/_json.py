"""JSON encoding and decoding: orjson when installed, else the stdlib."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

__all__ = ["JSONDecodeError", "dumps", "loads"]


def stdlib_loads(data: bytes) -> Any:
    """Decode one JSON document with the standard library, refusing what
    orjson refuses, so that both back ends read the same answers: text
    that is not UTF-8 or starts with a byte order mark, ``NaN`` and
    ``Infinity``, numbers too large for a float, and lone surrogates.
    Raises `ValueError`.
    """
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        raise ValueError("a byte order mark is not JSON")
    document = json.loads(
        text, parse_constant=_not_json, parse_float=_finite_float
    )
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(document)

    return document


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""An escaped surrogate: only a document holding one is searched for a
lone one, which `json` reads and orjson refuses."""


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a JSON number")

    return value


def _refuse_lone_surrogates(value: Any) -> None:
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError, a ValueError
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key)
            _refuse_lone_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_lone_surrogates(item)


def stdlib_dumps(value: object) -> bytes:
    """Encode one JSON document, compactly, as UTF-8."""
    return json.dumps(
        value, separators=(",", ":"), ensure_ascii=False
    ).encode()


loads: Callable[[bytes], Any] = stdlib_loads
dumps: Callable[[object], bytes] = stdlib_dumps
JSONDecodeError: type[ValueError] = json.JSONDecodeError

try:
    import orjson
except ImportError:  # the `speed` extra is optional
    pass
else:
    loads = orjson.loads
    dumps = orjson.dumps
    JSONDecodeError = orjson.JSONDecodeError
