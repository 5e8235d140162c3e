"""`paradigm <resource> list|get|create|update|delete`, as JSON lines.

Each resource command maps onto its SDK group. Bodies for create and
update come from a JSON file (``--json FILE``) and/or ``--set KEY=VALUE``
flags, where VALUE is read as JSON when it parses (``12``, ``true``,
``null``) and as a string otherwise, and a dotted KEY (``lead.email``)
builds a nested object.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

from .. import _json
from .._client import ParadigmClient
from .._errors import InvalidInputError
from .._models import Status, unstructure
from .._validation import MAX_PAGE_SIZE
from ..resources._base import Collection

__all__ = ["RESOURCES", "Commands", "add_resource_commands"]

Group = Callable[[ParadigmClient], Collection[Any]]

RESOURCES: Mapping[str, Group] = {
    "jobs": lambda c: c.jobs,
    "enrichments": lambda c: c.enrichments,
    "enrichment-templates": lambda c: c.blueprints.enrichment_templates,
    "customization-templates": (
        lambda c: c.blueprints.customization_templates
    ),
    "email-responders": lambda c: c.auto_responders.email,
    "linkedin-responders": lambda c: c.auto_responders.linkedin,
}
"""The command's resource names and the SDK group each one drives."""

_WITH_STATUS = frozenset({"jobs", "enrichments"})
_READ_ONLY_AFTER_CREATE = frozenset({"jobs", "enrichments"})

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_resource_commands(commands: Commands) -> None:
    """Add one subcommand per resource, each with its actions."""
    for name in RESOURCES:
        parser = commands.add_parser(
            name, help=f"list, get, create, ... {name}"
        )
        actions = parser.add_subparsers(required=True, metavar="ACTION")
        _add_list(actions, name)
        for action in ("get", "delete"):
            one = actions.add_parser(action, help=f"{action} one by id")
            one.add_argument("id")
            one.set_defaults(run=_run_one, resource=name, action=action)
        create = actions.add_parser("create", help="create from JSON/flags")
        _add_body_options(create)
        create.set_defaults(run=_run_create, resource=name)
        if name not in _READ_ONLY_AFTER_CREATE:
            update = actions.add_parser(
                "update", help="change only the fields given"
            )
            update.add_argument("id")
            _add_body_options(update)
            update.set_defaults(run=_run_update, resource=name)


def _add_list(actions: Commands, name: str) -> None:
    listing = actions.add_parser("list", help="print items as JSON lines")
    listing.add_argument(
        "--limit",
        type=int,
        default=None,
        help="print at most this many (and ask for pages of that size)",
    )
    if name in _WITH_STATUS:
        listing.add_argument(
            "--status", choices=[status.value for status in Status]
        )
    listing.set_defaults(run=_run_list, resource=name, status=None)


def _add_body_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="a JSON object of fields"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a field; VALUE as JSON if it parses, else text",
    )


def _client() -> ParadigmClient:
    return ParadigmClient()


async def _run_list(args: argparse.Namespace) -> int:
    limit: int | None = args.limit
    if limit is not None and limit < 1:
        raise InvalidInputError("--limit must be at least 1")
    page_size = min(limit or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    async with _client() as client:
        group = RESOURCES[args.resource](client)
        options: dict[str, Any] = {"limit": page_size}
        if args.status is not None:
            options["status"] = args.status
        printed = 0
        listing = group.list(**options)  # type: ignore[attr-defined]
        async for page in listing.pages():
            for item in page.items:
                _print(item)
                printed += 1
                if limit is not None and printed >= limit:
                    return 0

    return 0


async def _run_one(args: argparse.Namespace) -> int:
    async with _client() as client:
        group = RESOURCES[args.resource](client)
        if args.action == "get":
            _print(await group.get(args.id))
        else:
            await group.delete(args.id)
            _print({"id": args.id, "deleted": True})

    return 0


async def _run_create(args: argparse.Namespace) -> int:
    values = _body(args)
    async with _client() as client:
        group = RESOURCES[args.resource](client)
        create = group.create  # type: ignore[attr-defined]
        if args.resource in _WITH_STATUS:
            if "lead" not in values:
                raise InvalidInputError(
                    "create needs a lead (--set lead.email=...)"
                )
            lead = values.pop("lead")
            _check_keywords(create, values, args.resource, "create")
            item = await create(lead, **values)
        else:
            _check_keywords(create, values, args.resource, "create")
            item = await create(**values)
        _print(item)

    return 0


async def _run_update(args: argparse.Namespace) -> int:
    values = _body(args)
    async with _client() as client:
        update = RESOURCES[args.resource](client).update  # type: ignore[attr-defined]
        _check_keywords(update, values, args.resource, "update")
        _print(await update(args.id, **values))

    return 0


def _body(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if args.json is not None:
        try:
            loaded = json.loads(args.json.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InvalidInputError(
                f"{args.json}: not valid JSON: {exc}"
            ) from None
        except OSError as exc:
            raise InvalidInputError(
                f"{args.json}: cannot be read: {exc.strerror}"
            ) from None
        if not isinstance(loaded, dict):
            raise InvalidInputError(f"{args.json}: expected a JSON object")
        values.update(loaded)
    for item in args.set:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"--set needs KEY=VALUE, got {item!r}")
        _put(values, key.split("."), _value(raw))

    return values


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _put(values: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        inner = values.setdefault(key, {})
        if not isinstance(inner, dict):
            raise InvalidInputError(f"--set: {key} is not an object")
        values = inner
    values[keys[-1]] = value


def _check_keywords(
    method: Callable[..., Any],
    values: Mapping[str, Any],
    resource: str,
    action: str,
) -> None:
    keywords = {
        name: parameter
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    unknown = sorted(set(values) - set(keywords))
    if unknown:
        raise InvalidInputError(
            f"{resource} {action} takes {', '.join(sorted(keywords))}; "
            f"not {', '.join(unknown)}"
        )
    missing = sorted(
        name
        for name, parameter in keywords.items()
        if parameter.default is inspect.Parameter.empty and name not in values
    )
    if missing:
        raise InvalidInputError(
            f"{resource} {action} needs {', '.join(missing)} "
            "(--set KEY=VALUE or --json FILE)"
        )


def _print(item: object) -> None:
    document = item if isinstance(item, dict) else unstructure(item)
    sys.stdout.write(_json.dumps(document).decode() + "\n")
