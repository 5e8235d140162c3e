"""JSON encoding and decoding: orjson when installed, else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["JSONDecodeError", "dumps", "loads"]

loads: Callable[[bytes], Any]
dumps: Callable[[object], bytes]

try:
    import orjson
except ImportError:  # the `speed` extra is optional
    JSONDecodeError: type[ValueError] = json.JSONDecodeError

    def loads(data: bytes) -> Any:
        """Decode one JSON document."""
        return json.loads(data)

    def dumps(value: object) -> bytes:
        """Encode one JSON document, compactly, as UTF-8."""
        return json.dumps(
            value, separators=(",", ":"), ensure_ascii=False
        ).encode()

else:
    JSONDecodeError = orjson.JSONDecodeError
    loads = orjson.loads
    dumps = orjson.dumps
