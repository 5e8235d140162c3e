"""`NOT_GIVEN`: the default that tells "leave it as it is" from `None`.

A partial update sends only the fields the caller passed. Passing `None`
clears a field; leaving it out, which defaults to `NOT_GIVEN`, keeps it.
"""

from __future__ import annotations

import enum
from typing import Final, Literal

__all__ = ["NOT_GIVEN", "NotGiven"]


class NotGiven(enum.Enum):
    """The type of `NOT_GIVEN`, for annotations."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
