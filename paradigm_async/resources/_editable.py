"""Free resources you create, edit and delete: blueprints, responders.

Each subclass lists its writable fields once, as `Field` checks, and its
`create` and `update` hand over their own arguments (``locals()``): the
keyword arguments are the body, each named after its field, and both
refuse the same bad values before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from .._fields import Field, build_body
from .._pagination import Paginator
from ._base import (
    DEFAULT_PAGE_SIZE,
    Collection,
    _Identified,
    new_idempotency_key,
)

__all__ = ["EditableCollection"]

M = TypeVar("M", bound=_Identified)


class EditableCollection(Collection[M]):
    """list, get, create, update (partial) and delete. All free."""

    writable: ClassVar[Mapping[str, Field]]
    """The fields a caller sets, and how each is checked."""

    def list(self, *, limit: int = DEFAULT_PAGE_SIZE) -> Paginator[M]:
        """Iterate over every item, newest first, `limit` a page. Free."""
        return self._paginate({}, limit)

    async def _create(
        self, arguments: Mapping[str, Any], idempotency_key: str | None
    ) -> M:
        key = new_idempotency_key(idempotency_key)
        body = build_body(
            self.writable, self._fields(arguments), partial=False
        )
        response = await self._send("create", json=body, idempotency_key=key)

        return self._decode(response)

    async def _update(
        self, resource_id: str, arguments: Mapping[str, Any]
    ) -> M:
        body = build_body(self.writable, self._fields(arguments), partial=True)
        response = await self._send(
            "update", path_params={"id": resource_id}, json=body
        )

        return self._decode(response)

    def _fields(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The writable fields among a method's arguments."""
        return {k: v for k, v in arguments.items() if k in self.writable}
