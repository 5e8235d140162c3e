"""The API key never shows: not in logs, reprs, errors, tracebacks or the
command line's output; it goes over plain http only to loopback, and over
https only to a server whose certificate verifies."""

from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
import subprocess
import traceback
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from lying_server import lying_server

from paradigm_async import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    Lead,
    ParadigmClient,
    ParadigmError,
    RateLimit,
)
from paradigm_async._errors import redact
from paradigm_async.cli import run
from paradigm_async.sandbox import Fault, Sandbox

SECRET = "pk_live_do_not_leak_4242"


def everything_logged(records: list[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(vars(record)))
    return "\n".join(parts)


async def test_the_key_appears_in_no_log_line_repr_or_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    sandbox.inject(Fault.html_503())
    sandbox.inject(Fault.drop_after(), method="POST")
    async with ParadigmClient(
        api_key=SECRET, base_url=sandbox.url, rate_limit=None
    ) as client:
        for attempt in (
            client.jobs.get("job_1"),
            client.jobs.create(Lead(email="a@example.com")),
            client.enrichments.get("../x"),
        ):
            try:
                await attempt
            except ParadigmError as exc:
                errors.append(exc)
        shown = repr(client) + repr(client.jobs) + repr(client.credits)

    assert caplog.records, "DEBUG logging produced nothing to check"
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert SECRET not in everything_logged(caplog.records)
    assert SECRET not in shown
    assert len(errors) == 3
    assert any(isinstance(e, APIConnectionError) for e in errors)
    assert any(isinstance(e, APIError) for e in errors)
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert SECRET not in text
        assert SECRET not in repr(vars(error))


async def test_one_info_line_per_completed_request(
    client: ParadigmClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="paradigm_async")

    await client.jobs.list(limit=5).collect()

    [record] = [r for r in caplog.records if r.levelno == logging.INFO]
    assert record.name == "paradigm_async.transport"
    assert record.getMessage().startswith("GET /jobs 200 ")
    assert getattr(record, "paradigm.status") == 200
    assert getattr(record, "paradigm.attempt") == 1


async def test_the_key_is_not_in_a_traceback_shown_with_its_locals(
    sandbox: Sandbox,
) -> None:
    """Error trackers and ``pytest -l`` print each frame's locals, the
    request headers among them; the key's repr hides it."""
    sandbox.inject(Fault.drop_after())
    async with ParadigmClient(
        api_key=SECRET, base_url=sandbox.url, rate_limit=None, max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as dropped:
            await client.jobs.get("job_1")
        with pytest.raises(AuthenticationError) as refused:
            await client.jobs.get("job_1")

    for caught in (dropped, refused):
        shown = traceback.TracebackException.from_exception(
            caught.value, capture_locals=True
        )
        text = "".join(shown.format())
        assert "X-API-Key" in text, "the headers were not among the locals"
        assert SECRET not in text
    assert {r.headers["X-API-Key"] for r in sandbox.requests} == {SECRET}


def reachable_text(error: BaseException) -> str:
    """What an error tracker could read from `error`: each exception of
    its chain (causes and contexts), its message, args and attributes."""
    parts = []
    seen: set[int] = set()
    waiting: list[BaseException | None] = [error]
    while waiting:
        exc = waiting.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        parts += [str(exc), repr(exc.args), repr(vars(exc))]
        waiting += [exc.__cause__, exc.__context__]

    return "\n".join(parts) + "".join(traceback.format_exception(error))


def _echo(request: web.Request) -> str:
    return request.headers.get("X-API-Key", "")


async def _json_error(request: web.Request) -> web.StreamResponse:
    key = _echo(request)
    body = {"error": {"code": f"BAD_{key}", "message": f"key {key} refused"}}
    return web.json_response(
        body,
        status=400,
        headers={"X-Request-Id": key, "X-Echo": key, f"X-Echo-{key}": "1"},
    )


async def _html_page(request: web.Request) -> web.StreamResponse:
    # The key cut by the end of the 200 characters the excerpt keeps.
    padding = "x" * 175
    html = f"<html><body><h1>Bad gateway</h1>{padding} {_echo(request)}"
    return web.Response(status=502, text=html, content_type="text/html")


async def _garbled_ok(request: web.Request) -> web.StreamResponse:
    # Not JSON; the key starts ten characters before the excerpt ends.
    return web.Response(status=200, text="n" * 70 + _echo(request))


async def _plain_text_error(request: web.Request) -> web.StreamResponse:
    return web.Response(status=403, text=f"forbidden for {_echo(request)}")


async def _multibyte_garbled(request: web.Request) -> web.StreamResponse:
    # Four bytes a character before the key: a cut counted in bytes would
    # show the key's start.
    text = "\U0001f600" * 20 + "x" * 14 + _echo(request)
    return web.Response(status=200, text=text)


@pytest.mark.parametrize(
    "handler",
    [
        _json_error,
        _html_page,
        _garbled_ok,
        _multibyte_garbled,
        _plain_text_error,
    ],
)
async def test_a_key_the_server_repeats_back_is_cut_from_the_error(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> None:
    """A server or proxy that quotes the request (message, code, page,
    headers, a garbled body) does not put the key into the error."""
    async with (
        lying_server(handler) as (url, hits),
        ParadigmClient(
            api_key=SECRET, base_url=url, rate_limit=None, max_retries=1
        ) as client,
    ):
        with pytest.raises(ParadigmError) as caught:
            await client.jobs.get("job_1")

    assert hits, "the server was never asked"
    error = caught.value
    # Not with its locals: those hold the answer's raw bytes as the
    # server sent them.
    shown = reachable_text(error)
    assert SECRET[:10] not in shown, "the key, or its start cut short"
    assert "[redacted" in shown  # the mark itself may be cut short
    if isinstance(error, APIError):
        assert SECRET.encode() not in error.body


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"a {SECRET} b {SECRET}", "a [redacted key] b [redacted key]"),
        (f"cut: {SECRET[:14]}'", "cut: [redacted key]'"),
        (f"{SECRET[-13:]} and on", "[redacted key] and on"),
        (f"{SECRET[:11]} stays: too short to be the key", None),
        ("nothing here", None),
    ],
)
def test_redact_cuts_the_key_and_its_ends(
    text: str, shown: str | None
) -> None:
    assert redact(text, SECRET) == (text if shown is None else shown)


MALFORMED = {
    "status-line": b"HTTP/1.1 2x0 %s\r\nContent-Length: 2\r\n\r\n{}",
    "header-name": b"HTTP/1.1 200 OK\r\n%s(: x\r\nContent-Length: 2\r\n\r\n{}",
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n{}",
    "header-too-long": b"HTTP/1.1 200 OK\r\nX-Echo: %s"
    + b"a" * 9000
    + b"\r\nContent-Length: 2\r\n\r\n{}",
}


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED)
async def test_a_key_quoted_in_a_malformed_answer_is_cut_out(
    answer: bytes,
) -> None:
    """aiohttp's parser quotes the bytes it could not read: the key among
    them stays out of the error, its message and its chain."""

    async def serve(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        key = head.split(b"X-API-Key: ", 1)[1].split(b"\r\n", 1)[0]
        writer.write(answer % key)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with ParadigmClient(
            api_key=SECRET,
            base_url=f"http://127.0.0.1:{port}/v1",
            rate_limit=None,
            max_retries=0,
        ) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.jobs.get("job_1")
    finally:
        server.close()
        await server.wait_closed()

    shown = reachable_text(caught.value)
    assert "connection lost" in shown
    assert SECRET[:12] not in shown


async def test_limiter_and_retry_logs_at_every_level_hold_no_key(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.inject(Fault.rate_limited(retry_after=0))
    sandbox.inject(Fault.html_503())
    async with ParadigmClient(
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        rate_limit=RateLimit(requests=20, seconds=0.5, margin=0),
    ) as client:
        view = client.with_options(priority="interactive", deadline=10)
        for _ in range(3):
            await view.jobs.list().collect()

    loggers = {record.name for record in caplog.records}
    assert {"paradigm_async.transport", "paradigm_async.ratelimit"} <= loggers
    assert sandbox.api_key not in everything_logged(caplog.records)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/v1",
        "http://10.0.0.1/v1",
        "http://169.254.169.254/v1",
        "http://0.0.0.0:8080/v1",
        "http://localhost.example.com/v1",
        "http://127.0.0.1.nip.io/v1",
        "HTTP://Example.COM/v1",
    ],
)
async def test_plain_http_off_loopback_is_refused_before_any_connection(
    url: str, offloopback_attempts: list[str]
) -> None:
    attempts = len(offloopback_attempts)

    with pytest.raises(ConfigurationError, match="plain http"):
        ParadigmClient(api_key=SECRET, base_url=url)

    assert len(offloopback_attempts) == attempts


async def test_plain_http_from_the_environment_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARADIGM_API_KEY", SECRET)
    monkeypatch.setenv("PARADIGM_BASE_URL", "http://example.com/v1")

    with pytest.raises(ConfigurationError, match="plain http") as caught:
        ParadigmClient()

    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/v1",
        "http://127.8.9.10:1/v1",
        "http://localhost:1/v1",
        "http://[::1]:1/v1",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert ParadigmClient(api_key=SECRET, base_url=url).base_url == url


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no authority signed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_tls_certificates_are_verified_by_default(
    self_signed: tuple[str, str],
) -> None:
    """An unverified server never sees the request, so never the key."""
    cert, key = self_signed
    hits: list[web.Request] = []

    async def answer(request: web.Request) -> web.Response:
        hits.append(request)
        return web.json_response({"data": [], "pagination": None})

    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_get("/v1/jobs", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=served)
    await site.start()
    url = f"https://127.0.0.1:{runner.addresses[0][1]}/v1"
    trusting = ssl.create_default_context(cafile=cert)
    try:
        async with ParadigmClient(
            api_key=SECRET, base_url=url, rate_limit=None, max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.jobs.list().collect()
        assert hits == []
        async with (
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=trusting)
            ) as session,
            ParadigmClient(
                api_key=SECRET, base_url=url, rate_limit=None, session=session
            ) as client,
        ):
            assert await client.jobs.list().collect() == []
    finally:
        await runner.cleanup()

    assert "certificate" in str(caught.value).lower()
    assert SECRET not in str(caught.value)
    [request] = hits
    assert request.headers["X-API-Key"] == SECRET


async def test_the_command_line_never_prints_the_key(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not for a refused key, a dropped connection or a refused URL."""
    monkeypatch.setenv("PARADIGM_API_KEY", SECRET)
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)

    codes = [await run(["jobs", "get", "job_1"])]
    sandbox.inject(Fault.drop_after(), method="POST")  # never retried
    codes.append(
        await run(["jobs", "create", "--set", "lead.email=a@example.com"])
    )
    monkeypatch.setenv("PARADIGM_BASE_URL", "http://example.com/v1")
    codes.append(await run(["jobs", "list"]))

    out, err = capsys.readouterr()
    assert codes == [1, 1, 1]
    assert err.count("paradigm: error:") == 3
    assert "INVALID_API_KEY" in err
    assert "connection lost" in err
    assert "plain http" in err
    assert SECRET not in out + err
