"""A short soak: 1,000 mixed calls with a tenth of the requests faulted.

``benchmarks/soak.py`` runs the same for 10,000 calls and prints it.
"""

from __future__ import annotations

from soak_run import soak


async def test_a_thousand_calls_under_faults_end_well() -> None:
    report = await soak(calls=1000, share=0.1, seed=11)

    assert report.escaped == [], "only the SDK's own errors may come out"
    assert report.succeeded + sum(report.sdk_errors.values()) == 1000
    assert report.succeeded >= 900
    # Reads are retried: a tenth of requests faulted, nearly none fail.
    assert sum(report.read_errors.values()) <= 2
    assert report.requests > 1000, "the faults made retries happen"
    assert report.client_uncertain == 0
    assert report.client_spent == report.sandbox_charged > 0
    assert report.client_refunded == report.sandbox_refunded > 0
    assert report.open_connections == 0
