"""JSON encoding and decoding: orjson when installed, else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["JSONDecodeError", "dumps", "loads"]


def stdlib_loads(data: bytes) -> Any:
    """Decode one JSON document with the standard library."""
    return json.loads(data)


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
