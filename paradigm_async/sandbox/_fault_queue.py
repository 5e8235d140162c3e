"""Which fault, if any, each API request meets: bursts, scripts, draws."""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

from ._fault_mix import FaultMix
from ._faults import Fault, FaultKind

__all__ = ["FaultQueue"]


@attrs.define
class _Armed:
    fault: Fault
    remaining: int
    method: str | None
    path: str | None

    def matches(self, method: str, path: str) -> bool:
        same_method = self.method is None or self.method == method
        return same_method and (
            self.path is None or path.startswith(self.path)
        )


@attrs.define
class _Burst:
    fault: Fault
    remaining: int


class FaultQueue:
    """Faults waiting for the requests they apply to, oldest first.

    A request meets, in this order: the 429 burst under way for its API
    key, else the oldest scripted fault that matches, else what `mix`
    draws from `draw` (uniform in [0, 1)). With a mix, every request
    draws once, whichever applies, so one request's script never shifts
    the next one's draw. The pipeline asks after recording the request
    and before authentication, so a fault answers even a request
    without a key.
    """

    def __init__(
        self,
        mix: FaultMix | None = None,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._mix = mix
        self._draw = draw
        self._armed: list[_Armed] = []
        self._bursts: dict[str, _Burst] = {}

    def inject(
        self,
        fault: Fault,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Apply `fault` to the next `count` requests that match.

        `path` is a prefix of the raw request path, such as `/v1/jobs`.
        """
        if count < 1:
            raise ValueError("a fault needs count >= 1")

        upper = None if method is None else method.upper()
        self._armed.append(_Armed(fault, count, upper, path))

    def take(self, method: str, path: str, key: str) -> Fault | None:
        """Return the fault for a request with API key header `key`."""
        drawn = None if self._mix is None else self._mix.pick(self._draw())
        burst = self._continue_burst(key)
        if burst is not None:
            return burst

        fault = self._take_scripted(method, path)
        if fault is None:
            fault = drawn

        if fault is not None and fault.kind is FaultKind.RATE_LIMIT_BURST:
            self._start_burst(key, fault)

        return fault

    def _continue_burst(self, key: str) -> Fault | None:
        burst = self._bursts.get(key)
        if burst is None:
            return None

        burst.remaining -= 1
        if burst.remaining == 0:
            del self._bursts[key]

        return burst.fault

    def _start_burst(self, key: str, fault: Fault) -> None:
        # This request is the first 429 of the burst.
        if fault.burst > 1:
            self._bursts[key] = _Burst(fault, fault.burst - 1)

    def _take_scripted(self, method: str, path: str) -> Fault | None:
        for armed in self._armed:
            if armed.matches(method, path):
                armed.remaining -= 1
                if armed.remaining == 0:
                    self._armed.remove(armed)
                return armed.fault

        return None
