"""A catalogue of hostile input and hostile answers, and what each gets.

Input the SDK can know is wrong is refused with its own typed error
before anything is sent: the sandbox sees no request and nothing is
charged. Input it cannot judge (an id is opaque) is sent exactly as
meant, as one encoded path segment. A hostile answer, from a small
loopback server, becomes a `DecodeError` naming the field, a typed
`APIError`, or a tolerant parse where the contract allows one: never a
different value.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from holding import holds
from lying_server import lying_server

from paradigm_async import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    InvalidInputError,
    Lead,
    NotFoundError,
    ParadigmClient,
    ServerError,
    TemplateField,
    ValidationError,
    _json,
    encode_segment,
)
from paradigm_async._models import unstructure
from paradigm_async.sandbox import Sandbox

Call = Callable[[Any], Awaitable[object]]
IdCall = Callable[[Any, Any], Awaitable[object]]

LEAD = {"email": "ada@example.com"}
MB = 1024 * 1024


def assert_nothing_sent(sandbox: Sandbox, client: ParadigmClient) -> None:
    """No request reached the sandbox, and no credit moved anywhere."""
    assert list(sandbox.requests) == []
    assert sandbox.account().charged == 0
    assert client.credits.spent == 0
    assert client.credits.uncertain == 0


# Input side: ids ------------------------------------------------------

ID_OPERATIONS: dict[str, tuple[str, IdCall]] = {
    "jobs.get": ("/v1/jobs", lambda c, i: c.jobs.get(i)),
    "jobs.delete": ("/v1/jobs", lambda c, i: c.jobs.delete(i)),
    "jobs.wait": ("/v1/jobs", lambda c, i: c.jobs.wait(i, timeout=0)),
    "enrichments.get": ("/v1/enrichments", lambda c, i: c.enrichments.get(i)),
    "enrichments.delete": (
        "/v1/enrichments", lambda c, i: c.enrichments.delete(i)
    ),
    "enrichment_templates.update": (
        "/v1/blueprints/enrichment-templates",
        lambda c, i: c.blueprints.enrichment_templates.update(i, name="x"),
    ),
    "customization_templates.get": (
        "/v1/blueprints/customization-templates",
        lambda c, i: c.blueprints.customization_templates.get(i),
    ),
    "email_auto_responders.delete": (
        "/v1/auto-responders/email",
        lambda c, i: c.auto_responders.email.delete(i),
    ),
    "linkedin_auto_responders.update": (
        "/v1/auto-responders/linkedin",
        lambda c, i: c.auto_responders.linkedin.update(i, enabled=True),
    ),
    "request": (
        "/v1/jobs",
        lambda c, i: c.request("GET", "/jobs/" + encode_segment(i)),
    ),
}  # fmt: skip

REFUSED_IDS = {
    "empty": "",
    "none": None,
    "integer": 12,
    "bytes": b"job_1",
    "lone-surrogate": "job_\ud800",
    "very-long": "j" * 1025,
    "long-once-encoded": "é" * 171,  # 1026 characters as %C3%A9...
    "dot-dot": "..",  # a step up once a proxy normalises %2E%2E
    "dot": ".",
}

SENT_IDS = {
    "slash": "a/b",
    "dot-dot-slash": "../admin",
    "query": "a?b=1&limit=100",
    "fragment": "a#b",
    "percent": "100%",
    "pre-encoded": "a%2Fb",
    "spaces": " a b ",
    "unicode": "zoë-日本",
    "crlf": "a\r\nX-Evil: 1",
    "nul": "\x00",
    "longest-allowed": "j" * 1024,
}


@pytest.mark.parametrize("bad_id", REFUSED_IDS.values(), ids=REFUSED_IDS)
@pytest.mark.parametrize(
    "operation", ID_OPERATIONS.values(), ids=ID_OPERATIONS
)
async def test_ids_that_cannot_be_meant_are_refused_before_sending(
    sandbox: Sandbox,
    client: ParadigmClient,
    operation: tuple[str, IdCall],
    bad_id: object,
) -> None:
    _, call = operation

    with pytest.raises(InvalidInputError, match="id"):
        await call(client, bad_id)

    assert_nothing_sent(sandbox, client)


SENT = [
    pytest.param(operation, odd_id, id=f"{name}-{kind}")
    for name, operation in ID_OPERATIONS.items()
    for kind, odd_id in SENT_IDS.items()
]


@pytest.mark.parametrize(("operation", "odd_id"), SENT)
async def test_any_other_id_is_sent_as_exactly_one_segment(
    sandbox: Sandbox,
    client: ParadigmClient,
    operation: tuple[str, IdCall],
    odd_id: str,
) -> None:
    """It can reach no other path and add no query: the server says 404."""
    prefix, call = operation

    with pytest.raises(NotFoundError):
        await call(client, odd_id)

    [request] = sandbox.requests
    assert request.path.startswith(prefix + "/")
    segment = request.path.removeprefix(prefix + "/")
    assert not set(segment) & set("/?#\r\n\0 ")
    assert segment not in {".", ".."}
    assert unquote(segment) == odd_id
    assert request.query_string == ""
    assert sandbox.account().charged == 0


# Input side: everything else the SDK refuses --------------------------

BAD_KEYS = {
    "crlf": "k\r\nX-Evil: 1",
    "lf": "k\nX-Evil: 1",
    "cr": "k\r",
    "empty": "",
    "space": "k y",
    "tab": "k\ty",
    "non-ascii": "clé",
    "too-long": "k" * 256,
    "integer": 5,
    "bytes": b"k",
}
KEYED_CREATES: dict[str, Callable[[Any, Any], Awaitable[object]]] = {
    "jobs": lambda c, k: c.jobs.create(LEAD, idempotency_key=k),
    "enrichments": lambda c, k: c.enrichments.create(LEAD, idempotency_key=k),
    "templates": lambda c, k: c.blueprints.enrichment_templates.create(
        name="x", idempotency_key=k
    ),
    "request": lambda c, k: c.request(
        "POST", "/jobs", json={"lead": LEAD}, idempotency_key=k
    ),
}


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=BAD_KEYS)
@pytest.mark.parametrize("create", KEYED_CREATES.values(), ids=KEYED_CREATES)
async def test_idempotency_keys_that_could_inject_headers_are_refused(
    sandbox: Sandbox,
    client: ParadigmClient,
    create: Callable[[Any, Any], Awaitable[object]],
    key: object,
) -> None:
    with pytest.raises(InvalidInputError, match="idempotency_key"):
        await create(client, key)

    assert_nothing_sent(sandbox, client)


LISTS: dict[str, Callable[[Any, Any], Any]] = {
    "jobs": lambda c, n: c.jobs.list(limit=n),
    "enrichments": lambda c, n: c.enrichments.list(status=None, limit=n),
    "enrichment_templates": (
        lambda c, n: c.blueprints.enrichment_templates.list(limit=n)
    ),
    "customization_templates": (
        lambda c, n: c.blueprints.customization_templates.list(limit=n)
    ),
    "email_auto_responders": (
        lambda c, n: c.auto_responders.email.list(limit=n)
    ),
    "linkedin_auto_responders": (
        lambda c, n: c.auto_responders.linkedin.list(limit=n)
    ),
}
BAD_LIMITS = {
    "zero": 0,
    "negative": -1,
    "over-100": 101,
    "huge": 10**100,
    "fraction": 2.5,
    "whole-float": 20.0,
    "nan": float("nan"),
    "string": "20",
    "bool": True,
    "none": None,
}


@pytest.mark.parametrize("limit", BAD_LIMITS.values(), ids=BAD_LIMITS)
@pytest.mark.parametrize("listing", LISTS.values(), ids=LISTS)
async def test_page_sizes_outside_1_to_100_are_refused_before_sending(
    sandbox: Sandbox,
    client: ParadigmClient,
    listing: Callable[[Any, Any], Any],
    limit: object,
) -> None:
    with pytest.raises(InvalidInputError, match="limit"):
        await listing(client, limit).collect()

    assert_nothing_sent(sandbox, client)


templates = "blueprints.enrichment_templates"
REFUSED: list[Any] = [
    # Leads of the wrong type or shape.
    ("lead-string", lambda c: c.jobs.create("ada@example.com")),
    ("lead-none", lambda c: c.jobs.create(None)),
    ("lead-pairs", lambda c: c.jobs.create([("email", "a@b.co")])),
    ("lead-email-null", lambda c: c.jobs.create({"email": None})),
    ("lead-email-number", lambda c: c.enrichments.create({"email": 5})),
    ("lead-email-list", lambda c: c.jobs.create({"email": ["a@b.co"]})),
    ("lead-email-crlf", lambda c: c.jobs.create(
        {"email": "a@b.co\r\nBcc: x@evil.example"})),
    ("lead-email-empty", lambda c: c.jobs.create({"email": ""})),
    ("lead-email-huge", lambda c: c.jobs.create({"email": "a" * MB})),
    ("lead-field-number", lambda c: c.jobs.create(
        {**LEAD, "first_name": 12})),
    ("lead-field-bytes", lambda c: c.jobs.create(
        {**LEAD, "title": b"None"})),
    ("lead-custom-fields-list", lambda c: c.jobs.create(
        {**LEAD, "custom_fields": ["a"]})),
    ("lead-custom-fields-number", lambda c: c.jobs.create(
        {**LEAD, "custom_fields": {"k": 1}})),
    ("lead-custom-fields-null", lambda c: c.jobs.create(
        {**LEAD, "custom_fields": {"k": None}})),
    ("lead-unknown-field", lambda c: c.jobs.create(
        {**LEAD, "phone": "1"})),
    ("Lead-custom-fields-list", lambda c: c.jobs.create(
        Lead(email="a@b.co", custom_fields=["a"]))),
    ("Lead-extra-not-a-mapping", lambda c: c.enrichments.create(
        Lead(email="a@b.co", extra=5))),
    ("Lead-email-null", lambda c: c.jobs.create(Lead(email=None))),
    # Research modes, template ids and status filters.
    ("mode-none", lambda c: c.jobs.create(LEAD, research_mode=None)),
    ("mode-upper", lambda c: c.jobs.create(LEAD, research_mode="PREMIUM")),
    ("mode-number", lambda c: c.enrichments.create(LEAD, research_mode=2)),
    ("mode-list", lambda c: c.jobs.create(LEAD, research_mode=["premium"])),
    ("template-id-empty", lambda c: c.jobs.create(
        LEAD, customization_template_id="")),
    ("template-id-number", lambda c: c.enrichments.create(
        LEAD, enrichment_template_id=7)),
    ("template-id-list", lambda c: c.jobs.create(
        LEAD, enrichment_template_id=["et_1"])),
    ("status-unknown", lambda c: c.jobs.list(status="done").collect()),
    ("status-upper", lambda c: c.jobs.list(status="COMPLETED").collect()),
    ("status-empty", lambda c: c.enrichments.list(status="").collect()),
    ("status-number", lambda c: c.jobs.list(status=1).collect()),
    # Editable resources: names, flags, delays, tones, fields.
    ("name-empty", lambda c: c.blueprints.enrichment_templates.create(
        name="")),
    ("name-null", lambda c: c.blueprints.customization_templates.create(
        name=None)),
    ("name-bytes", lambda c: c.auto_responders.linkedin.create(
        name=b"x", linkedin_account="x")),
    ("name-list", lambda c: c.blueprints.enrichment_templates.create(
        name=["x"])),
    ("enabled-number", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", enabled=1)),
    ("enabled-string", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", enabled="false")),
    ("delay-string", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", reply_delay_minutes="5")),
    ("delay-whole-float", lambda c: c.auto_responders.linkedin.create(
        name="x", linkedin_account="x", reply_delay_minutes=5.0)),
    ("delay-bool", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", reply_delay_minutes=True)),
    ("delay-huge", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", reply_delay_minutes=10**100)),
    ("delay-null", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co", reply_delay_minutes=None)),
    ("mailbox-list", lambda c: c.auto_responders.email.create(
        name="x", mailbox=["a@b.co"])),
    ("mailbox-crlf", lambda c: c.auto_responders.email.create(
        name="x", mailbox="a@b.co\r\nBcc: x@evil.example")),
    ("tone-number", lambda c: c.blueprints.customization_templates.create(
        name="x", tone=1)),
    ("tone-capitalised", lambda c: c.blueprints.customization_templates
        .create(name="x", tone="Friendly")),
    ("fields-string", lambda c: c.blueprints.enrichment_templates.create(
        name="x", fields="tech_stack")),
    ("fields-object", lambda c: c.blueprints.enrichment_templates.create(
        name="x", fields={"name": "tech_stack"})),
    ("fields-item-string", lambda c: c.blueprints.enrichment_templates
        .create(name="x", fields=["tech_stack"])),
    ("fields-item-name-null", lambda c: c.blueprints.enrichment_templates
        .create(name="x", fields=[{"name": None}])),
    ("TemplateField-extra-list", lambda c: c.blueprints.enrichment_templates
        .create(name="x", fields=[TemplateField(name="a", extra=[1])])),
    ("text-number", lambda c: c.blueprints.customization_templates.create(
        name="x", instructions=5)),
    ("update-nothing", lambda c: c.auto_responders.email.update("ear_1")),
    ("update-clear-required", lambda c: c.auto_responders.email.update(
        "ear_1", mailbox=None)),
    # Waits.
    ("wait-timeout-negative", lambda c: c.jobs.wait("job_1", timeout=-1)),
    ("wait-timeout-nan", lambda c: c.jobs.wait(
        "job_1", timeout=float("nan"))),
    ("wait-timeout-string", lambda c: c.enrichments.wait(
        "enr_1", timeout="5")),
    ("wait-interval-zero", lambda c: c.jobs.wait("job_1", poll_interval=0)),
    ("wait-interval-bool", lambda c: c.jobs.wait(
        "job_1", poll_interval=True)),
    # Raw requests.
    ("raw-method", lambda c: c.request("TRACE", "/jobs")),
    ("raw-relative-path", lambda c: c.request("GET", "jobs")),
    ("raw-absolute-url", lambda c: c.request(
        "GET", "https://elsewhere.example/v1/jobs")),
    ("raw-query-in-path", lambda c: c.request("GET", "/jobs?limit=100")),
    ("raw-fragment", lambda c: c.request("GET", "/jobs#x")),
    ("raw-dot-dot", lambda c: c.request("GET", "/jobs/../admin")),
    ("raw-encoded-dot-dot", lambda c: c.request("GET", "/jobs/%2e%2E/x")),
    ("raw-empty-segment", lambda c: c.request("GET", "/jobs//x")),
    ("raw-crlf", lambda c: c.request("GET", "/jobs\r\nX-Evil: 1")),
    ("raw-param-object", lambda c: c.request(
        "GET", "/jobs", params={"limit": object()})),
    ("raw-param-pairs", lambda c: c.request(
        "GET", "/jobs", params=[("limit", 1)])),
    ("raw-body-object", lambda c: c.request("POST", "/jobs", json=object())),
    ("raw-body-set", lambda c: c.request("POST", "/jobs", json={"a": {1}})),
    ("raw-body-bytes", lambda c: c.request("POST", "/jobs", json=b"{}")),
    ("raw-body-surrogate", lambda c: c.request(
        "POST", "/jobs", json={"lead": {"email": "\udc00@b.co"}})),
]  # fmt: skip


@pytest.mark.parametrize(
    "call", [call for _, call in REFUSED], ids=[name for name, _ in REFUSED]
)
async def test_input_of_the_wrong_type_or_value_is_refused_before_sending(
    sandbox: Sandbox, client: ParadigmClient, call: Call
) -> None:
    with pytest.raises(InvalidInputError):
        await call(client)

    assert_nothing_sent(sandbox, client)


BAD_OPTIONS = {
    "key-empty": {"api_key": ""},
    "key-crlf": {"api_key": "pk_live_a\r\nX-Evil: 1"},
    "key-lf": {"api_key": "pk_live_a\nX-Evil: 1"},
    "key-cr": {"api_key": "pk_live_a\r"},
    "key-tab": {"api_key": "pk_live_a\t"},
    "key-del": {"api_key": "pk_live_a\x7f"},
    "url-empty": {"base_url": ""},
    "url-crlf": {"base_url": "http://127.0.0.1:1/v1\r\nX-Evil: 1"},
    "header-colon-in-name": {"headers": {"X-A:B": "1"}},
    "header-space-in-name": {"headers": {"X A": "1"}},
    "header-empty-name": {"headers": {"": "1"}},
    "header-non-ascii-name": {"headers": {"X-é": "1"}},
    "header-crlf-in-name": {"headers": {"X-A\r\nX-Evil": "1"}},
    "header-crlf-in-value": {"headers": {"X-A": "1\r\nX-Evil: 1"}},
    "header-lf-in-value": {"headers": {"X-A": "1\nX-Evil: 1"}},
    "header-del-in-value": {"headers": {"X-A": "1\x7f"}},
    "header-non-ascii-value": {"headers": {"X-A": "é"}},
    "header-content-length": {"headers": {"Content-Length": "0"}},
    "header-transfer-encoding": {"headers": {"Transfer-Encoding": "chunked"}},
    "header-host": {"headers": {"Host": "elsewhere.example"}},
    "header-api-key": {"headers": {"x-api-key": "pk_live_other"}},
}


@pytest.mark.parametrize("options", BAD_OPTIONS.values(), ids=BAD_OPTIONS)
async def test_options_that_could_inject_or_misroute_are_refused(
    sandbox: Sandbox, options: dict[str, Any]
) -> None:
    settings = {
        "api_key": sandbox.api_key,
        "base_url": sandbox.url,
        "rate_limit": None,
        **options,
    }

    with pytest.raises(ConfigurationError):
        ParadigmClient(**settings)

    assert list(sandbox.requests) == []


def test_an_empty_base_url_never_means_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An empty config value must not silently aim a key at production."""
    monkeypatch.setenv("PARADIGM_BASE_URL", "http://127.0.0.1:1/v1")

    with pytest.raises(ConfigurationError, match="base_url"):
        ParadigmClient(api_key="pk_live_x", base_url="")

    assert ParadigmClient(api_key="pk_live_x").base_url == (
        "http://127.0.0.1:1/v1"
    )


# aiohttp warns about any body over 1 MB sent as bytes (the transport's
# choice); here the point is what reaches the server.
@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")
async def test_a_50_mb_lead_is_sent_as_meant_and_the_server_refuses_it(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """Length limits are the server's: a 400, and nothing charged."""
    lead = {**LEAD, "custom_fields": {"notes": "x" * (50 * MB)}}

    with pytest.raises(ValidationError, match="body"):
        await client.jobs.create(lead)

    assert len(sandbox.requests) == 1
    assert sandbox.account().charged == 0
    assert client.credits.spent == 0
    assert client.credits.uncertain == 0


# Answer side: a loopback server answering what the sandbox never would -


@asynccontextmanager
async def answering(
    body: bytes, status: int = 200, content_type: str = "application/json"
) -> AsyncIterator[tuple[ParadigmClient, list[web.Request]]]:
    """A client of a server that answers `body` to every request."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            status=status, body=body, headers={"Content-Type": content_type}
        )

    async with (
        lying_server(answer) as (url, hits),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None, max_retries=0
        ) as client,
    ):
        yield client, hits


@pytest.fixture(params=["orjson", "stdlib"])
def json_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Each answer case runs with both JSON decoders the SDK may use."""
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "loads", _json.stdlib_loads)
    return str(request.param)


def job(**fields: Any) -> dict[str, Any]:
    return {"id": "job_1", "status": "queued", "lead": LEAD, **fields}


def enrichment(**fields: Any) -> dict[str, Any]:
    return {"id": "enr_1", "status": "completed", **fields}


def wire(document: Any) -> bytes:
    return json.dumps(document).encode()


def deep(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


get_job: Call = lambda c: c.jobs.get("job_1")  # noqa: E731
get_enrichment: Call = lambda c: c.enrichments.get("enr_1")  # noqa: E731
list_jobs: Call = lambda c: c.jobs.list().collect()  # noqa: E731
get_template: Call = lambda c: (  # noqa: E731
    c.blueprints.enrichment_templates.get("et_1")
)
get_tone: Call = lambda c: (  # noqa: E731
    c.blueprints.customization_templates.get("ct_1")
)
get_responder: Call = lambda c: c.auto_responders.email.get("ear_1")  # noqa: E731

NOT_A_NUMBER = "$"
"""NaN and 1e400 are not JSON numbers: both back ends refuse the answer
as not JSON, before any field is read."""

UNREADABLE: list[Any] = [
    # null where a value is required: never the string "None".
    ("data-null", get_job, b'{"data": null}', "$.data"),
    ("id-null", get_job, wire({"data": job(id=None)}), "$.data.id"),
    ("status-null", get_job, wire({"data": job(status=None)}),
     "$.data.status"),
    ("email-null", get_job, wire({"data": job(lead={"email": None})}),
     "$.data.lead.email"),
    ("name-null", get_template, wire({"data": {"id": "et_1", "name": None}}),
     "$.data.name"),
    ("enabled-null", get_responder,
     wire({"data": {"id": "ear_1", "name": "n", "enabled": None}}),
     "$.data.enabled"),
    ("signals-null", get_enrichment,
     wire({"data": enrichment(company={"signals": None})}),
     "$.data.company.signals"),
    # Wrong scalar types: "12" is not 12, 12.7 and 12.0 are not 12.
    ("credits-string", get_job, wire({"data": job(credits_charged="12")}),
     "$.data.credits_charged"),
    ("credits-fraction", get_job, wire({"data": job(credits_charged=12.7)}),
     "$.data.credits_charged"),
    ("credits-whole-float", get_job,
     b'{"data": {"id": "j", "status": "queued", "credits_charged": 12.0}}',
     "$.data.credits_charged"),
    ("credits-bool", get_job, wire({"data": job(credits_charged=True)}),
     "$.data.credits_charged"),
    ("credits-negative", get_job, wire({"data": job(credits_charged=-2)}),
     "$.data.credits_charged"),
    ("employees-string", get_enrichment,
     wire({"data": enrichment(company={"employee_count": "8000"})}),
     "$.data.company.employee_count"),
    ("delay-string", get_responder,
     wire({"data": {"id": "ear_1", "name": "n", "reply_delay_minutes": "5"}}),
     "$.data.reply_delay_minutes"),
    ("enabled-string", get_responder,
     wire({"data": {"id": "ear_1", "name": "n", "enabled": "true"}}),
     "$.data.enabled"),
    ("status-list", get_job, wire({"data": job(status=["queued"])}),
     "$.data.status"),
    ("tone-number", get_tone,
     wire({"data": {"id": "ct_1", "name": "n", "tone": 3}}), "$.data.tone"),
    ("timestamp-number", get_job, wire({"data": job(created_at=1733263984)}),
     "$.data.created_at"),
    ("timestamp-words", get_job, wire({"data": job(created_at="yesterday")}),
     "$.data.created_at"),
    # A list field takes an array only: no splitting, no object keys.
    ("signals-string", get_enrichment,
     wire({"data": enrichment(company={"signals": "hiring"})}),
     "$.data.company.signals"),
    ("talking-points-object", get_enrichment,
     wire({"data": enrichment(person={"talking_points": {"a": 1}})}),
     "$.data.person.talking_points"),
    ("template-fields-string", get_template,
     wire({"data": {"id": "et_1", "name": "n", "fields": "tech_stack"}}),
     "$.data.fields"),
    ("custom-fields-list", get_job,
     wire({"data": job(lead={**LEAD, "custom_fields": ["a"]})}),
     "$.data.lead.custom_fields"),
    ("result-list", get_job, wire({"data": job(result=["a"])}),
     "$.data.result"),
    # Envelopes of the wrong shape.
    ("list-data-object", list_jobs, wire({"data": {}}), "$.data"),
    ("list-data-string", list_jobs, wire({"data": "job_1"}), "$.data"),
    ("list-item-null", list_jobs, wire({"data": [None]}), "$.data[0]"),
    ("list-second-item-bad", list_jobs,
     wire({"data": [job(), job(id=None)]}), "$.data[1].id"),
    ("pagination-list", list_jobs, wire({"data": [], "pagination": []}),
     "$.pagination"),
    ("has-more-string", list_jobs,
     wire({"data": [job()], "pagination": {"has_more": "yes"}}),
     "$.pagination.has_more"),
    ("offset-string", list_jobs,
     wire({"data": [job()], "pagination": {"offset": "0"}}),
     "$.pagination.offset"),
    ("meta-list", get_job, wire({"data": job(), "meta": [1]}), "$.meta"),
    ("meta-zero", get_job, wire({"data": job(), "meta": 0}), "$.meta"),
    ("meta-credits-negative", get_job,
     wire({"data": job(), "meta": {"credits_charged": -1}}),
     "$.meta.credits_charged"),
    ("meta-balance-string", get_job,
     wire({"data": job(), "meta": {"credits_remaining": "998"}}),
     "$.meta.credits_remaining"),
    ("top-level-array", get_job, wire([job()]), "$.data"),
    ("top-level-string", get_job, b'"job_1"', "$.data"),
    ("top-level-true", get_job, b"true", "$.data"),
    ("error-envelope-with-200", get_job,
     wire({"error": {"code": "NOT_FOUND", "message": "no"}}), "$.data.id"),
    ("empty-body", get_job, b"", "$.data"),
    # Not JSON at all.
    ("html", get_job, b"<html><body>Application error</body></html>", "$"),
    ("truncated", get_job, wire({"data": job()})[:-3], "$"),
    ("not-utf-8", get_job, b'{"data": "\xff\xfe"}', "$"),
    ("nan-literal", get_job,
     b'{"data": {"id": "j", "status": "queued", "credits_charged": NaN}}',
     NOT_A_NUMBER),
    # Huge numbers and deep nesting.
    ("number-overflows-double", get_job,
     b'{"data": {"id": "j", "status": "queued", "credits_charged": 1e400}}',
     NOT_A_NUMBER),
    ("integer-of-5000-digits", get_enrichment,
     b'{"data": {"id": "e", "status": "completed", "company": '
     b'{"employee_count": ' + b"7" * 5000 + b"}}}", "$"),
    ("nested-100k-deep", get_job,
     b'{"data": {"id": "j", "status": "queued", "x": '
     + b"[" * 100_000 + b"]" * 100_000 + b"}}", "$"),
    ("nested-in-a-string-field", get_job,
     wire({"data": job(lead={**LEAD, "custom_fields": deep(200)})}),
     "$.data.lead.custom_fields['k']"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "body", "path"),
    [case[1:] for case in UNREADABLE],
    ids=[case[0] for case in UNREADABLE],
)
async def test_answers_that_do_not_say_what_the_contract_says_are_refused(
    json_backend: str, call: Call, body: bytes, path: str | tuple[str, ...]
) -> None:
    """A typed error naming the field, after one request: never a guess."""
    async with answering(body) as (client, hits):
        with pytest.raises(DecodeError) as caught:
            await call(client)

    error = caught.value
    assert error.path in ((path,) if isinstance(path, str) else path)
    assert len(str(error)) < 1000
    assert len(hits) == 1


async def test_huge_integers_are_exact_or_refused(json_backend: str) -> None:
    """orjson reads integers past 64 bits as floats, which are refused;
    the standard library reads them exactly."""
    huge = 123456789012345678901234567890
    body = wire({"data": enrichment(company={"employee_count": huge})})

    async with answering(body) as (client, _):
        if json_backend == "orjson":
            with pytest.raises(DecodeError) as caught:
                await client.enrichments.get("enr_1")
            assert caught.value.path == "$.data.company.employee_count"
            return
        read = await client.enrichments.get("enr_1")

    assert read.company is not None
    assert type(read.company.employee_count) is int
    assert read.company.employee_count == huge


TOLERATED: list[Any] = [
    ("bare-object", wire(job()), "application/json"),
    ("wrong-content-type", wire({"data": job()}), "text/plain"),
    ("unknown-fields-and-values",
     wire({"data": job(status="archived", research_mode="ultra",
                       priority={"a": [1, None]})}), "application/json"),
    ("nested-200-deep-unknown", wire({"data": job(x=deep(200))}),
     "application/json"),
    ("null-optional-fields", wire({"data": job(result=None, error=None,
                                               credits_charged=None)}),
     "application/json"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type"),
    [case[1:] for case in TOLERATED],
    ids=[case[0] for case in TOLERATED],
)
async def test_answers_the_contract_allows_are_read_keeping_everything(
    json_backend: str, body: bytes, content_type: str
) -> None:
    async with answering(body, content_type=content_type) as (client, _):
        read = await client.jobs.get("job_1")

    document = json.loads(body)
    sent = document.get("data", document)
    assert holds(unstructure(read), sent)


WRONG_ERRORS: list[Any] = [
    ("error-is-a-string", 404, wire({"error": "gone"}), NotFoundError, None),
    ("code-is-a-number", 400, wire({"error": {"code": 7, "message": []}}),
     ValidationError, None),
    ("message-missing", 418, wire({"error": {"code": "NOT_FOUND"}}),
     NotFoundError, "NOT_FOUND"),
    ("array", 401, b"[]", AuthenticationError, None),
    ("empty", 409, b"", APIError, None),
    ("deep", 500, b"[" * 100_000, ServerError, None),
    ("not-utf-8", 502, b"\xff\xfe\xfd", ServerError, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [case[1:] for case in WRONG_ERRORS],
    ids=[case[0] for case in WRONG_ERRORS],
)
async def test_error_answers_of_the_wrong_shape_are_typed_by_status(
    json_backend: str,
    status: int,
    body: bytes,
    cls: type[APIError],
    code: str | None,
) -> None:
    async with answering(body, status=status) as (client, _):
        with pytest.raises(cls) as caught:
            await client.jobs.get("job_1")

    assert type(caught.value) is cls
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.message
    assert len(caught.value.message) <= 200


async def test_a_50_mb_answer_is_read_whole_and_kept() -> None:
    padding = "x" * (50 * MB)

    async with answering(wire({"data": job(padding=padding)})) as (client, _):
        read = await client.jobs.get("job_1")

    assert read.extra["padding"] == padding


async def test_a_50_mb_answer_that_is_not_json_is_a_short_decode_error() -> (
    None
):
    async with answering(b"\x00" * (50 * MB)) as (client, _):
        with pytest.raises(DecodeError) as caught:
            await client.jobs.get("job_1")

    assert caught.value.path == "$"
    assert len(str(caught.value)) < 500


@pytest.mark.parametrize(
    "page",
    [b"<p>busy</p>" * (5 * MB), b"<a " * (17 * MB), b"<style>" * (7 * MB)],
    ids=["many-tags", "unclosed-tags", "all-hidden"],
)
async def test_a_50_mb_error_page_is_excerpted_at_once(page: bytes) -> None:
    """The excerpt reads a bounded prefix in one pass: a hostile page
    cannot hold the event loop (html.parser took seconds per 30 KB)."""
    async with answering(page, status=503, content_type="text/html") as (
        client,
        _,
    ):
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            await client.jobs.get("job_1")
        elapsed = time.monotonic() - started

    assert 0 < len(caught.value.message) <= 200
    assert elapsed < 5


async def test_an_unreadable_charge_leaves_the_create_uncertain() -> None:
    """A negative charge would make the ledger's spending go down."""
    body = wire({"data": job(), "meta": {"credits_charged": -5}})

    async with answering(body, status=201) as (client, _):
        with pytest.raises(DecodeError, match="credits_charged") as caught:
            await client.jobs.create(LEAD)

    assert caught.value.idempotency_key is not None
    assert client.credits.spent == 0
    assert client.credits.uncertain == 1
