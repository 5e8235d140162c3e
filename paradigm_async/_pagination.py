"""The async iterator over offset pages (CONTRACT.md, "Pagination").

The next page starts at ``offset + len(data)`` while ``has_more`` is true.
Offsets shift when items are created or deleted during a walk, so the
iterator remembers the ids it yielded and skips repeats, and an empty page
ends the walk whatever ``has_more`` says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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
        """Yield each page until one is empty or the last says so."""
        offset = 0
        while True:
            page = await self._fetch(offset)
            if not page.items:
                return
            yield page
            if not page.has_more:
                return
            offset = page.offset + len(page.items)

    async def __aiter__(self) -> AsyncIterator[T]:
        seen: set[str] = set()
        async for page in self.pages():
            for item in page.items:
                key = self._key(item)
                if key in seen:
                    continue
                seen.add(key)
                yield item

    async def collect(self) -> list[T]:
        """Every item in a list: for small lists only."""
        return [item async for item in self]
