"""Fixtures: an in-process sandbox over real loopback sockets, a client
aimed at it, and a guard that fails the run if anything reaches past
loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from paradigm_async import ParadigmClient
from paradigm_async.sandbox import Sandbox

MakeClient = Callable[..., ParadigmClient]


class OffLoopbackError(RuntimeError):
    """A test tried to reach an address that is not loopback."""


_violations: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback_host(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return
    host = address[0]
    if not _is_loopback_host(host):
        _violations.append(repr(address))
        raise OffLoopbackError(f"tests may reach loopback only, not {host}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_loopback_host(host):
        _violations.append(repr(host))
        raise OffLoopbackError(f"tests may resolve loopback only, not {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the whole run if any test tried to leave loopback."""
    if _violations:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"OFF-LOOPBACK ATTEMPTS: {_violations}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def offloopback_attempts() -> Iterator[list[str]]:
    """The guard's record, for the test that proves the guard works."""
    before = len(_violations)
    yield _violations
    del _violations[before:]


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's own key or URL."""
    monkeypatch.delenv("PARADIGM_API_KEY", raising=False)
    monkeypatch.delenv("PARADIGM_BASE_URL", raising=False)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A fresh sandbox: no rate limit, research done in 50 ms."""
    async with Sandbox(rate_limit=None, processing_delay=0.05) as running:
        yield running


@pytest.fixture
async def make_client(sandbox: Sandbox) -> AsyncIterator[MakeClient]:
    """Makes clients of `sandbox` (limiter off unless given), each closed
    when the test ends."""
    made: list[ParadigmClient] = []

    def make(**options: Any) -> ParadigmClient:
        settings = {
            "api_key": sandbox.api_key,
            "base_url": sandbox.url,
            "rate_limit": None,
            **options,
        }
        made.append(ParadigmClient(**settings))
        return made[-1]

    yield make
    for paradigm in made:
        await paradigm.close()


@pytest.fixture
async def client(
    make_client: MakeClient,
) -> AsyncIterator[ParadigmClient]:
    """A client of `sandbox`, with its limiter off."""
    async with make_client() as paradigm:
        yield paradigm


@pytest.fixture
def threaded_sandbox() -> Iterator[Sandbox]:
    """A sandbox on its own loop in a thread, for tests that run loops."""
    started = threading.Event()
    stop: asyncio.Event | None = None
    holder: list[Sandbox] = []
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with Sandbox(rate_limit=None, processing_delay=0) as running:
            holder.append(running)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    assert started.wait(10)
    yield holder[0]
    assert stop is not None
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    loop.close()
