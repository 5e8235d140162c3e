"""A bulk run of many generated leads: throughput, peak memory, polling.

Starts the sandbox in a child process on 127.0.0.1 (rate limit off, so
that the client is what is measured, and its records are not in this
process's memory), then runs ``client.enrichments.create_many`` over
generated leads, waiting on each enrichment. Prints leads a second, the
client process's peak resident memory, and the requests spent per lead:
creates, and polls per enrichment finished.

Run: ``python benchmarks/bulk.py`` (100,000 leads, a few minutes), or
``python benchmarks/bulk.py --leads 5000`` for a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from paradigm_async import ParadigmClient


class _Counter(logging.Handler):
    """Counts the client's requests by method, from its INFO log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_method: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        method = getattr(record, "paradigm.method", None)
        if method is not None:
            self.by_method[method] += 1


def _leads(count: int) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {
            "email": f"lead{i}@example.com",
            "first_name": f"Lead{i}",
            "company_domain": f"company{i % 997}.com",
        }


async def _run(url: str, key: str, args: argparse.Namespace) -> None:
    counter = _Counter()
    transport_log = logging.getLogger("paradigm_async.transport")
    transport_log.addHandler(counter)
    transport_log.setLevel(logging.INFO)
    transport_log.propagate = False
    ok = failed = 0
    started = time.perf_counter()
    async with ParadigmClient(
        api_key=key, base_url=url, rate_limit=None, max_connections=64
    ) as client:
        async for result in client.enrichments.create_many(
            _leads(args.leads),
            concurrency=args.concurrency,
            poll_interval=args.poll_interval,
        ):
            if result.ok:
                ok += 1
            else:
                failed += 1
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    creates = counter.by_method["POST"]
    polls = counter.by_method["GET"]

    print(f"{'leads':<34} {args.leads:>10,}")
    print(f"{'completed / errors':<34} {ok:>10,} / {failed:,}")
    print(f"{'concurrency':<34} {args.concurrency:>10}")
    print(f"{'seconds':<34} {seconds:>10.1f}")
    print(f"{'leads a second':<34} {args.leads / seconds:>10.0f}")
    print(f"{'peak memory of the client (MB)':<34} {peak_mb:>10.1f}")
    print(f"{'creates sent':<34} {creates:>10,}")
    print(f"{'polling requests per lead finished':<34} {polls / ok:>10.2f}")


def main() -> None:
    """Start the child sandbox, run the bulk job, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument("--processing-delay", type=float, default=0.2)
    args = parser.parse_args()
    child = subprocess.Popen(
        [
            sys.executable, "-m", "paradigm_async.cli", "sandbox",
            "--host", "127.0.0.1", "--port", "0", "--rate-limit", "off",
            "--processing-delay", str(args.processing_delay),
            "--credits", str(args.leads + 1),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        url = child.stdout.readline().rsplit(" ", 1)[-1].strip()
        key = child.stdout.readline().rsplit(" ", 1)[-1].strip()
        asyncio.run(_run(url, key, args))
    finally:
        child.terminate()
        child.wait(10)


if __name__ == "__main__":
    main()
