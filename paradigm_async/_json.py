"""JSON encoding and decoding: orjson when installed, else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["JSONDecodeError", "dumps", "loads"]


def stdlib_loads(data: bytes) -> Any:
    """Decode one JSON document with the standard library.

    ``NaN`` and ``Infinity`` are refused, as orjson refuses them: they
    are not JSON, and both back ends must read the same answers.
    """
    return json.loads(data, parse_constant=_not_json)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


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
