"""What every resource group shares: sending an operation by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._credits import CreditLedger, Price
from .._routes import ROUTES
from .._transport import Request, Response, Transport

__all__ = ["Context", "Resource", "prices_of"]


@attrs.frozen
class Context:
    """What a resource needs from its client: the transport and ledger."""

    transport: Transport
    credits: CreditLedger


class Resource:
    """A group of endpoints; subclasses describe them, this sends them."""

    def __init__(self, context: Context) -> None:
        self._context = context

    async def _send(
        self,
        operation: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Response:
        route = ROUTES[operation]
        request = Request(
            method=route.method,
            path=route.render(path_params or {}),
            params=params,
            json=json,
            idempotent=route.idempotent,
            idempotency_key=idempotency_key,
        )

        return await self._context.transport.send(request)


def prices_of(group: str, *methods: str) -> Mapping[str, Price]:
    """The price of each of a group's methods, from the routing table."""
    return {method: ROUTES[f"{group}.{method}"].price for method in methods}
