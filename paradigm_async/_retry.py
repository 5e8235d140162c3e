"""When a failed attempt is tried again, and how long to wait first.

The rule that keeps money safe: a create is tried again only when it
cannot have been charged. That holds when the connection failed before the
request was sent, when the answer was 429 (refused before any work), and
when the answer was the API's own JSON 500 (the public docs: credits are
"automatically refunded if the operation fails"). A timeout after sending,
a dropped connection or a host's HTML 5xx page leaves the outcome unknown,
and a create is then not tried again unless the caller opted in.
"""

from __future__ import annotations

import enum
import random
from email.utils import parsedate_to_datetime
from time import time

import attrs

__all__ = ["Failure", "RetryPolicy", "parse_reset", "parse_retry_after"]


class Failure(enum.Enum):
    """What kind of failure an attempt ended in, as retrying sees it."""

    NOT_SENT = "not_sent"
    """The connection failed before the request left."""
    UNKNOWN_OUTCOME = "unknown_outcome"
    """Sent, but no answer: timed out or cut off."""
    RATE_LIMITED = "rate_limited"
    """429: refused before any work was done."""
    API_FAILED = "api_failed"
    """The API's JSON 500: the operation failed and was refunded."""
    HOST_FAILED = "host_failed"
    """Another 5xx, or a 5xx page from the host: outcome unknown."""


_SAFE_FOR_CREATES = frozenset(
    {Failure.NOT_SENT, Failure.RATE_LIMITED, Failure.API_FAILED}
)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many times to try again, and the backoff between tries.

    Backoff doubles from `base_delay` up to `max_delay`, with jitter so
    that many callers failing together do not come back together. A
    ``Retry-After`` longer than `max_retry_after` is not waited out: the
    error is raised instead.
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 120.0
    retry_unknown_outcome: bool = False

    def should_retry(
        self, failure: Failure, *, attempt: int, idempotent: bool
    ) -> bool:
        """Whether attempt number `attempt` (from 1) may be followed."""
        if attempt > self.max_retries:
            return False
        if idempotent or failure in _SAFE_FOR_CREATES:
            return True

        return self.retry_unknown_outcome

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after attempt number `attempt` (from 1) failed."""
        if retry_after is not None:
            return retry_after + random.uniform(0, 0.1 * self.base_delay)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))

        return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time()
    if seconds != seconds:  # NaN
        return None

    return max(0.0, seconds)


def parse_reset(value: str | None) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` (unix seconds), or None."""
    if value is None:
        return None
    try:
        when = float(value.strip())
    except ValueError:
        return None
    if when != when:  # NaN
        return None

    return max(0.0, when - time())
