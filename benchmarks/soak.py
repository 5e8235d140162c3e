"""10,000 mixed calls against a sandbox that faults a tenth of requests.

Reads, paid creates (a tenth for leads the sandbox fails and refunds),
template writes and deletes, 32 at a time, with every fault kind the
sandbox knows (JSON 500s, HTML 502/503/504, router cuts, resets mid-body,
truncated JSON, slow first bytes, 429 bursts, wrong content types). The
run is ``tests/soak_run.py``, which ``tests/test_soak.py`` runs for 1,000
calls. Prints how each call ended, whether any exception other than the
SDK's own escaped, the client's ledger beside the sandbox's, and the
connections left open.
Run: ``python benchmarks/soak.py [--calls N] [--share 0.1] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from soak_run import soak


def main() -> None:
    """Run the soak and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    report = asyncio.run(
        soak(calls=args.calls, share=args.share, seed=args.seed)
    )
    seconds = time.perf_counter() - started
    rows = [
        ("calls", f"{report.calls:,}"),
        ("requests sent (with retries)", f"{report.requests:,}"),
        ("faulted share of requests", f"{args.share:.0%}"),
        ("calls that succeeded", f"{report.succeeded:,}"),
        *(
            (f"  ended in {name}", f"{count:,}")
            for name, count in report.sdk_errors.most_common()
        ),
        ("reads that ended in an error",
         f"{sum(report.read_errors.values())}"),
        ("other exceptions escaped", f"{len(report.escaped)}"),
        ("credits charged: client / sandbox",
         f"{report.client_spent} / {report.sandbox_charged}"),
        ("credits refunded: client / sandbox",
         f"{report.client_refunded} / {report.sandbox_refunded}"),
        ("credits still uncertain", f"{report.client_uncertain}"),
        ("connections open at the end", f"{report.open_connections}"),
        ("seconds", f"{seconds:.0f}"),
    ]  # fmt: skip
    for name, value in rows:
        print(f"{name:<36} {value:>12}")
    for line in report.escaped[:10]:
        print(f"escaped: {line}")


if __name__ == "__main__":
    main()
