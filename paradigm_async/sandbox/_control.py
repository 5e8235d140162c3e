"""The sandbox's own HTTP controls, outside the API under `/v1`."""

from __future__ import annotations

from ._http import Answer, json_answer
from ._ledger import Ledger
from ._routing import Call, Route
from ._validation import reject_query

__all__ = ["control_routes"]


def control_routes(ledger: Ledger) -> list[Route]:
    """Return the route table of the sandbox's controls.

    `GET /_sandbox/account` shows the caller's ledger, so that another
    process (the command line, a benchmark) can check what it was
    charged and refunded.
    """

    def account(call: Call) -> Answer:
        reject_query(call.query)
        snapshot = ledger.account(call.key)
        data = {
            "balance": snapshot.balance,
            "charged": snapshot.charged,
            "refunded": snapshot.refunded,
        }

        return json_answer({"data": data})

    return [Route("GET", "/_sandbox/account", account)]
