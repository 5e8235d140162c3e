"""Per-call options a client view carries: lane, queue bound, deadline.

Three budgets, kept apart: `queue_timeout` bounds the wait for a rate
slot, the client's `timeout` bounds each attempt once its slot is
granted, and `deadline` bounds the whole call, retries and backoff
included.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from ._errors import ConfigurationError

__all__ = ["CallOptions", "Priority"]

Priority = Literal["interactive", "bulk"]


def _seconds_or_none(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is None:
        return
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not value > 0
    ):
        raise ConfigurationError(
            f"{attribute.name} must be a positive number of seconds or None"
        )


def _priority(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value not in ("interactive", "bulk"):
        raise ConfigurationError(
            f"priority must be 'interactive' or 'bulk', got {value!r}"
        )


@attrs.frozen(kw_only=True)
class CallOptions:
    """How the calls of one client view wait and give up.

    `priority` ``"interactive"`` goes ahead of queued ``"bulk"`` calls
    under the same ceiling. `queue_timeout` raises `QueueTimeoutError`
    when no rate slot came in time (nothing was sent); `deadline` raises
    `APITimeoutError` when the whole call, retries included, ran out.
    """

    priority: Priority = attrs.field(default="bulk", validator=_priority)
    queue_timeout: float | None = attrs.field(
        default=None, validator=_seconds_or_none
    )
    deadline: float | None = attrs.field(
        default=None, validator=_seconds_or_none
    )
