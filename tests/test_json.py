"""Both JSON back ends agree on what the SDK sends and reads."""

from __future__ import annotations

import orjson

from paradigm_async import _json

DOCUMENT = {"lead": {"email": "zoë@example.com"}, "n": [1, 2.5, None, True]}


def test_stdlib_and_orjson_encode_alike() -> None:
    assert _json.stdlib_dumps(DOCUMENT) == orjson.dumps(DOCUMENT)


def test_stdlib_round_trips() -> None:
    assert _json.stdlib_loads(_json.stdlib_dumps(DOCUMENT)) == DOCUMENT


def test_orjson_is_used_when_installed() -> None:
    assert _json.loads is orjson.loads
    assert issubclass(_json.JSONDecodeError, ValueError)
