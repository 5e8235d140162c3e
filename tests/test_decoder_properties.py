"""Every model's decoder, fed random JSON and mutated valid answers.

Only `DecodeError` may come out, and whatever decodes re-encodes to what
was received: no value is coerced into another (``null`` into
``"None"``, ``"12"`` into 12, 12.7 into 12, a string into its letters).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import hypothesis
import pytest
from holding import holds
from hypothesis import strategies as st

from paradigm_async import DecodeError, _models
from paradigm_async._envelope import read_envelope, read_error
from paradigm_async._models import structure, unstructure
from paradigm_async._models._converter import EXTRA_FIELD

SETTINGS = hypothesis.settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)

MODELS: list[type[Any]] = [
    value
    for name in _models.__all__
    if attrs.has(value := getattr(_models, name))
]
WIRE_MODELS = [m for m in MODELS if EXTRA_FIELD in attrs.fields_dict(m)]
"""What answers are read into; `Charge` is made by the SDK itself."""

STAMP = "2026-12-03T22:13:04.123Z"
LEAD = {
    "email": "ada@example.com",
    "first_name": "Ada",
    "custom_fields": {"segment": "fintech"},
}
RECORD = {
    "status": "completed",
    "research_mode": "premium",
    "lead": LEAD,
    "enrichment_template_id": "et_1",
    "error": None,
    "credits_charged": 2,
    "created_at": STAMP,
    "updated_at": STAMP,
    "completed_at": None,
}
RESPONDER = {
    "name": "SDR inbox",
    "enabled": True,
    "instructions": "Be brief",
    "customization_template_id": "ct_1",
    "reply_delay_minutes": 15,
    "created_at": STAMP,
}
VALID: dict[str, dict[str, Any]] = {
    "Lead": LEAD,
    "ErrorInfo": {"code": "RESEARCH_FAILED", "message": "no such domain"},
    "JobResult": {"subject": "Hi", "body": "Hello", "enrichment_id": "e_1"},
    "Job": {
        "id": "job_1",
        **RECORD,
        "customization_template_id": "ct_1",
        "result": {"subject": "Hi", "body": "Hello", "enrichment_id": None},
    },
    "Company": {
        "name": "Stripe",
        "domain": "stripe.com",
        "employee_count": 8000,
        "signals": ["hiring", "funding"],
    },
    "Person": {"full_name": "Ada L", "talking_points": ["a", "b"]},
    "Enrichment": {
        "id": "enr_1",
        **RECORD,
        "company": {"name": "Stripe", "signals": ["hiring"]},
        "person": {"full_name": "Ada L", "talking_points": []},
    },
    "TemplateField": {"name": "tech_stack", "description": "What they use"},
    "EnrichmentTemplate": {
        "id": "et_1",
        "name": "Outbound",
        "fields": [{"name": "tech_stack"}, {"name": "funding"}],
        "created_at": STAMP,
    },
    "CustomizationTemplate": {
        "id": "ct_1",
        "name": "First touch",
        "subject_template": "{first_name}, a thought",
        "tone": "friendly",
    },
    "EmailAutoResponder": {
        "id": "ear_1",
        **RESPONDER,
        "mailbox": "sdr@example.com",
    },
    "LinkedInAutoResponder": {
        "id": "lar_1",
        **RESPONDER,
        "linkedin_account": "https://www.linkedin.com/in/sdr",
    },
}

keys = st.text(max_size=8) | st.sampled_from(
    ["id", "name", "status", "extra", "charge", "\x00paradigm-extra"]
)
timestamps = st.datetimes(
    timezones=st.none()
    | st.just(UTC)
    | st.builds(timezone, st.sampled_from([timedelta(hours=5, minutes=30)]))
).map(datetime.isoformat)
EDGE_STAMPS = ["0001-01-01T00:00:00+05:30", "9999-12-31T23:59:59-05:00"]
"""Moments with no UTC date: they could not be written back."""
tricky = st.sampled_from(
    [None, "None", "null", "", "12", 12, 12.7, 12.0, -1, 10**30, True,
     False, "true", [], {}, ["a"], {"a": 1}, "2026-12-03", STAMP,
     *EDGE_STAMPS]
)  # fmt: skip


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | timestamps
    | tricky
)
JSON = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=12,
)
"""JSON as a decoder can receive it, with NaN and infinities: not JSON,
but the standard library's decoder reads them."""


def shaped_like(
    model: type[Any], values: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the model's own field names, holding anything."""
    names = set(attrs.fields_dict(model)) - {EXTRA_FIELD}
    return st.fixed_dictionaries(
        {}, optional=dict.fromkeys(sorted(names), values)
    )


def decode(value: Any, model: type[Any]) -> Any:
    """`structure`, letting only `DecodeError` out (pytest fails on the
    rest)."""
    try:
        return structure(value, model)
    except DecodeError as error:
        failed = error
    assert failed.path.startswith("$")
    assert len(str(failed)) < 10_000
    return None


def check_lossless(model: type[Any], sent: Any) -> None:
    read = decode(sent, model)
    if read is None:
        return
    again = unstructure(read)
    assert holds(again, sent, instants=True), (sent, again)
    assert structure(again, model) == read


def test_every_public_model_is_covered() -> None:
    """A model added later gets a valid sample here, or this fails."""
    assert {m.__name__ for m in WIRE_MODELS} == set(VALID)
    assert {m.__name__ for m in MODELS} - set(VALID) == {"Charge"}
    for model in WIRE_MODELS:
        assert structure(VALID[model.__name__], model) is not None


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@hypothesis.given(data=st.data())
def test_random_json_decodes_as_sent_or_raises_decode_error(
    model: type[Any], data: st.DataObject
) -> None:
    value = data.draw(JSON | shaped_like(model, JSON))

    decode(value, list[model])
    if model in WIRE_MODELS:
        check_lossless(model, value)
    else:
        decode(value, model)


Path = tuple[str | int, ...]


def paths(value: Any, here: Path = ()) -> list[Path]:
    """Every place in `value` a mutation may touch."""
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*here, index))
    return found


def mutated(value: Any, path: Path, change: Callable[[Any], Any]) -> Any:
    """A copy of `value` with `change` applied at `path`."""
    if not path:
        return change(value)
    head, *rest = path
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = mutated(value[head], tuple(rest), change)
    return copy


def drop(key: str | int) -> Callable[[Any], Any]:
    def change(container: Any) -> Any:
        if isinstance(container, dict):
            return {k: v for k, v in container.items() if k != key}
        return container

    return change


@pytest.mark.parametrize("model", WIRE_MODELS, ids=lambda m: m.__name__)
@SETTINGS
@hypothesis.given(data=st.data())
def test_mutated_valid_answers_decode_as_sent_or_raise_decode_error(
    model: type[Any], data: st.DataObject
) -> None:
    """One to three changes to a valid answer: a value replaced by any
    JSON, a key dropped, or a key added."""
    sent: Any = VALID[model.__name__]
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(paths(sent)), label="path")
        how = data.draw(st.sampled_from(["replace", "drop", "add"]))
        if how == "replace":
            new = data.draw(JSON, label="value")
            sent = mutated(sent, path, lambda _, new=new: new)
        elif how == "drop" and path:
            sent = mutated(sent, path[:-1], drop(path[-1]))
        elif how == "add":
            key = data.draw(keys, label="key")
            new = data.draw(JSON, label="value")
            sent = mutated(
                sent,
                path,
                lambda old, key=key, new=new: (
                    {**old, key: new} if isinstance(old, dict) else old
                ),
            )

    check_lossless(model, sent)


@SETTINGS
@hypothesis.given(document=JSON)
def test_envelopes_are_read_or_refused_with_a_named_path(
    document: Any,
) -> None:
    """The envelope parser raises only ValueError ("$.meta: ..."), which
    the transport turns into `DecodeError`; the error parser never
    raises."""
    read_error(document)
    try:
        read_envelope(document)
    except ValueError as error:
        message = str(error)
    else:
        return
    assert message.startswith("$.")


# Strictness, field by field, for every model --------------------------


def fields_of(kinds: Callable[[Any], bool]) -> list[Any]:
    """(model, field, type) for each wire field whose type matches."""
    found = []
    for model in WIRE_MODELS:
        hints = typing.get_type_hints(model)
        for field in attrs.fields(model):
            if field.name == EXTRA_FIELD or field.name == "charge":
                continue
            kind = hints[field.name]
            if kinds(kind):
                found.append(
                    pytest.param(
                        model, field.name, id=f"{model.__name__}.{field.name}"
                    )
                )
    return found


def parts(kind: Any) -> set[Any]:
    args = typing.get_args(kind)
    return set(args) if typing.get_origin(kind) in UNIONS else {kind}


UNIONS = (typing.Union, type(int | None))


def optional(kind: Any) -> bool:
    return type(None) in parts(kind)


def sample(model: type[Any], **changes: Any) -> dict[str, Any]:
    return {**VALID[model.__name__], **changes}


@pytest.mark.parametrize(
    ("model", "name"), fields_of(lambda k: str in parts(k))
)
def test_null_never_becomes_the_string_none(
    model: type[Any], name: str
) -> None:
    body = sample(model, **{name: None})
    hint = typing.get_type_hints(model)[name]

    if optional(hint):
        assert getattr(structure(body, model), name) is None
    else:
        with pytest.raises(DecodeError) as caught:
            structure(body, model)
        assert caught.value.path == f"$.data.{name}"


@pytest.mark.parametrize(
    ("model", "name"), fields_of(lambda k: int in parts(k))
)
@pytest.mark.parametrize(
    "value", ["12", 12.7, 12.0, True, "twelve", [12]], ids=repr
)
def test_integers_are_never_coerced(
    model: type[Any], name: str, value: object
) -> None:
    with pytest.raises(DecodeError) as caught:
        structure(sample(model, **{name: value}), model)

    assert caught.value.path == f"$.data.{name}"


@pytest.mark.parametrize(
    ("model", "name"), fields_of(lambda k: bool in parts(k))
)
@pytest.mark.parametrize("value", [1, 0, "true", "false", None], ids=repr)
def test_booleans_are_never_coerced(
    model: type[Any], name: str, value: object
) -> None:
    with pytest.raises(DecodeError) as caught:
        structure(sample(model, **{name: value}), model)

    assert caught.value.path == f"$.data.{name}"


@pytest.mark.parametrize(
    ("model", "name"),
    fields_of(lambda k: typing.get_origin(k) is Sequence),
)
@pytest.mark.parametrize(
    "value", ["hiring", {"a": "b"}, 3, None, [3], [None]], ids=repr
)
def test_lists_take_arrays_of_their_items_only(
    model: type[Any], name: str, value: object
) -> None:
    with pytest.raises(DecodeError) as caught:
        structure(sample(model, **{name: value}), model)

    assert caught.value.path.startswith(f"$.data.{name}")


@pytest.mark.parametrize(
    ("model", "name"), fields_of(lambda k: datetime in parts(k))
)
@pytest.mark.parametrize(
    "value",
    [1733263984, "yesterday", "", ["2026-12-03T22:13:04Z"], *EDGE_STAMPS],
    ids=repr,
)
def test_timestamps_are_iso_strings_only(
    model: type[Any], name: str, value: object
) -> None:
    with pytest.raises(DecodeError) as caught:
        structure(sample(model, **{name: value}), model)

    assert caught.value.path == f"$.data.{name}"


def test_every_kind_of_field_was_checked() -> None:
    """The tables above are not empty for any kind of field."""
    for kinds in (
        lambda k: str in parts(k),
        lambda k: int in parts(k),
        lambda k: bool in parts(k),
        lambda k: typing.get_origin(k) is Sequence,
        lambda k: datetime in parts(k),
    ):
        assert fields_of(kinds)
