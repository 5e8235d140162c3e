"""What the limiter's margin costs, at the real 100 per 60 s, in virtual time.

Ten virtual minutes of saturated load per row, against each sandbox
limiter model with a range of arrival jitter, for the default adaptive
margin, the fixed 1.2 s margin of earlier versions, and no margin at
all. Prints the share of the ceiling reached and the 429s drawn. The
simulation is the one the test suite uses (``tests/limiter_sim.py``):
the client's real `Limiter`, the sandbox's real limiter models and rate
headers, a virtual clock instead of sockets, so the table takes seconds.
Run: ``python benchmarks/margin_cost.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from limiter_sim import saturate
from virtual_clock import run_virtual

from paradigm_async import RateLimit
from paradigm_async.sandbox._limits import RATE_LIMIT_MODELS

DURATION = 600.0
JITTERS = (0.0, 0.1, 0.3, 0.8)
MARGINS: tuple[tuple[str, float | None], ...] = (
    ("adaptive (default)", None),
    ("fixed 1.2 s", 1.2),
    ("none", 0.0),
)
SEEDS = (1, 2, 3)


def main() -> None:
    """Print one row per margin, server model and jitter."""
    print(
        f"{'margin':<19} {'server model':<15} {'jitter':>6} "
        f"{'of ceiling':>10} {'429s':>5}"
    )
    for label, margin in MARGINS:
        for model in RATE_LIMIT_MODELS:
            for jitter in JITTERS:
                share, rejected = _rows(model, margin, jitter)
                print(
                    f"{label:<19} {model:<15} {jitter:>5.1f}s "
                    f"{share:>9.1%} {rejected:>5}"
                )


def _rows(
    model: str, margin: float | None, jitter: float
) -> tuple[float, int]:
    """The worst share and the total 429s over the seeds."""
    shares: list[float] = []
    rejected = 0
    for seed in SEEDS:
        result = run_virtual(
            saturate(
                model,
                rate=RateLimit(margin=margin),
                jitter=jitter,
                duration=DURATION,
                seed=seed,
            ),
            limit=DURATION + 120,
        )
        shares.append(result.share_of_ceiling)
        rejected += result.rejected

    return min(shares), rejected


if __name__ == "__main__":
    main()
