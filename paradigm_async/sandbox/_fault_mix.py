"""Random faults: a share of a run's requests fail, reproducibly."""

from __future__ import annotations

import math
import types
from collections.abc import Mapping

import attrs

from ._faults import HEROKU_ROUTER_TIMEOUT, Fault, FaultKind

__all__ = ["DEFAULT_WEIGHTS", "FaultMix"]

DEFAULT_WEIGHTS: Mapping[FaultKind, float] = types.MappingProxyType(
    {
        FaultKind.JSON_500: 1.0,
        FaultKind.HTML_502: 1.0,
        FaultKind.HTML_503: 1.0,
        FaultKind.HTML_504: 1.0,
        FaultKind.ROUTER_CUT: 1.0,
        FaultKind.RESET_MID_BODY: 1.0,
        FaultKind.TRUNCATED_JSON: 1.0,
        FaultKind.SLOW_FIRST_BYTE: 1.0,
        FaultKind.RATE_LIMIT_BURST: 1.0,
        FaultKind.JSON_AS_HTML: 1.0,
        FaultKind.HTML_AS_JSON: 1.0,
    }
)
"""The failures the live API and its host show, each equally likely."""


def _read_only(
    weights: Mapping[FaultKind, float],
) -> Mapping[FaultKind, float]:
    return types.MappingProxyType(dict(weights))


@attrs.frozen
class FaultMix:
    """Fault a random `share` of API requests, of kinds drawn by weight.

    Give it to `Sandbox(faults=..., seed=...)`. Each API request (never
    a `/_sandbox/` control) draws one number from the sandbox's seeded
    generator, so a seed repeats the same faults on the same sequence
    of requests. A scripted fault or a 429 burst under way wins over the
    draw, which is made all the same so later draws do not shift.

    `weights` gives each kind's relative odds; a kind left out never
    happens. Every kind but `ERROR` may be drawn; `FaultKind` says which
    happen before the work (nothing charged) and which after it (a
    create is charged and listed). The other fields shape the kinds
    that need a number: `router_timeout` seconds before a router cut's
    503 (Heroku's 30 by default), `slow_seconds` of `slow_first_byte`
    and `delay`, `burst` 429s in a row for one key, and their
    `retry_after` (also that of `rate_limited`).

    Raises ValueError for a share outside 0 to 1, a negative, infinite
    or all-zero weight, `ERROR` or a non-kind among the weights, or a
    bad number of seconds or requests.
    """

    share: float
    weights: Mapping[FaultKind, float] = attrs.field(
        default=DEFAULT_WEIGHTS, converter=_read_only
    )
    router_timeout: float = HEROKU_ROUTER_TIMEOUT
    slow_seconds: float = 2.0
    burst: int = 3
    retry_after: int = 1

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValueError("share must be a number from 0 to 1")

        _check_weights(self.weights)
        for name in ("router_timeout", "slow_seconds"):
            if not 0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be finite seconds >= 0")

        if self.burst < 1:
            raise ValueError("burst must be at least 1 request")

        if self.retry_after < 0:
            raise ValueError("retry_after cannot be negative")

    def pick(self, draw: float) -> Fault | None:
        """Return the fault for `draw`, uniform in [0, 1), or None.

        One draw decides both whether to fault and which kind: below
        `share` it is spread again over [0, 1) and laid across the
        weights in `FaultKind`'s order, so the order of `weights` does
        not change the outcome of a seed.
        """
        if not draw < self.share:
            return None

        weighted = [(k, self.weights.get(k, 0.0)) for k in FaultKind]
        chosen = [(k, w) for k, w in weighted if w > 0]
        point = draw / self.share * sum(w for _, w in chosen)
        for kind, weight in chosen:
            if point < weight:
                return self.fault(kind)
            point -= weight

        # Rounding can leave the point just past the last weight.
        return self.fault(chosen[-1][0])

    def fault(self, kind: FaultKind) -> Fault:
        """Return the fault of `kind` with this mix's numbers."""
        match kind:
            case FaultKind.JSON_500:
                return Fault.json_500()
            case FaultKind.HTML_502:
                return Fault.html_502()
            case FaultKind.HTML_503:
                return Fault.html_503()
            case FaultKind.HTML_504:
                return Fault.html_504()
            case FaultKind.HTML_AS_JSON:
                return Fault.html_as_json()
            case FaultKind.RATE_LIMITED:
                return Fault.rate_limited(self.retry_after)
            case FaultKind.RATE_LIMIT_BURST:
                return Fault.rate_limit_burst(self.burst, self.retry_after)
            case FaultKind.DROP_BEFORE:
                return Fault.drop_before()
            case FaultKind.DROP_AFTER:
                return Fault.drop_after()
            case FaultKind.DELAY:
                return Fault.delay(self.slow_seconds)
            case FaultKind.ROUTER_CUT:
                return Fault.router_cut(self.router_timeout)
            case FaultKind.SLOW_FIRST_BYTE:
                return Fault.slow_first_byte(self.slow_seconds)
            case FaultKind.RESET_MID_BODY:
                return Fault.reset_mid_body()
            case FaultKind.TRUNCATED_JSON:
                return Fault.truncated_json()
            case FaultKind.JSON_AS_HTML:
                return Fault.json_as_html()
            case FaultKind.ERROR:
                raise ValueError("an ERROR fault needs a status and code")


def _check_weights(weights: Mapping[FaultKind, float]) -> None:
    for kind, weight in weights.items():
        if not isinstance(kind, FaultKind):
            raise ValueError(f"weights: {kind!r} is not a FaultKind")

        if kind is FaultKind.ERROR:
            raise ValueError("weights: ERROR needs a status and code")

        if not 0 <= weight < math.inf:
            message = f"weights: {kind.name} must be finite and >= 0"
            raise ValueError(message)

    if not any(weights.values()):
        raise ValueError("weights must give some kind a weight above 0")
