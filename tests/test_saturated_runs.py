"""Ten virtual minutes at full load, with the default configuration.

Against each sandbox limiter model, with arrival jitter up to 0.8 s:
zero 429s at no less than 97% of the ceiling; without jitter, against
the strict sliding window, no less than 99%.
"""

from __future__ import annotations

import pytest
from limiter_sim import busiest, saturate
from virtual_clock import run_virtual

from paradigm_async import RateLimit
from paradigm_async.sandbox._limits import RATE_LIMIT_MODELS

TEN_MINUTES = 600.0


@pytest.mark.parametrize("model", RATE_LIMIT_MODELS)
@pytest.mark.parametrize("jitter", [0.05, 0.3, 0.8])
@pytest.mark.parametrize("seed", [1, 2])
def test_ten_saturated_minutes_draw_no_429_under_jitter(
    model: str, jitter: float, seed: int
) -> None:
    rate = RateLimit()
    result = run_virtual(
        saturate(
            model, rate=rate, jitter=jitter, duration=TEN_MINUTES, seed=seed
        ),
        limit=TEN_MINUTES + 120,
    )

    assert result.rejected == 0
    assert result.share_of_ceiling >= 0.97
    assert busiest(result.sent, rate.seconds) <= rate.requests


def test_without_jitter_the_sliding_window_gets_99_percent() -> None:
    rate = RateLimit()
    result = run_virtual(
        saturate(
            "sliding_window", rate=rate, jitter=0.0, duration=TEN_MINUTES
        ),
        limit=TEN_MINUTES + 120,
    )

    assert result.rejected == 0
    assert result.share_of_ceiling >= 0.99
    assert busiest(result.arrived, rate.seconds) <= rate.requests


def test_a_fixed_margin_below_the_jitter_is_caught() -> None:
    """The simulation can fail: no margin at all under 0.8 s of jitter
    draws 429s from the strict sliding window."""
    rate = RateLimit(margin=0.0)
    result = run_virtual(
        saturate(
            "sliding_window", rate=rate, jitter=0.8, duration=TEN_MINUTES
        ),
        limit=TEN_MINUTES + 120,
    )

    assert result.rejected > 0
