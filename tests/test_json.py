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


NOT_JSON = {
    "nan": b"NaN",
    "infinity": b"[Infinity]",
    "minus-infinity": b'{"credits": -Infinity}',
    "overflowing-float": b'{"score": 1e999}',
    "overflowing-exponent": b"[1E+999]",
    "byte-order-mark": b'\xef\xbb\xbf{"a": 1}',
    "utf-16": '{"a": 1}'.encode("utf-16"),
    "not-utf-8": b'{"a": "\xff"}',
    "lone-surrogate": b'"\\ud800"',
    "lone-surrogate-key": b'{"\\udc00": 1}',
}


@pytest.mark.parametrize("text", NOT_JSON.values(), ids=NOT_JSON)
def test_both_back_ends_refuse_what_orjson_refuses(text: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(text)
    with pytest.raises(ValueError):  # noqa: PT011 - each names its own
        _json.stdlib_loads(text)


@pytest.mark.parametrize(
    "text",
    [b'"\\ud83d\\ude00"', b'"\\\\ud800"', b"[1.5e300, -0.0]", b"{}"],
)
def test_both_back_ends_read_what_is_json_alike(text: bytes) -> None:
    assert _json.stdlib_loads(text) == orjson.loads(text)
