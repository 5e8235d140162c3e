"""The fast decoders agree with the converter wherever they decide.

Each model's fast decoder either builds the very objects the strict
cattrs converter would, types included, or gives the value up to the
converter. Random JSON, answers shaped like the model, and valid answers
with a few fields changed are fed to both.
"""

from __future__ import annotations

from typing import Any

import attrs
import hypothesis
import pytest
from hypothesis import strategies as st
from test_decoder_properties import (
    JSON,
    VALID,
    WIRE_MODELS,
    keys,
    mutated,
    paths,
    shaped_like,
)

from paradigm_async._models._converter import _fast, get_converter

agreement = hypothesis.settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
ODD_VALUES = [None, "x", 1, True, 1.5, [], {}, ["a"], {"a": "b"}]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down."""
    if type(a) is not type(b):
        return False
    if attrs.has(type(a)):
        return all(
            same(getattr(a, field.name), getattr(b, field.name))
            for field in attrs.fields(type(a))
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b

    return bool(a == b)


def check(value: Any, kind: Any) -> None:
    fast = _fast.get(kind)
    assert fast is not None
    try:
        got = fast(value)
    except Exception:  # given up to the converter, which decides
        return
    wanted = get_converter().structure(value, kind)
    assert same(got, wanted), (value, got, wanted)


@pytest.mark.parametrize("model", WIRE_MODELS, ids=lambda m: m.__name__)
@agreement
@hypothesis.given(data=st.data())
def test_fast_and_strict_agree_on_any_json(
    model: type[Any], data: st.DataObject
) -> None:
    value = data.draw(
        JSON | shaped_like(model, JSON) | st.just(VALID[model.__name__])
    )

    check(value, model)
    check([value], list[model])  # type: ignore[valid-type]


@pytest.mark.parametrize("model", WIRE_MODELS, ids=lambda m: m.__name__)
@agreement
@hypothesis.given(data=st.data())
def test_fast_and_strict_agree_on_changed_answers(
    model: type[Any], data: st.DataObject
) -> None:
    sent = VALID[model.__name__]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(sent)))
        new = data.draw(JSON | st.sampled_from(ODD_VALUES))
        if data.draw(st.booleans()):
            sent = mutated(sent, path, lambda _, new=new: new)
        else:
            key = data.draw(keys)
            sent = mutated(
                sent,
                path,
                lambda old, key=key, new=new: (
                    {**old, key: new} if isinstance(old, dict) else old
                ),
            )

    check(sent, model)


@pytest.mark.parametrize("model", WIRE_MODELS, ids=lambda m: m.__name__)
def test_a_valid_answer_takes_the_fast_path(model: type[Any]) -> None:
    fast = _fast.get(model)
    assert fast is not None

    assert same(
        fast(VALID[model.__name__]),
        get_converter().structure(VALID[model.__name__], model),
    )
