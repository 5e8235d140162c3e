"""Templates and auto responders: free records that are edited in place."""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

from ._collections import Collection
from ._fields import Field, read_changes, read_new
from ._http import Answer, json_answer
from ._records import Shelf, new_id, utc_stamp
from ._routing import Call, Route
from ._validation import parse_body, reject_query

__all__ = ["EditableCollection", "EditableRecord", "EditableResource"]


@attrs.frozen
class EditableResource:
    """What a free, editable resource needs to describe: names and fields.

    A resource module fills one in; adding such a resource is that
    module and one line in the server's resource table.
    """

    noun: str
    path: str
    id_prefix: str
    fields: tuple[Field, ...]


@attrs.define
class EditableRecord:
    """One stored record: its values, in its resource's field order."""

    id: str
    owner: str
    values: dict[str, object]
    created_at: str
    updated_at: str

    def render(self) -> dict[str, object]:
        """Render with every field, null where cleared or never set."""
        return {
            "id": self.id,
            **self.values,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


class EditableCollection(Collection[EditableRecord]):
    """The records of one free resource, which PATCH edits in part.

    Nothing here costs credits, so no answer carries `meta` and the
    ledger is never touched. A record has no lifecycle: it changes only
    when updated.
    """

    def __init__(
        self,
        resource: EditableResource,
        *,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._resource = resource
        self._wall = wall
        super().__init__(
            noun=resource.noun,
            path=resource.path,
            shelf=Shelf[EditableRecord](),
            render=EditableRecord.render,
        )

    def routes(self) -> list[Route]:
        """Return this collection's entries for the route table."""
        return [*super().routes(), Route("PATCH", self._one, self.update)]

    def create(self, call: Call) -> Answer:
        """Check and store a new record; answer 201."""
        reject_query(call.query)
        values = read_new(self._resource.fields, parse_body(call.body))
        stamp = utc_stamp(self._wall())
        record = EditableRecord(
            id=new_id(self._resource.id_prefix),
            owner=call.key,
            values=values,
            created_at=stamp,
            updated_at=stamp,
        )
        self._shelf.put(record)

        return json_answer({"data": record.render()}, status=201)

    def update(self, call: Call) -> Answer:
        """Change the fields the body holds, keep the others; answer 200."""
        reject_query(call.query)
        record = self._find(call)
        changes = read_changes(self._resource.fields, parse_body(call.body))
        record.values.update(changes)
        record.updated_at = utc_stamp(self._wall())

        return json_answer({"data": record.render()})
