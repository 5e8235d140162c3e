"""Many calls, a bounded number at a time, one result per input.

`bounded_map` pulls inputs from a sync or async iterable only as slots
free up, so a generator of a million leads is never held in memory; it
yields one `BulkResult` per input as each finishes, or in input order
when asked (then finished results wait for the slowest one before them,
and count against the bound too). An input's `ParadigmError` is its
result, never the run's end. Other errors (bugs, or the source's own)
propagate; the calls still running are cancelled first, or, for a
source that fails, yielded first. Leaving the loop early cancels the
calls in flight once the iterator is closed (`contextlib.aclosing`).

`aiostream`'s ``map(task_limit=...)`` does the bounded part, but not
the per-input errors; this is small enough to keep here.
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
)
from typing import Any, Generic, TypeVar

import attrs

from ._errors import InvalidInputError, ParadigmError

__all__ = [
    "BulkProgress",
    "BulkResult",
    "as_async_iterator",
    "bounded_map",
    "check_concurrency",
]

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class BulkResult(Generic[T, R]):
    """One input's outcome: its value, its error, or (a create charged
    whose wait then failed) both.

    `index` is the input's position, from 0; `resumed` says the value
    comes from an earlier run's journal.
    """

    index: int
    input: T
    value: R | None = None
    error: ParadigmError | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the input got its value without error."""
        return self.error is None


@attrs.frozen
class BulkProgress:
    """A run's counts after each result, for a progress callback."""

    started: int
    finished: int
    failed: int
    in_flight: int


Work = Callable[[int, T], Awaitable[BulkResult[T, R]]]
"""Produce one input's result; a `ParadigmError` it raises is the
input's error."""


def check_concurrency(concurrency: object) -> int:
    """A bound on calls in flight: a whole number, 1 or more."""
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or concurrency < 1
    ):
        raise InvalidInputError(
            f"concurrency must be a whole number of 1 or more: {concurrency!r}"
        )

    return concurrency


async def bounded_map(
    inputs: Iterable[T] | AsyncIterable[T],
    work: Work[T, R],
    *,
    concurrency: int,
    ordered: bool = False,
    on_progress: Callable[[BulkProgress], object] | None = None,
) -> AsyncIterator[BulkResult[T, R]]:
    """Run `work` on every input, at most `concurrency` at once."""
    run = _Run(work, check_concurrency(concurrency), ordered, on_progress)
    async for result in run.results(as_async_iterator(inputs)):
        yield result


class _Run(Generic[T, R]):
    """One `bounded_map`: its tasks, its order buffer, its input reader."""

    def __init__(
        self,
        work: Work[T, R],
        concurrency: int,
        ordered: bool,
        on_progress: Callable[[BulkProgress], object] | None,
    ) -> None:
        self._work = work
        self._concurrency = concurrency
        self._ordered = ordered
        self._on_progress = on_progress
        self._running: set[asyncio.Future[BulkResult[T, R]]] = set()
        self._finished: dict[int, BulkResult[T, R]] = {}
        self._next_out = 0
        self._started = 0
        self._done = 0
        self._failed = 0

    async def results(
        self, inputs: AsyncIterator[T]
    ) -> AsyncIterator[BulkResult[T, R]]:
        """Yield results while the next input is read alongside.

        The reader is one more task in the race, so a slow source never
        holds back results already finished, and a source that fails
        ends the run only once the calls it started have been yielded.
        """
        reader: asyncio.Future[T] | None = None
        exhausted = False
        source_error: Exception | None = None
        try:
            while True:
                if reader is None and not exhausted and self._has_room():
                    reader = asyncio.ensure_future(anext(inputs))
                waiting: set[asyncio.Future[Any]] = set(self._running)
                if reader is not None:
                    waiting.add(reader)
                if not waiting:
                    break
                done, _ = await asyncio.wait(
                    waiting, return_when=asyncio.FIRST_COMPLETED
                )
                finished = self._running & done
                if reader is not None and reader in done:
                    try:
                        self._start(reader.result())
                    except StopAsyncIteration:
                        exhausted = True
                    except Exception as exc:  # the caller's own source
                        source_error = exc
                        exhausted = True
                    reader = None
                for result in self._collect(finished):
                    yield result
            if source_error is not None:
                raise source_error
        finally:
            if reader is not None:
                reader.cancel()
            await self._cancel_running()

    def _has_room(self) -> bool:
        held = len(self._running) + len(self._finished)

        return held < self._concurrency

    def _start(self, item: T) -> None:
        index = self._started
        self._started += 1
        self._running.add(asyncio.ensure_future(self._one(index, item)))

    async def _one(self, index: int, item: T) -> BulkResult[T, R]:
        try:
            return await self._work(index, item)
        except ParadigmError as exc:
            return BulkResult(index, item, error=exc)

    def _collect(
        self, done: set[asyncio.Future[BulkResult[T, R]]]
    ) -> list[BulkResult[T, R]]:
        """Take `done` out of the running set; return the results due."""
        self._running -= done
        due: list[BulkResult[T, R]] = []
        for task in sorted(done, key=lambda t: t.result().index):
            result = task.result()
            self._count(result)
            if self._ordered:
                self._finished[result.index] = result
            else:
                due.append(result)
        while self._next_out in self._finished:
            due.append(self._finished.pop(self._next_out))
            self._next_out += 1

        return due

    def _count(self, result: BulkResult[T, R]) -> None:
        self._done += 1
        if not result.ok:
            self._failed += 1
        if self._on_progress is not None:
            self._on_progress(
                BulkProgress(
                    started=self._started,
                    finished=self._done,
                    failed=self._failed,
                    in_flight=len(self._running),
                )
            )

    async def _cancel_running(self) -> None:
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        self._running.clear()


async def as_async_iterator(
    inputs: Iterable[T] | AsyncIterable[T],
) -> AsyncIterator[T]:
    """Read a sync or async iterable as one async iterator."""
    if isinstance(inputs, AsyncIterable):
        async for item in inputs:
            yield item
    else:
        for item in inputs:
            yield item
