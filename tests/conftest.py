"""Fixtures: an in-process sandbox over real loopback sockets, a client
aimed at it, and a guard that fails the run if anything reaches past
loopback."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import threading
import time
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


@contextlib.contextmanager
def sandbox_in_thread(**options: Any) -> Iterator[Sandbox]:
    """A sandbox on its own loop in a thread, for tests that run loops or
    processes of their own."""
    started = threading.Event()
    stop: asyncio.Event | None = None
    holder: list[Sandbox] = []
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with Sandbox(**options) as running:
            holder.append(running)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    assert started.wait(10)
    try:
        yield holder[0]
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


@pytest.fixture
def threaded_sandbox() -> Iterator[Sandbox]:
    """A sandbox in a thread: no rate limit, research done at once."""
    with sandbox_in_thread(rate_limit=None, processing_delay=0) as running:
        yield running


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free loopback port, for this test run.

    CI installs redis-server (see .ci/run) and fails here without it; a
    developer's machine without it skips these tests, saying so.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs it")
        pytest.skip("redis-server is not installed on this machine")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as ping:
                if ping.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)
