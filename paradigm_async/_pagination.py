"""The async iterator over offset pages (CONTRACT.md, "Pagination").

The next page starts at ``offset + len(data)`` while ``has_more`` is true.
Offsets shift when items are created or deleted during a walk, so the
iterator remembers the ids it yielded and skips repeats. An empty page, or
one with nothing new, ends the walk whatever ``has_more`` says.
"""

from __future__ import annotations

import contextlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Sequence,
)
from typing import Generic, TypeVar

import attrs

from ._envelope import Pagination

__all__ = ["Page", "Paginator"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list, as the server sent it."""

    items: Sequence[T]
    offset: int
    pagination: Pagination | None

    @property
    def has_more(self) -> bool:
        """Whether the server says another page follows."""
        return self.pagination is not None and self.pagination.has_more


FetchPage = Callable[[int], Awaitable[Page[T]]]


class Paginator(Generic[T]):
    """Every item of a list endpoint, page by page, each id once.

    ``async for item in paginator`` yields items; `pages` yields the pages
    themselves. Nothing is requested until iteration starts, and each
    iteration walks the list afresh.
    """

    def __init__(
        self, fetch: FetchPage[T], *, key: Callable[[T], str]
    ) -> None:
        self._fetch = fetch
        self._key = key

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page as the server sent it, until the walk ends."""
        # Closing this iterator closes the walk with it, at once, rather
        # than leaving the walk for the loop to finalise later.
        async with contextlib.aclosing(self._walk()) as walk:
            async for page, _ in walk:
                yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async with contextlib.aclosing(self._walk()) as walk:
            async for _, fresh in walk:
                for item in fresh:
                    yield item

    async def _walk(self) -> AsyncGenerator[tuple[Page[T], list[T]], None]:
        """Each page with its items not seen before.

        The walk ends on an empty page, on a page that says no more
        follow, and on a page holding nothing new (a server that ignores
        ``offset`` would otherwise be asked forever).
        """
        offset = 0
        seen: set[str] = set()
        while True:
            page = await self._fetch(offset)
            fresh = _unseen(page.items, self._key, seen)
            if not fresh:
                return
            yield page, fresh
            if not page.has_more:
                return
            offset = page.offset + len(page.items)

    async def collect(self) -> list[T]:
        """Every item in a list: for small lists only."""
        return [item async for item in self]


def _unseen(
    items: Sequence[T], key: Callable[[T], str], seen: set[str]
) -> list[T]:
    """The items whose key is not in `seen`, each key once; adds them.

    The usual page holds only new, distinct keys, and is checked as a
    whole without a step per item.
    """
    keys = list(map(key, items))
    if seen.isdisjoint(keys):
        before = len(seen)
        seen.update(keys)
        if len(seen) - before == len(keys):
            return list(items)
        seen.difference_update(keys)  # a key repeats within the page
    fresh = []
    for item, name in zip(items, keys, strict=True):
        if name not in seen:
            seen.add(name)
            fresh.append(item)

    return fresh
