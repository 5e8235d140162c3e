"""`create_many` for jobs and enrichments: paid creates in bulk, resumable.

Each input is created (and, by default, waited on through one `Watcher`
for the whole run, which polls the list endpoint rather than each
record) with at most `concurrency` in flight; see `paradigm_async._bulk`
for the streaming and the per-input errors. With a journal
(`paradigm_async._journal`) every step is committed before it is taken,
so a rerun after a crash:

- skips inputs already done, yielding their recorded results;
- waits on inputs whose create answered, without creating again;
- for inputs sent whose answer never came, first looks for their record
  on the server (the newest records, matched by lead email, never one
  the journal already holds) and adopts it; only if none is found does
  it send again, with the original ``Idempotency-Key``.

What can still be charged twice, when the API ignores the key: a create
the server had not yet recorded when the rerun looked (still in flight
at the crash), and a record the lookup cannot match (its lead's email
changed by the server, or created more than `ADOPT_WINDOW` before it
was sent by the clock of this host).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Mapping,
)
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .._bulk import (
    BulkProgress,
    BulkResult,
    as_async_iterator,
    bounded_map,
    check_concurrency,
)
from .._credits import CreditBudget
from .._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    InsufficientCreditsError,
    InvalidInputError,
    NotSentError,
    ParadigmError,
)
from .._journal import Entry, Journal, RowState, lead_fingerprint
from .._models import Charge, Lead, ResearchMode, structure, unstructure
from .._models._common import ResearchRecord
from .._validation import check_lead, check_research_mode, check_wait
from .._watcher import Watcher
from ._base import new_idempotency_key

if TYPE_CHECKING:
    from ._research import ResearchResource

__all__ = [
    "ADOPT_WINDOW",
    "BulkOptions",
    "LeadInput",
    "ProgressCallback",
    "start_create_many",
]

logger = logging.getLogger("paradigm_async.bulk")

M = TypeVar("M", bound=ResearchRecord)

LeadInput = Lead | Mapping[str, Any]
"""One input of a bulk create: a `Lead`, or a mapping of its fields."""

ProgressCallback = Callable[[BulkProgress], object]

ADOPT_WINDOW = 120.0
"""How long before an unanswered create's first send, by this host's
clock, a record on the server may have been created and still be taken
for it: slack for skew between this host's clock and the server's."""


@attrs.frozen(kw_only=True)
class BulkOptions:
    """How one `create_many` run creates and waits; checked when built."""

    research_mode: ResearchMode = attrs.field(converter=check_research_mode)
    fields: Mapping[str, str | None] = attrs.field(factory=dict)
    concurrency: int = attrs.field(default=8, converter=check_concurrency)
    ordered: bool = False
    wait: bool = True
    poll_interval: float = 2.0
    wait_timeout: float = 600.0
    journal: str | os.PathLike[str] | None = None
    max_credits: int | None = None

    def __attrs_post_init__(self) -> None:
        check_wait(self.wait_timeout, self.poll_interval)


def start_create_many(
    resource: ResearchResource[M],
    leads: Iterable[LeadInput] | AsyncIterable[LeadInput],
    options: BulkOptions,
    on_progress: ProgressCallback | None,
) -> AsyncGenerator[BulkResult[LeadInput, M], None]:
    """The results of one bulk create, for `resource.create_many`.

    The options were checked when they were built, so a bad one raises
    at the call, not at the first result.
    """
    if not isinstance(leads, Iterable | AsyncIterable):
        raise InvalidInputError(
            f"leads must be an iterable of leads, got {type(leads).__name__}"
        )
    if options.max_credits is not None:
        resource = _within_budget(resource, options.max_credits)

    return _create_many(resource, leads, options, on_progress)


def _within_budget(
    resource: ResearchResource[M], max_credits: int
) -> ResearchResource[M]:
    """`resource` with a budget of its own for one run, stacked on the
    client's: the run's creates reserve their cost in both."""
    context = resource._context
    budget = CreditBudget(max_credits, parent=context.budget)

    return type(resource)(attrs.evolve(context, budget=budget))


async def _create_many(
    resource: ResearchResource[M],
    leads: Iterable[LeadInput] | AsyncIterable[LeadInput],
    options: BulkOptions,
    on_progress: ProgressCallback | None,
) -> AsyncGenerator[BulkResult[LeadInput, M], None]:
    path = options.journal
    kept = None if path is None else Journal(path, kind=resource._group)
    watcher = Watcher(resource, poll_interval=options.poll_interval)
    try:
        creator = _Creator(resource, options, kept, watcher)
        inputs = as_async_iterator(leads)
        if kept is not None:
            inputs = await creator.check_first(inputs)
            await creator.adopt_unanswered()
        waiting = WAITING_PER_CREATE if options.wait else 1
        async for result in bounded_map(
            inputs,
            creator.one,
            concurrency=options.concurrency * waiting,
            ordered=options.ordered,
            on_progress=on_progress,
        ):
            yield result
    finally:
        await watcher.close()
        if kept is not None:
            kept.close()


class _Creator(Generic[M]):
    """Creates, waits on and journals one input at a time."""

    def __init__(
        self,
        resource: ResearchResource[M],
        options: BulkOptions,
        journal: Journal | None,
        watcher: Watcher[M],
    ) -> None:
        self._resource = resource
        self._options = options
        self._journal = journal
        self._watcher = watcher
        self._cost = resource.prices["create"].credits(options.research_mode)
        self._stopped_by: ParadigmError | None = None
        self._sending = asyncio.Semaphore(options.concurrency)

    async def check_first(
        self, inputs: AsyncIterator[LeadInput]
    ) -> AsyncIterator[LeadInput]:
        """Refuse the whole run if its first input is not the journal's.

        A journal rerun over another file would otherwise send every row
        past the journal's end. Returns the inputs, the first one put
        back.
        """
        assert self._journal is not None
        try:
            first = await anext(inputs)
        except StopAsyncIteration:
            return inputs
        try:
            fingerprint = self._fingerprint(check_lead(first))
        except InvalidInputError:
            pass  # that input's own error, when its turn comes
        else:
            self._journal.entry(0, fingerprint)

        return _put_back(first, inputs)

    async def one(
        self, index: int, lead: LeadInput
    ) -> BulkResult[LeadInput, M]:
        """Bring input `index` to its result, resuming where it stopped."""
        checked = check_lead(lead)
        fingerprint = self._fingerprint(checked)
        journal = self._journal
        try:
            entry = (
                None if journal is None else journal.entry(index, fingerprint)
            )
        except ConfigurationError as exc:
            self._stop(exc)  # another input: send nothing more
            raise
        if entry is not None and entry.state is RowState.DONE:
            assert entry.record is not None
            done = structure(entry.record, self._resource._model)
            charged = self._charge(entry.credits)
            value = attrs.evolve(done, charge=charged)
            return BulkResult(index, lead, value, resumed=True)
        if entry is not None and entry.state is RowState.CREATED:
            assert entry.resource_id is not None
            created = await self._resource.get(entry.resource_id)
            created = attrs.evolve(created, charge=self._charge(entry.credits))
            return await self._finish(index, lead, created, resumed=True)
        resend = entry is not None and entry.state is RowState.SENT
        key = entry.idempotency_key if resend and entry else None
        created = await self._create(index, checked, fingerprint, key)

        return await self._finish(index, lead, created)

    async def adopt_unanswered(self) -> None:
        """Match inputs sent but never answered to records on the server.

        The newest records are walked back to `ADOPT_WINDOW` before the
        oldest such send. A record is taken for an input only if it has
        the input's email, this run's research mode and template ids, and
        was created no earlier than `ADOPT_WINDOW` before the input was
        first sent; each record is taken by at most one input, and never
        one the journal already holds.
        """
        journal = self._journal
        assert journal is not None
        waiting = list(journal.unfinished())
        if not waiting:
            return
        oldest = min(e.sent_at or 0.0 for e in waiting) - ADOPT_WINDOW
        by_email: dict[str, list[Entry]] = {}
        for waiter in waiting:
            by_email.setdefault(waiter.email or "", []).append(waiter)
        async for record in self._resource.list(limit=100):
            created_at = record.created_at
            if created_at is not None and created_at.timestamp() < oldest:
                break
            email = record.lead.email.lower() if record.lead else ""
            candidates = by_email.get(email)
            if not candidates or not self._made_by_this_run(record):
                continue
            match = _first_sent_before(candidates, created_at)
            if match is None or journal.holds(record.id):
                continue
            candidates.remove(match)
            row = match.row
            credits = record.credits_charged
            journal.created(
                row, record.id, self._cost if credits is None else credits
            )
            logger.info(
                "bulk.adopted",
                extra={"paradigm.row": row, "paradigm.resource_id": record.id},
            )
            if not any(by_email.values()):
                return

    async def _create(
        self,
        index: int,
        lead: Lead,
        fingerprint: str,
        key: str | None,
    ) -> M:
        """Send input `index`'s create; `key` if an earlier run sent it.

        A create refused with nothing charged is forgotten, so the next
        run sends it afresh; but not one an earlier run sent, whose
        record may still appear: it keeps its key.
        """
        resend = key is not None
        key = new_idempotency_key(key)
        try:
            async with self._sending:
                self._check_not_stopped()
                if self._journal is not None:
                    email = lead.email.lower()
                    self._journal.sent(index, fingerprint, email, key)
                created = await self._resource._create(
                    lead,
                    self._options.research_mode,
                    key,
                    **self._options.fields,
                )
        except ParadigmError as exc:
            if isinstance(exc, FATAL_ERRORS):
                self._stop(exc)
            forget = not resend and not _outcome_unknown(exc)
            if self._journal is not None and forget:
                self._journal.forget(index)
            raise
        if self._journal is not None:
            credits = created.charge.credits if created.charge else self._cost
            self._journal.created(index, created.id, credits)

        return created

    async def _finish(
        self, index: int, lead: LeadInput, created: M, *, resumed: bool = False
    ) -> BulkResult[LeadInput, M]:
        """Wait for `created` if asked; journal and return the result.

        `resumed` says an earlier run created it.
        """
        if not self._options.wait or created.is_terminal:
            final = created
        else:
            try:
                final = await self._watcher.watch(
                    created, timeout=self._options.wait_timeout
                )
            except ParadigmError as exc:
                return BulkResult(index, lead, created, exc, resumed)
            final = attrs.evolve(final, charge=created.charge)
        if self._journal is not None and final.is_terminal:
            self._journal.done(index, unstructure(final))

        return BulkResult(index, lead, final, resumed=resumed)

    def _fingerprint(self, lead: Lead) -> str:
        return lead_fingerprint(
            {
                "lead": unstructure(lead),
                "research_mode": self._options.research_mode.value,
                **self._options.fields,
            }
        )

    def _check_not_stopped(self) -> None:
        if self._stopped_by is not None:
            raise NotSentError(
                f"not sent: an earlier input failed with {self._stopped_by}",
                cause=self._stopped_by,
            )

    def _stop(self, error: ParadigmError) -> None:
        """Send no later input: each would fail the same way."""
        if self._stopped_by is None:
            self._stopped_by = error

    def _made_by_this_run(self, record: M) -> bool:
        """Whether `record` has this run's research mode and templates."""
        if record.research_mode != self._options.research_mode:
            return False
        fields = self._options.fields

        return all(
            getattr(record, name, None) == value
            for name, value in fields.items()
        )

    def _charge(self, credits: int | None) -> Charge:
        return Charge(
            credits=self._cost if credits is None else credits,
            research_mode=self._options.research_mode,
            credits_remaining=None,
            source="journal",
        )


WAITING_PER_CREATE = 8
"""Leads a run may hold, waiting on their records, per create in flight:
`concurrency` bounds the creates, and waiting is cheap (one watcher polls
them all), but each lead in hand holds a little memory, so that is
bounded too."""

FATAL_ERRORS: tuple[type[ParadigmError], ...] = (
    AuthenticationError,
    InsufficientCreditsError,
)
"""Errors after which no later create is sent: each would fail alike."""


def _first_sent_before(
    entries: list[Entry], created_at: datetime | None
) -> Entry | None:
    """The earliest-sent entry the record may be for: a record created
    more than `ADOPT_WINDOW` before an input was sent is not its."""
    if created_at is None:
        return entries[0]
    when = created_at.timestamp()
    for entry in entries:
        if entry.sent_at is None or when >= entry.sent_at - ADOPT_WINDOW:
            return entry

    return None


async def _put_back(
    first: LeadInput, rest: AsyncIterator[LeadInput]
) -> AsyncIterator[LeadInput]:
    yield first
    async for lead in rest:
        yield lead


def _outcome_unknown(exc: ParadigmError) -> bool:
    """Whether the create may have been recorded and charged."""
    if isinstance(exc, DecodeError):
        return True
    if isinstance(exc, APIError | APIConnectionError):
        return exc.outcome_unknown

    return False
