"""Fast decoders: one plain function per model, written on first use.

The converter's hooks are exact but general: with detailed validation
each field of each object goes through a dispatch, a hook call and a try
block, which is most of the time of reading a page of 100 jobs. Here,
for each model, one Python function is written with each field's check
inline (``type(x) is str``, ``x is None``) and compiled once, the first
time that model is decoded.

A fast decoder accepts a subset of what the converter accepts and builds
the same objects from it. Whatever it is not sure of (a wrong type, a
required key missing, a timestamp it cannot read) raises, and the caller
gives the value to the converter, which decodes it or names the failing
field: strictness and error messages stay the converter's alone. The
source written is kept on each decoder's ``source`` attribute.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs

__all__ = ["FastDecoders", "Unsure"]

Decoder = Callable[[Any], Any]
StructureHook = Callable[[Any, Any], Any]
Branches = list[tuple[str | None, str]]
"""How one field is read: (condition on ``x``, expression) pairs, tried
in order; a None condition is the catch-all. No match raises `Unsure`."""

_MISSING = object()
_NONE = type(None)
_UNIONS = (typing.Union, type(int | None))


class Unsure(Exception):
    """The fast decoder does not accept this value: ask the converter."""


class _Model(NamedTuple):
    omit: frozenset[str]
    hooks: Mapping[str, StructureHook]


class FastDecoders:
    """The fast decoders of every registered model, made on first use.

    `hook_for` is the converter's own hook for a type: a field of a kind
    not written inline (say ``Mapping[str, Any]``) is read by the very
    function the converter would use.
    """

    def __init__(
        self,
        hook_for: Callable[[Any], StructureHook],
        *,
        extra_field: str,
        read_datetime: Callable[[str, Any], datetime],
    ) -> None:
        self._hook_for = hook_for
        self._extra_field = extra_field
        self._read_datetime = read_datetime
        self._models: dict[type[Any], _Model] = {}
        self._open_enums: dict[type[Any], Mapping[str, Any]] = {}
        self._decoders: dict[Any, Decoder | None] = {}

    def add_model(
        self,
        cls: type[Any],
        *,
        omit: tuple[str, ...],
        hooks: Mapping[str, StructureHook],
    ) -> None:
        """Decode `cls` fast, skipping `omit`, reading fields by `hooks`."""
        self._models[cls] = _Model(frozenset(omit), dict(hooks))

    def add_open_enum(self, kind: type[Any], known: Mapping[str, Any]) -> None:
        """Read ``kind | str`` as the member named by `known`, else str."""
        self._open_enums[kind] = known

    def get(self, kind: Any) -> Decoder | None:
        """The fast decoder for a model or a list of models, else None."""
        try:
            return self._decoders[kind]
        except KeyError:
            decoder = self._decoders[kind] = self._make(kind)

        return decoder

    def _make(self, kind: Any) -> Decoder | None:
        if kind in self._models:
            return self._write(kind)
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            if item in self._models:
                return _list_of(self.get(item))

        return None

    def _write(self, cls: type[Any]) -> Decoder:
        """Write, compile and return the decoder of model `cls`."""
        model = self._models[cls]
        hints = typing.get_type_hints(cls)
        names: dict[str, Any] = {
            "Unsure": Unsure,
            "MISSING": _MISSING,
            "cls": cls,
        }
        lines = [
            "def decode(value):",
            "    if type(value) is not dict:",
            "        raise Unsure",
            "    get = value.get",
            "    missing = 0",
        ]
        values = {self._extra_field: "extra"}
        for number, field in enumerate(attrs.fields(cls)):
            if field.name in values or field.name in model.omit:
                continue
            name = values[field.name] = f"a{number}"
            hook = model.hooks.get(field.name)
            kind = hints[field.name]
            branches = self._branches(kind, hook, name, names)
            lines += _read_field(field, name, branches, names)
        names["wire"] = frozenset(values) - {self._extra_field}
        lines += [
            # Each wire field either is in `value` or was counted missing,
            # so any surplus in `len(value)` is keys the model lacks.
            f"    if len(value) + missing == {len(names['wire'])}:",
            "        extra = {}",
            "    else:",
            "        extra = {k: v for k, v in value.items()"
            " if k not in wire}",
            *_construct(cls, values, names),
        ]

        return _compile(cls, lines, names)

    def _branches(
        self,
        kind: Any,
        hook: StructureHook | None,
        name: str,
        names: dict[str, Any],
    ) -> Branches:
        """How to read a field of type `kind` (or by its own `hook`)."""
        if hook is not None:
            names[f"h_{name}"], names[f"t_{name}"] = hook, kind
            return [(None, f"h_{name}(x, t_{name})")]

        parts = _union_parts(kind)
        branches: Branches = [("x is None", "None")] if _NONE in parts else []
        parts.discard(_NONE)
        known = self._open_enum(parts)
        if known is not None:
            names[f"k_{name}"] = known
            return [*branches, ("type(x) is str", f"k_{name}.get(x, x)")]
        if len(parts) == 1:
            read = self._read_one(parts.pop(), name, names)
            if read is not None:
                return [*branches, read]

        names[f"h_{name}"], names[f"t_{name}"] = self._hook_for(kind), kind

        return [(None, f"h_{name}(x, t_{name})")]

    def _read_one(
        self, kind: Any, name: str, names: dict[str, Any]
    ) -> tuple[str | None, str] | None:
        """The branch reading one non-null type inline, if it has one."""
        if kind in (str, int, bool):
            return f"type(x) is {kind.__name__}", "x"
        if kind is datetime:
            names.update(read_datetime=self._read_datetime, UTC=UTC)
            names["from_iso"] = datetime.fromisoformat
            # A moment in UTC is what the hook would return as it is;
            # any other goes through the hook.
            return "type(x) is str", (
                "d if (d := from_iso(x)).tzinfo is UTC"
                " else read_datetime(x, None)"
            )
        if kind in self._models:
            names[f"m_{name}"] = self.get(kind)
            return None, f"m_{name}(x)"
        if kind == Mapping[str, str]:
            names["read_text_map"] = _read_text_map
            return "type(x) is dict", "read_text_map(x) if x else {}"
        if typing.get_origin(kind) is Sequence:
            return self._read_sequence(kind, name, names)

        return None

    def _read_sequence(
        self, kind: Any, name: str, names: dict[str, Any]
    ) -> tuple[str | None, str] | None:
        """A ``Sequence[str]`` or ``Sequence[Model]``: an array, as a tuple."""
        (item,) = typing.get_args(kind)
        if item is str:
            names["read_texts"] = _read_texts
            return "type(x) is list", "read_texts(x)"
        if item in self._models:
            names[f"m_{name}"] = self.get(item)
            return "type(x) is list", f"tuple([m_{name}(i) for i in x])"

        return None

    def _open_enum(self, parts: set[Any]) -> Mapping[str, Any] | None:
        """The known values when `parts` are an open enum and str."""
        if len(parts) != 2 or str not in parts:
            return None
        (other,) = parts - {str}

        return self._open_enums.get(other)


def _read_field(
    field: attrs.Attribute[Any],
    name: str,
    branches: Branches,
    names: dict[str, Any],
) -> list[str]:
    """The lines reading `field` from ``value`` into the local `name`.

    The value's own type is tested first: the usual case then passes one
    test. No condition holds for the marker of an absent key, so it is
    looked for only after them, and before the catch-all.
    """
    lines = [f"    x = get({field.name!r}, MISSING)"]
    keyword, otherwise = "if", "raise Unsure"
    for condition, expression in branches:
        if condition is None:
            otherwise = f"{name} = {expression}"
            break
        lines += [
            f"    {keyword} {condition}:",
            f"        {name} = {expression}",
        ]
        keyword = "elif"
    default = _default(field, name, names)
    absent = "raise Unsure" if default is None else f"{name} = {default}"

    return [
        *lines,
        f"    {keyword} x is MISSING:",
        "        missing += 1",
        f"        {absent}",
        "    else:",
        f"        {otherwise}",
    ]


def _default(
    field: attrs.Attribute[Any], name: str, names: dict[str, Any]
) -> str | None:
    """The expression of `field`'s default, as attrs computes it; None
    if it has none the decoder can compute."""
    default: Any = field.default
    if default is attrs.NOTHING:
        return None
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:
            return None
        names[f"f_{name}"] = default.factory
        return f"f_{name}()"

    names[f"d_{name}"] = default

    return f"d_{name}"


def _construct(
    cls: type[Any], values: Mapping[str, str], names: dict[str, Any]
) -> list[str]:
    """The lines making the instance from the locals named in `values`.

    Calling a model with a dozen keywords costs about as much as storing
    them, so when attrs' __init__ would only store its arguments the
    decoder stores them itself, each field not in `values` its default.
    """
    fields = attrs.fields(cls)
    if _stores_only(cls):
        stored = [
            (f.name, values.get(f.name) or _default(f, f"o_{f.name}", names))
            for f in fields
        ]
        setters = [_slot_setter(cls, name) for name, _ in stored]
        if all(value is not None for _, value in stored) and all(setters):
            names["new"] = object.__new__
            puts = []
            for number, ((_, value), setter) in enumerate(
                zip(stored, setters, strict=True)
            ):
                names[f"s{number}"] = setter
                puts.append(f"    s{number}(made, {value})")
            return ["    made = new(cls)", *puts, "    return made"]

    arguments = [
        f"{f.alias}={values[f.name]}" for f in fields if f.name in values
    ]

    return [f"    return cls({', '.join(arguments)})"]


def _slot_setter(
    cls: type[Any], name: str
) -> Callable[[Any, Any], None] | None:
    """What stores attribute `name` of a `cls` instance: its slot's own
    setter, which skips the frozen class's ``__setattr__`` as
    ``object.__setattr__`` does, at a third less cost. None if `name`
    is not a slot of `cls`."""
    for klass in cls.__mro__:
        member = klass.__dict__.get(name)
        if member is not None:
            if isinstance(member, types.MemberDescriptorType):
                setter: Callable[[Any, Any], None] = member.__set__
                return setter
            break

    return None


def _stores_only(cls: type[Any]) -> bool:
    """Whether attrs' __init__ of `cls` does nothing but store its
    arguments, so that the decoder may store them itself.

    No validator, converter or init hook may run, and an instance made
    both ways from stand-in values must hold the same: that catches
    whatever else __init__ might set (a cached hash, say).
    """
    fields = attrs.fields(cls)
    hooks = ("__attrs_pre_init__", "__attrs_post_init__")
    if any(hasattr(cls, hook) for hook in hooks) or any(
        f.validator or f.converter or not f.init for f in fields
    ):
        return False
    stand_ins = {f.name: object() for f in fields}
    try:
        made = cls(**{f.alias: stand_ins[f.name] for f in fields})
    except Exception:
        return False
    stored = object.__new__(cls)
    for name, value in stand_ins.items():
        object.__setattr__(stored, name, value)

    return _state(made) == _state(stored)


def _state(instance: object) -> dict[str, Any]:
    """Every attribute and slot set on `instance`."""
    state = dict(getattr(instance, "__dict__", {}))
    for klass in type(instance).__mro__:
        for slot in klass.__dict__.get("__slots__", ()):
            state[slot] = getattr(instance, slot, _MISSING)

    return state


def _compile(
    cls: type[Any], lines: list[str], names: dict[str, Any]
) -> Decoder:
    """Compile the decoder's source, once, in its own namespace."""
    source = "\n".join(lines) + "\n"
    filename = f"<paradigm_async decoder for {cls.__qualname__}>"
    # The source is built from the model's own field names only, never
    # from an answer's contents.
    exec(compile(source, filename, "exec"), names)  # noqa: S102
    decoder: Decoder = names["decode"]
    decoder.source = source  # type: ignore[attr-defined]

    return decoder


def _union_parts(kind: Any) -> set[Any]:
    if typing.get_origin(kind) in _UNIONS:
        return set(typing.get_args(kind))

    return {kind}


def _list_of(decode: Decoder | None) -> Decoder:
    """A decoder of a JSON array of one model."""
    assert decode is not None

    def decode_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Unsure

        return [decode(item) for item in value]

    return decode_list


def _read_text_map(value: dict[Any, Any]) -> dict[str, str]:
    """A copy of an object whose keys and values are all strings."""
    for key, item in value.items():
        if type(key) is not str or type(item) is not str:
            raise Unsure

    return dict(value)


def _read_texts(value: list[Any]) -> tuple[str, ...]:
    """An array of strings, as a tuple."""
    for item in value:
        if type(item) is not str:
            raise Unsure

    return tuple(value)
