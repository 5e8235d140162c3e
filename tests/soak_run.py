"""A soak run: many mixed calls against a sandbox that fails a share of them.

Reads, paid creates (some of them for leads the sandbox fails, so
refunded), template writes and deletes run with bounded concurrency
against a `Sandbox` whose `FaultMix` spoils a share of the requests with
every kind of failure it knows. Each call must end in its value or in
one of the SDK's own errors. At the end every create whose outcome was
unknown is settled the README's way (sent again with its
``Idempotency-Key``), every record is listed so the ledger sees the
refunds, and the client's ledger is compared with the sandbox's. Used by
``tests/test_soak.py`` (short) and ``benchmarks/soak.py`` (10,000 calls).
"""

from __future__ import annotations

import asyncio
import collections
import random
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from paradigm_async import ParadigmClient, ParadigmError
from paradigm_async.sandbox import FaultMix, Sandbox

__all__ = ["SoakReport", "established_to", "soak"]


@attrs.define
class SoakReport:
    """What a soak run saw."""

    calls: int = 0
    succeeded: int = 0
    sdk_errors: collections.Counter[str] = attrs.field(
        factory=collections.Counter
    )
    read_errors: collections.Counter[str] = attrs.field(
        factory=collections.Counter
    )
    """The reads among `sdk_errors`: gets and lists, retried when safe."""
    escaped: list[str] = attrs.field(factory=list)
    requests: int = 0
    client_spent: int = 0
    client_refunded: int = 0
    client_uncertain: int = 0
    sandbox_charged: int = 0
    sandbox_refunded: int = 0
    open_connections: int = -1


def established_to(port: int) -> int:
    """Open TCP connections whose far end is `port` on this machine."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                remote, state = fields[2], fields[3]
                if state == "01" and int(remote.split(":")[1], 16) == port:
                    count += 1

    return count


class _Mix:
    """Picks and makes each call of the run."""

    def __init__(self, client: ParadigmClient, seed: int) -> None:
        self._client = client
        self._random = random.Random(seed)
        self.job_ids: list[str] = []
        self.finished: list[str] = []
        """Jobs seen completed or failed: their refunds are counted, so
        they may be deleted."""
        self.template_ids: list[str] = []
        self.unknown: dict[str, dict[str, Any]] = {}
        """Creates whose outcome is unknown: key to lead."""
        self._made = 0

    def next_call(self) -> tuple[bool, Callable[[], Awaitable[object]]]:
        """The next call, and whether it is a read."""
        roll = self._random.random()
        client = self._client
        if roll < 0.25 and self.job_ids:
            job_id = self._random.choice(self.job_ids)
            return True, lambda: self._get(job_id)
        if roll < 0.4:
            return True, lambda: client.enrichments.list(limit=50).collect()
        if roll < 0.65:
            return False, self._create
        if roll < 0.85:
            return False, self._template_write
        if roll < 0.9 and self.finished:
            job_id = self.finished.pop()
            return False, lambda: client.jobs.delete(job_id)

        return True, self._first_templates

    async def _first_templates(self) -> object:
        """One page of templates: the list grows all run long."""
        templates = self._client.blueprints.customization_templates
        async for page in templates.list(limit=20).pages():
            return page

        return None

    async def _get(self, job_id: str) -> object:
        job = await self._client.jobs.get(job_id)
        if job.is_terminal and job_id in self.job_ids:
            self.job_ids.remove(job_id)
            self.finished.append(job_id)

        return job

    async def _create(self) -> object:
        self._made += 1
        domain = "gone.invalid" if self._made % 10 == 0 else "acme.com"
        lead = {"email": f"soak{self._made}@example.com"}
        lead["company_domain"] = domain
        try:
            job = await self._client.jobs.create(lead)
        except ParadigmError as exc:
            key = getattr(exc, "idempotency_key", None)
            if key is not None:
                self.unknown[key] = lead
            raise
        self.job_ids.append(job.id)

        return job

    async def _template_write(self) -> object:
        templates = self._client.blueprints.customization_templates
        if self.template_ids and self._random.random() < 0.5:
            template_id = self._random.choice(self.template_ids)
            return await templates.update(template_id, name="renamed")
        made = await templates.create(
            name="soak",
            subject_template="Hi {first_name}",
            body_template="Hello",
        )
        self.template_ids.append(made.id)

        return made


async def soak(
    *, calls: int, share: float, seed: int, concurrency: int = 32
) -> SoakReport:
    """Run `calls` mixed calls with `share` of the requests faulted."""
    report = SoakReport()
    faults = FaultMix(share=share, router_timeout=0.3, slow_seconds=0.3)
    async with Sandbox(
        rate_limit=None,
        processing_delay=0.05,
        credits=calls * 2,
        faults=faults,
        seed=seed,
    ) as sandbox:
        port = int(sandbox.url.rsplit(":", 1)[1].split("/")[0])
        async with ParadigmClient(
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            rate_limit=None,
            max_retries=4,
            timeout=10,
        ) as client:
            mix = _Mix(client, seed)
            await _run_calls(mix, calls, concurrency, report)
            await _settle(client, mix)
            credits = client.credits.snapshot()
        report.requests = len(sandbox.requests)
        account = sandbox.account()
        await asyncio.sleep(0.2)
        report.open_connections = established_to(port)
    report.client_spent = credits.spent
    report.client_refunded = credits.refunded
    report.client_uncertain = credits.uncertain
    report.sandbox_charged = account.charged
    report.sandbox_refunded = account.refunded

    return report


async def _run_calls(
    mix: _Mix, calls: int, concurrency: int, report: SoakReport
) -> None:
    slots = asyncio.Semaphore(concurrency)

    async def one(read: bool, call: Callable[[], Awaitable[object]]) -> None:
        async with slots:
            try:
                await call()
            except ParadigmError as exc:
                report.sdk_errors[type(exc).__name__] += 1
                if read:
                    report.read_errors[type(exc).__name__] += 1
            except Exception as exc:  # what the soak is looking for
                report.escaped.append(f"{type(exc).__name__}: {exc}")
            else:
                report.succeeded += 1

    tasks = []
    for _ in range(calls):
        report.calls += 1
        tasks.append(asyncio.ensure_future(one(*mix.next_call())))
        if len(tasks) >= concurrency * 4:
            await asyncio.gather(*tasks)
            tasks.clear()
    await asyncio.gather(*tasks)


async def _settle(client: ParadigmClient, mix: _Mix) -> None:
    """Send each unknown create again with its key until it answers, then
    list every job so that the ledger sees each refund."""
    for key, lead in mix.unknown.items():
        for _ in range(20):
            try:
                await client.jobs.create(lead, idempotency_key=key)
            except ParadigmError:
                continue
            break
    await asyncio.sleep(0.2)  # the last jobs finish
    for _ in range(20):
        try:
            await client.jobs.list(limit=100).collect()
        except ParadigmError:
            continue
        return
