"""Collecting the answers of calls made inside a ``with`` block."""

from __future__ import annotations

import weakref
from contextvars import ContextVar, Token

from ._exchange import APIResponse

__all__ = ["ResponseCapture", "record"]


class ResponseCapture:
    """The answers of one client's calls made inside a ``with`` block.

    Made by `ParadigmClient.capture_responses`. The block's context, and
    the tasks started inside it, share this one list.
    """

    def __init__(self, owner: object) -> None:
        self.owner = owner
        self.responses: list[APIResponse] = []
        self._tokens: list[
            Token[tuple[weakref.ref[ResponseCapture], ...]]
        ] = []

    @property
    def last(self) -> APIResponse:
        """The most recent answer; `IndexError` if there is none yet."""
        return self.responses[-1]

    def __enter__(self) -> ResponseCapture:
        active = (*_captures.get(), weakref.ref(self))
        self._tokens.append(_captures.set(active))

        return self

    def __exit__(self, *exc_info: object) -> None:
        token = self._tokens.pop()
        try:
            _captures.reset(token)
        except ValueError:  # left in another context than it was entered
            _captures.set(
                tuple(ref for ref in _captures.get() if ref() is not self)
            )


# Weak references: asyncio copies the context into the callbacks of the
# connections a block opens, which outlive the block.
_captures: ContextVar[tuple[weakref.ref[ResponseCapture], ...]] = ContextVar(
    "paradigm_async_captures", default=()
)


def record(owner: object, response: APIResponse) -> None:
    """Add `response` to each open capture of `owner` in this context.

    `owner` is the client's transport family, shared by its views.
    """
    for ref in _captures.get():
        capture = ref()
        if capture is not None and capture.owner is owner:
            capture.responses.append(response)
