"""Matches raw request paths to handlers, one undecoded segment at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import unquote

import attrs

from ._http import Answer, ApiError

__all__ = ["Call", "Handler", "Route", "Router", "split_target"]


@attrs.frozen
class Call:
    """What a handler may know about the request it answers."""

    key: str
    params: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    body: bytes
    now: float


Handler = Callable[[Call], Answer]


@attrs.frozen
class Route:
    """One method on one path template such as `/v1/jobs/{id}`.

    `creates` marks the routes whose answers honour `Idempotency-Key`.
    """

    method: str
    template: str
    handler: Handler
    creates: bool = False

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Return the decoded parameters if `segments` fit the template."""
        expected = self.template.split("/")
        if len(expected) != len(segments):
            return None

        params: dict[str, str] = {}
        for want, raw in zip(expected, segments, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not raw:
                    return None
                params[want[1:-1]] = unquote(raw)
            elif want != raw:
                return None

        return params


class Router:
    """A route table that answers 404 and 405 in the error envelope.

    The raw path is split on `/` before anything is decoded, and each
    parameter segment is decoded exactly once, so an id such as `a/b`
    (sent as `a%2Fb`) or `..` stays one opaque value and can never reach
    another route.
    """

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = tuple(routes)

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """Return the route for `method` on the raw `path`, with params."""
        segments = path.split("/")
        allowed: list[str] = []
        for route in self._routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method:
                return route, params
            allowed.append(route.method)

        if allowed:
            listed = ", ".join(sorted(set(allowed)))
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{method} is not allowed on {path}; allowed: {listed}",
                headers={"Allow": listed},
            )

        raise ApiError(404, "NOT_FOUND", f"no route matches {path}")

    def serves(self, path: str) -> bool:
        """Say whether some route fits the raw `path`, by any method."""
        segments = path.split("/")

        return any(route.match(segments) is not None for route in self._routes)


def split_target(target: str) -> tuple[str, str]:
    """Split a raw request target into its raw path and raw query."""
    path, _, query = target.partition("?")

    return path, query
