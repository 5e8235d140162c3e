"""What every stored record shares: an id, an owner, stamps and pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

__all__ = ["Shelf", "Stored", "new_id", "utc_stamp"]


class Stored(Protocol):
    """Anything a shelf can keep: a record with an id and an owner."""

    @property
    def id(self) -> str: ...

    @property
    def owner(self) -> str: ...


R = TypeVar("R", bound=Stored)


def new_id(prefix: str) -> str:
    """Return a fresh opaque id such as `job_<hex>`."""
    return f"{prefix}{secrets.token_hex(12)}"


def utc_stamp(seconds: float) -> str:
    """Render unix `seconds` as ISO 8601 UTC with milliseconds and `Z`."""
    moment = datetime.fromtimestamp(seconds, UTC)

    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _everything(record: object) -> bool:
    return True


class Shelf(Generic[R]):
    """The records of one resource, kept apart per API key.

    A key only ever sees its own records: every lookup takes the owner.
    """

    def __init__(self) -> None:
        self._records: dict[str, dict[str, R]] = {}

    def put(self, record: R) -> None:
        """Keep `record` under its owner."""
        self._records.setdefault(record.owner, {})[record.id] = record

    def get(self, owner: str, ident: str) -> R | None:
        """Return `owner`'s record `ident`, or None."""
        return self._records.get(owner, {}).get(ident)

    def delete(self, owner: str, ident: str) -> bool:
        """Forget `owner`'s record `ident`, and say whether it existed."""
        return self._records.get(owner, {}).pop(ident, None) is not None

    def page(
        self,
        owner: str,
        limit: int,
        offset: int,
        keep: Callable[[R], bool] = _everything,
    ) -> tuple[list[R], int]:
        """Return a page of `owner`'s records, newest first, and a total.

        The total counts every record that `keep` accepts, not only the
        page.
        """
        # A dict keeps insertion order, and records are put as they are
        # created, so the reverse is newest first, even within one tick.
        kept = self._records.get(owner, {}).values()
        matching = [record for record in reversed(kept) if keep(record)]

        return matching[offset : offset + limit], len(matching)
