"""The contract file, `paradigm_async/openapi.json`: it names the routing
table's operations at the price table's prices, and the sandbox answers
as it says (schemathesis, over loopback)."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from paradigm_async._credits import FREE, PRICES
from paradigm_async._routes import ROUTES
from paradigm_async.sandbox import DEFAULT_API_KEY, Sandbox

CONTRACT = resources.files("paradigm_async") / "openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
# The file's one operation that the SDK does not route: the file itself.
SELF = "contract.get"
PAID_MARK = "Costs 1 credit (standard) or 2 (premium) [doc]"
FREE_MARK = "Free [doc]"

Triple = tuple[str, str, str]


def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CONTRACT.read_text(encoding="utf-8"))

    return loaded


def _operations() -> dict[str, dict[str, Any]]:
    """Every operation of the file by operationId, with method and path."""
    found: dict[str, dict[str, Any]] = {}
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                name = operation["operationId"]
                assert name not in found, f"operationId {name} is repeated"
                found[name] = {
                    **operation,
                    "method": method.upper(),
                    "path": path,
                }

    return found


def _listing(label: str, triples: set[Triple]) -> str:
    lines = "".join(f"\n    {' '.join(t)}" for t in sorted(triples))

    return f"  {label}:{lines or ' none'}"


def test_routing_table_and_contract_name_the_same_operations() -> None:
    routed = {(op.name, op.method, op.path) for op in ROUTES.values()}
    described = {
        (name, op["method"], op["path"])
        for name, op in _operations().items()
        if name != SELF
    }

    assert routed == described, "\n".join(
        [
            "_routes.py and openapi.json differ (operationId METHOD path):",
            _listing("only in _routes.py", routed - described),
            _listing("only in openapi.json", described - routed),
        ]
    )


def test_paid_operations_match_the_price_table() -> None:
    wrong: dict[str, tuple[object, dict[str, int]]] = {}
    for name, operation in _operations().items():
        # The same lookup as `Operation.price`, so that an operation the
        # routing table lacks is still checked against the price table.
        price = (
            ROUTES[name].price if name in ROUTES else PRICES.get(name, FREE)
        )
        expected = {"standard": price.standard, "premium": price.premium}
        if operation.get("x-credits") != expected:
            wrong[name] = (operation.get("x-credits"), expected)

    assert not wrong, "x-credits (file) != price table (SDK): " + "".join(
        f"\n  {name}: {found} != {expected}"
        for name, (found, expected) in sorted(wrong.items())
    )


def test_every_operation_states_its_price_and_sources() -> None:
    for name, operation in _operations().items():
        description = operation["description"]
        assert "[doc]" in description or "[design" in description, name
        if name == SELF:
            continue
        paid = operation["x-credits"] != {"standard": 0, "premium": 0}
        assert (PAID_MARK if paid else FREE_MARK) in description, name


def test_the_file_serves_itself_without_a_key() -> None:
    operation = _operations()[SELF]

    assert (operation["method"], operation["path"]) == ("GET", "/openapi.json")
    assert operation["security"] == []
    assert _document()["security"] == [{"ApiKey": []}]


def test_the_sandbox_key_is_the_one_the_schema_sends(
    threaded_sandbox: Sandbox,
) -> None:
    # SCHEMA authenticates with DEFAULT_API_KEY; the fixture's sandbox
    # must accept it, or every check below would only see 401s.
    assert threaded_sandbox.api_key == DEFAULT_API_KEY


def _schema() -> schemathesis.BaseSchema:
    # An explicit config, so that no schemathesis.toml is picked up;
    # authentication through the file's own security scheme, so that
    # schemathesis knows when it leaves the key out on purpose; and the
    # file's links only, for the inferred ones join unrelated resources
    # through list answers, whose content depends on earlier examples.
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": {"ApiKey": {"api_key": DEFAULT_API_KEY}}},
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    )

    return schemathesis.openapi.from_path(str(CONTRACT), config=config)


SCHEMA = _schema()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    positive_data_acceptance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
# A bounded run, deterministic so that a failure repeats: the whole file
# takes well under a minute.
EXAMPLES = 20
SCENARIOS = 100
STEPS = 10


def _resolve(node: Any, document: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        for part in node["$ref"].removeprefix("#/").split("/"):
            document = document[part]
        node = document

    return node


def _mentions_email_format(node: Any, document: dict[str, Any]) -> bool:
    node = _resolve(node, document)
    if isinstance(node, dict):
        if node.get("format") == "email":
            return True
        return any(_mentions_email_format(v, document) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_email_format(v, document) for v in node)

    return False


def _email_bodies() -> frozenset[str]:
    """Labels (`POST /jobs`) of operations whose body holds an address."""
    document = _document()

    return frozenset(
        f"{op['method']} {op['path']}"
        for op in _operations().values()
        if _mentions_email_format(op.get("requestBody"), document)
    )


# The file says `format: email` and gives the shape the sandbox checks
# as `pattern` (one @, a dotted domain). Schemathesis' negative examples
# that break the format but keep the pattern (control characters, a `*`
# in the domain) are accepted, as the contract allows, so the negative
# data check is left out of the operations whose body has an address.
EMAIL_BODIES = _email_bodies()


def _checks(case: schemathesis.Case, checks: list[Any]) -> list[Any]:
    if case.operation.label in EMAIL_BODIES:
        return [
            check for check in checks if check is not negative_data_rejection
        ]

    return checks


def _whole_numbers_as_integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers_as_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers_as_integers(v) for v in value]

    return value


_FRAMING = frozenset(
    {"transfer-encoding", "content-length", "host", "connection"}
)


def _as_a_client_sends(case: schemathesis.Case) -> None:
    """Apply the two rules of the contract that JSON Schema cannot state.

    A key names one request: the same `Idempotency-Key` with another body
    is refused with 400, and generated keys repeat ("0", "00"), so each
    valid key is made unique. An integer field takes a JSON integer
    (`64`, never `64.0`), while for JSON Schema `64.0` is an integer, so
    whole floats are sent as integers. Schemathesis checks the case again
    after the change.

    The framing headers an HTTP client sets itself (`Transfer-Encoding`,
    `Content-Length`, `Host`, `Connection`) are dropped from the random
    ones: with a made-up value aiohttp's parser refuses the request, in
    plain text, before the sandbox sees it.
    """
    headers = case.headers
    for name in [n for n in headers or {} if n.lower() in _FRAMING]:
        del headers[name]
    if headers and headers.get("Idempotency-Key"):
        headers["Idempotency-Key"] += f"-{uuid.uuid4().hex}"
    if isinstance(case.body, (dict, list)):
        case.body = _whole_numbers_as_integers(case.body)


@SCHEMA.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    # One sandbox per operation, shared by that operation's examples on
    # purpose: records made by one example are there for the next.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
def test_sandbox_answers_as_the_contract_says(
    case: schemathesis.Case, threaded_sandbox: Sandbox
) -> None:
    _as_a_client_sends(case)
    case.call_and_validate(
        base_url=threaded_sandbox.url, checks=_checks(case, CHECKS)
    )


def test_sandbox_answers_as_the_contract_says_across_links(
    threaded_sandbox: Sandbox,
) -> None:
    url = threaded_sandbox.url

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        """Create, read, update and delete along the file's links."""

        def before_call(self, case: schemathesis.Case) -> None:
            _as_a_client_sends(case)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": url}

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                checks=_checks(case, STATEFUL_CHECKS),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
        )
    )
