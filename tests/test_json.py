"""Both JSON back ends agree on what the SDK sends and reads."""

from __future__ import annotations

import orjson
import pytest

from paradigm_async import _json

DOCUMENT = {"lead": {"email": "zoë@example.com"}, "n": [1, 2.5, None, True]}


def test_stdlib_and_orjson_encode_alike() -> None:
    assert _json.stdlib_dumps(DOCUMENT) == orjson.dumps(DOCUMENT)


def test_stdlib_round_trips() -> None:
    assert _json.stdlib_loads(_json.stdlib_dumps(DOCUMENT)) == DOCUMENT


def test_orjson_is_used_when_installed() -> None:
    assert _json.loads is orjson.loads
    assert issubclass(_json.JSONDecodeError, ValueError)


@pytest.mark.parametrize(
    "text", [b"NaN", b"[Infinity]", b'{"credits": -Infinity}']
)
def test_both_back_ends_refuse_what_is_not_json(text: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(text)
    with pytest.raises(ValueError, match="not a JSON number"):
        _json.stdlib_loads(text)
