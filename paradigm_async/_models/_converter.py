"""The one cattrs converter, and the rules it decodes answers by.

Decoding is strict where silence would corrupt data: ``null`` never
becomes the string ``"None"``, ``"12"`` never becomes 12, 12.7 never
becomes 12, and a list field takes only an array (cattrs alone would
split a string into its characters, or keep an object's keys). It is
tolerant where the contract asks for it: fields the models do not know
are kept in each model's `extra`, and an enum value the SDK does not know
stays a plain string.

Answers are first read by a fast decoder (`_decoders`), which accepts
only what these rules accept; anything else comes here. The converter
is made on first need, and each model's hooks the first time it is
decoded or encoded here: cattrs costs some 5 ms to import, and a well
formed answer needs none of it.
"""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

import attrs

from .._errors import DecodeError, InvalidInputError
from ._decoders import FastDecoders

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "EXTRA_FIELD",
    "get_converter",
    "register_model",
    "register_open_enum",
    "structure",
    "structure_input",
    "unstructure",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

StructureHook = Callable[[Any, Any], Any]
Rule = Callable[["cattrs.Converter"], None]

EXTRA_FIELD = "extra"
"""Each model's field for the answer's keys that the model does not know."""

_EXTRA_KEY = "\x00paradigm-extra"
_UNIONS = (Union, types.UnionType)
_rules: list[Rule] = []
"""What `get_converter` registers, in order, when it makes the converter."""


@functools.cache
def get_converter() -> cattrs.Converter:
    """The converter, made on first use with every rule registered."""
    import cattrs

    made = cattrs.Converter(detailed_validation=True)
    for rule in _rules:
        rule(made)

    return made


def _add_rule(rule: Rule) -> None:
    """Apply `rule` to the converter: now if it is made, else when it is."""
    _rules.append(rule)
    if get_converter.cache_info().currsize:
        rule(get_converter())


def _check_type(value: Any, kind: type, name: str) -> None:
    if isinstance(value, bool) and kind is not bool:
        raise TypeError(f"expected {name}, got a boolean")
    if not isinstance(value, kind):
        raise TypeError(f"expected {name}, got {type(value).__name__}")


def _structure_str(value: Any, _: type) -> str:
    _check_type(value, str, "a string")

    return str(value)


def _structure_int(value: Any, _: type) -> int:
    _check_type(value, int, "an integer")

    return int(value)


def _structure_bool(value: Any, _: type) -> bool:
    _check_type(value, bool, "a boolean")

    return bool(value)


def _structure_float(value: Any, _: type) -> float:
    _check_type(value, (int, float), "a number")  # type: ignore[arg-type]

    return float(value)


def _scalar_rules(converter: cattrs.Converter) -> None:
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(float, _structure_float)


_add_rule(_scalar_rules)


def _array_rule(converter: cattrs.Converter) -> None:
    from cattrs.cols import (
        homogenous_tuple_structure_factory,
        is_mutable_sequence,
        is_sequence,
        list_structure_factory,
    )

    def array_hook(kind: Any) -> StructureHook:
        """Structure `kind` (``list[X]``, ``Sequence[X]``) from an array
        only."""
        if is_mutable_sequence(kind):
            items = list_structure_factory(kind, converter)
        else:
            items = homogenous_tuple_structure_factory(kind, converter)

        def structure_array(value: Any, cls: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise TypeError(
                    f"expected an array, got {type(value).__name__}"
                )

            return items(value, cls)

        return structure_array

    converter.register_structure_hook_factory(is_sequence, array_hook)


_add_rule(_array_rule)


def _structure_datetime(value: Any, _: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError(
            f"expected an ISO 8601 string, got {type(value).__name__}"
        )
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    # A moment is written back in UTC; one with no UTC date (year 1 at
    # +05:30) raises OverflowError here, not when it is encoded.
    if parsed.tzinfo is not UTC:
        parsed.astimezone(UTC)

    return parsed


def _unstructure_datetime(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()

    return text.replace("+00:00", "Z")


def _datetime_rule(converter: cattrs.Converter) -> None:
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)


_add_rule(_datetime_rule)


def _hook_for(kind: Any) -> StructureHook:
    hook: StructureHook = get_converter().get_structure_hook(kind)

    return hook


_fast = FastDecoders(
    _hook_for, extra_field=EXTRA_FIELD, read_datetime=_structure_datetime
)


def register_open_enum(kind: type[E]) -> None:
    """Decode ``kind | str`` (and ``| None``): a known value as the enum,
    any other string as itself."""
    known = {member.value: member for member in kind}
    members = {kind, str}

    def matches(candidate: Any) -> bool:
        args = set(get_args(candidate)) - {type(None)}

        return get_origin(candidate) in _UNIONS and args == members

    def structure_open(value: Any, candidate: Any) -> E | str | None:
        if value is None and type(None) in get_args(candidate):
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")

        return known.get(value, value)

    _add_rule(
        lambda converter: converter.register_structure_hook_func(
            matches, structure_open
        )
    )
    _fast.add_open_enum(kind, known)


def register_model(
    cls: type[T],
    *,
    omit: tuple[str, ...] = (),
    hooks: Mapping[str, StructureHook] | None = None,
) -> None:
    """Register `cls`'s hooks: keep unknown keys, skip `omit` fields.

    `omit` names fields the SDK fills in itself, never read from the wire;
    `hooks` decode the named fields more strictly than their type does.
    The hooks are generated on first use, not at import.
    """
    _fast.add_model(cls, omit=omit, hooks=hooks or {})
    _add_rule(functools.partial(_model_rule, cls, omit, hooks or {}))


def _model_rule(
    cls: type[T],
    omit: tuple[str, ...],
    hooks: Mapping[str, StructureHook],
    converter: cattrs.Converter,
) -> None:
    from cattrs.gen import (
        make_dict_structure_fn,
        make_dict_unstructure_fn,
        override,
    )

    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    wire_names = frozenset(fields) - {EXTRA_FIELD, *omit}
    skipped: dict[str, Any] = {name: override(omit=True) for name in omit}
    checked: dict[str, Any] = {
        name: override(struct_hook=hook) for name, hook in hooks.items()
    }
    keep_extra: dict[str, Any] = {EXTRA_FIELD: override(rename=_EXTRA_KEY)}
    drop_extra: dict[str, Any] = {EXTRA_FIELD: override(omit=True)}

    @functools.cache
    def inner() -> StructureHook:
        return make_dict_structure_fn(
            cls,
            converter,
            _cattrs_forbid_extra_keys=False,
            **keep_extra,
            **skipped,
            **checked,
        )

    def structure_model(value: Any, kind: type[T]) -> T:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        unknown = {k: v for k, v in value.items() if k not in wire_names}
        if unknown:
            value = {**value, _EXTRA_KEY: unknown}
        structured: T = inner()(value, kind)

        return structured

    @functools.cache
    def outer() -> Callable[[Any], dict[str, Any]]:
        return make_dict_unstructure_fn(
            cls,
            converter,
            **drop_extra,
            **skipped,
        )

    def unstructure_model(instance: T) -> dict[str, Any]:
        known: dict[str, Any] = outer()(instance)
        extra: Mapping[str, Any] = getattr(instance, EXTRA_FIELD)

        return {**extra, **known} if extra else known

    converter.register_structure_hook(cls, structure_model)
    converter.register_unstructure_hook(cls, unstructure_model)


def structure(value: Any, cls: type[T], *, path: str = "$.data") -> T:
    """Decode an answer into `cls`, or raise `DecodeError` naming the field."""
    try:
        return _decode(value, cls)
    except Exception as exc:  # cattrs wraps what the hooks raise
        messages = _describe(exc, path)
        failing = messages[0].rpartition(" @ ")[2] or path
        raise DecodeError("; ".join(messages), path=failing) from exc


def structure_input(value: Any, cls: type[T], *, what: str) -> T:
    """Read a caller's mapping into `cls`, or raise `InvalidInputError`.

    An instance of `cls` is checked the same way: attrs does not check
    types, so a model built by hand may hold anything.
    """
    try:
        wire = unstructure(value) if isinstance(value, cls) else value

        return _decode(wire, cls)
    except Exception as exc:
        messages = _describe(exc, what)
        raise InvalidInputError("; ".join(messages)) from exc


def _decode(value: Any, cls: type[T]) -> T:
    """`cls` read from `value` by its fast decoder if that one is sure,
    else by the converter, which raises what is wrong."""
    fast = _fast.get(cls)
    if fast is not None:
        try:
            decoded: T = fast(value)
        except Exception:  # noqa: S110 - unsure: the converter decides
            pass
        else:
            return decoded

    return get_converter().structure(value, cls)


def unstructure(value: object) -> Any:
    """Encode a model as the JSON-ready shape the wire uses."""
    return get_converter().unstructure(value)


def _describe(exc: BaseException, path: str) -> list[str]:
    import cattrs  # loaded by now: only the converter raises its errors

    if isinstance(exc, cattrs.BaseValidationError):
        return cattrs.transform_error(exc, path=path)

    return [f"{exc} @ {path}"]
