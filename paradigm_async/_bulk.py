"""Many calls, a bounded number at a time, one result per input.

`bounded_map` pulls inputs from a sync or async iterable only as slots
free up, so a generator of a million leads is never held in memory; it
yields one `BulkResult` per input as each finishes, or in input order
when asked (then finished results wait for the slowest one before them,
and count against the bound too). An input's error is its result, never
the run's end; after an error that every later input would meet too (a
bad key, no credits left), the rest are yielded as `NotSentError`
without being sent. Errors that are not the SDK's (bugs) propagate and
cancel the calls still running.

`aiostream`'s ``map(task_limit=...)`` does the bounded part, but not
the per-input errors and stop rule; this is small enough to keep here.
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
from typing import Generic, TypeVar

import attrs

from ._errors import (
    AuthenticationError,
    InsufficientCreditsError,
    InvalidInputError,
    NotSentError,
    ParadigmError,
)

__all__ = ["BulkProgress", "BulkResult", "bounded_map", "check_concurrency"]

T = TypeVar("T")
R = TypeVar("R")

FATAL_ERRORS: tuple[type[ParadigmError], ...] = (
    AuthenticationError,
    InsufficientCreditsError,
)
"""Errors after which no later input is sent: each would fail alike."""


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
    async for result in run.results(_aiter(inputs)):
        yield result


class _Run(Generic[T, R]):
    """One `bounded_map`: its tasks, its order buffer and its stop."""

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
        self._running: set[asyncio.Task[BulkResult[T, R]]] = set()
        self._finished: dict[int, BulkResult[T, R]] = {}
        self._next_out = 0
        self._stopped_by: ParadigmError | None = None
        self._started = 0
        self._done = 0
        self._failed = 0

    async def results(
        self, inputs: AsyncIterator[T]
    ) -> AsyncIterator[BulkResult[T, R]]:
        exhausted = False
        try:
            while True:
                while not exhausted and self._has_room():
                    try:
                        item = await anext(inputs)
                    except StopAsyncIteration:
                        exhausted = True
                        break
                    self._start(item)
                if not self._running:
                    break
                for result in await self._next_finished():
                    yield result
        finally:
            await self._cancel_running()

    def _has_room(self) -> bool:
        held = len(self._running) + len(self._finished)

        return held < self._concurrency

    def _start(self, item: T) -> None:
        index = self._started
        self._started += 1
        task = asyncio.ensure_future(self._one(index, item))
        self._running.add(task)

    async def _one(self, index: int, item: T) -> BulkResult[T, R]:
        if self._stopped_by is not None:
            error = NotSentError(
                f"not sent: an earlier input failed with {self._stopped_by}",
                cause=self._stopped_by,
            )
            return BulkResult(index, item, error=error)
        try:
            return await self._work(index, item)
        except FATAL_ERRORS as exc:
            if self._stopped_by is None:
                self._stopped_by = exc
            return BulkResult(index, item, error=exc)
        except ParadigmError as exc:
            return BulkResult(index, item, error=exc)

    async def _next_finished(self) -> list[BulkResult[T, R]]:
        """Wait for at least one call; return the results now due."""
        done, self._running = await asyncio.wait(
            self._running, return_when=asyncio.FIRST_COMPLETED
        )
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


async def _aiter(inputs: Iterable[T] | AsyncIterable[T]) -> AsyncIterator[T]:
    if isinstance(inputs, AsyncIterable):
        async for item in inputs:
            yield item
    else:
        for item in inputs:
            yield item
