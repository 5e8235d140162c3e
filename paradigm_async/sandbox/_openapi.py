"""The contract's own OpenAPI file, served as the package ships it."""

from __future__ import annotations

from importlib import resources

from ._http import Answer, ApiError
from ._routing import Call, Route
from ._validation import reject_query

__all__ = ["OPENAPI_PATH", "openapi_routes", "read_contract"]

OPENAPI_PATH = "/v1/openapi.json"


def read_contract() -> bytes | None:
    """Return the bytes of `paradigm_async/openapi.json`, or None.

    It is package data, read as a file, so serving it takes no import
    from the client side.
    """
    source = resources.files("paradigm_async").joinpath("openapi.json")
    try:
        return source.read_bytes()
    except FileNotFoundError:
        return None


def openapi_routes() -> list[Route]:
    """Return the route table of the file: public, so no key, no limit."""
    return [Route("GET", OPENAPI_PATH, _serve_contract)]


def _serve_contract(call: Call) -> Answer:
    """Answer the OpenAPI file as it is, or 404 if it is not installed."""
    reject_query(call.query)
    contract = read_contract()
    if contract is None:
        raise ApiError(404, "NOT_FOUND", "no OpenAPI file is installed")

    return Answer(status=200, body=contract)
