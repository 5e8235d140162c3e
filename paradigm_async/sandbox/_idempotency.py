"""Replays of create answers for a repeated `Idempotency-Key`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import attrs

from ._http import Answer
from ._validation import validation_error

__all__ = ["IdempotencyStore", "fingerprint"]

TTL = 24 * 60 * 60.0


@attrs.frozen
class _Kept:
    fingerprint: str
    answer: Answer
    kept_at: float


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Digest a request so that only the same request can replay.

    A JSON body is compared by meaning, so key order and spacing do not
    make a retry look like a different request.
    """
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True).encode()
    except (ValueError, RecursionError):
        canonical = body

    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)

    return digest.hexdigest()


class IdempotencyStore:
    """Answers kept per (API key, idempotency key), on the loop clock.

    The first successful answer to a create is kept for 24 hours with a
    fingerprint of the request; the same request again gets that answer
    back and is not charged again.
    """

    def __init__(self, ttl: float = TTL) -> None:
        self._ttl = ttl
        self._kept: dict[tuple[str, str], _Kept] = {}

    def answer(
        self,
        owner: str,
        key: str,
        digest: str,
        now: float,
        produce: Callable[[], Answer],
    ) -> Answer:
        """Replay the kept answer for `key`, or produce and keep one.

        Raises VALIDATION_ERROR if `key` was used for another request.
        Only 2xx answers are kept, so a failed create can be retried.
        """
        if not key:
            raise validation_error("Idempotency-Key: must not be empty")

        kept = self._find(owner, key, now)
        if kept is None:
            answer = produce()
            if 200 <= answer.status < 300:
                self._kept[owner, key] = _Kept(digest, answer, now)
            return answer

        if kept.fingerprint != digest:
            raise validation_error(
                "Idempotency-Key: already used for a different request"
            )

        return kept.answer.with_headers({"Idempotent-Replayed": "true"})

    def _find(self, owner: str, key: str, now: float) -> _Kept | None:
        kept = self._kept.get((owner, key))
        if kept is not None and now - kept.kept_at >= self._ttl:
            del self._kept[owner, key]
            return None

        return kept
