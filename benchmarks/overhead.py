"""What paradigm-async costs per call, beside raw aiohttp and httpx.

Times the same three calls (get a job by id, list one page of 100 jobs,
create a job) made by paradigm-async with its pacing off, by raw aiohttp
with the same JSON handling (orjson when installed) and by
``httpx.AsyncClient``, all against one server on 127.0.0.1. The rows:

- ``raw aiohttp``: a default `aiohttp.ClientSession`, bytes in, the
  envelope's dicts out: the floor, as most code uses aiohttp. A default
  session arms its own five-minute timeout on every request.
- ``aiohttp, no timeout``: the same with every cost a caller can shed
  shed: no timeout at all, URLs and headers built once. Faster than the
  floor, and not safe to ship; a reference, not a target.
- ``raw aiohttp+models``: ``raw aiohttp``, then the data read into the
  SDK's models by the SDK's own decoders: what a caller of raw aiohttp
  who wants the same checked models pays.
- ``paradigm-async``: the typed calls, models out.
- ``sdk .request()``: the same calls through ``client.request``: the
  SDK's whole transport (limiter, retries, errors, envelope, its own
  timeout), dicts out.
- ``httpx``: a default ``httpx.AsyncClient``, dicts out.

The ratio columns are each row's median over the median of ``raw
aiohttp`` (``x aiohttp``), of ``aiohttp, no timeout`` (``x bare``) and
of the floor that returns the same thing (``x same``: ``raw
aiohttp+models`` for the models' rows, ``raw aiohttp`` for the dicts').
The verdicts below the table hold each paradigm-async row to 1.15 times
``raw aiohttp`` and to 1.15 times its same-output floor, and to being
ahead of httpx (which returns dicts, the harder test for the models).

Reading JSON into checked models costs the same inside any client, so a
same-output ratio cannot show it: the decode line times it on its own,
against a budget set close to what it measures, so that a slower decoder
fails there. It also gives what the models add inside a call (``raw
aiohttp+models`` less ``raw aiohttp``), which is more than the decoding
alone: the data is fresh from the parser, not warm in the cache.

The server replays answers captured from the embedded sandbox: raw
aiohttp lists 100 jobs from the sandbox itself in about 1.9 ms, from the
replay in about 0.25 ms, so the sandbox's own handler would hide the
clients' differences. It runs on the clients' own event loop. Its work
is part of every call's time, the same for each client, so it pulls
every ratio towards 1: the replay keeps that work small, and a second
process (``--server-process``) would add its own wake-up to every call
instead. The clients take turns in rounds, in an order shuffled afresh
for each call of each round (seeded, so a run can be repeated), so
machine noise hits them alike and no client always follows the same
other one: the first call after httpx's turn, say, pays for what httpx
left behind.

Last, ``import paradigm_async`` beside ``import aiohttp``, from ``python
-X importtime`` in fresh interpreters with bytecode cached, as after an
install.

Run: ``python benchmarks/overhead.py`` (about a minute); ``--rounds N``
sets the rounds (each makes 10 calls of each kind per client). Needs
httpx and sniffio (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
    Sequence,
)
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

import paradigm_async
from paradigm_async import APIResponse, Job, ParadigmClient
from paradigm_async._models import structure
from paradigm_async.sandbox import Sandbox

loads: Callable[[bytes], Any] = json.loads
JSON_LIBRARY = "json (stdlib)"


def _stdlib_dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


dumps: Callable[[Any], bytes] = _stdlib_dumps

try:
    import orjson
except ImportError:  # then the floor decodes with the stdlib, as the SDK
    pass
else:
    loads = orjson.loads
    dumps = orjson.dumps
    JSON_LIBRARY = f"orjson {orjson.__version__}"

CALLS = ("get", "list", "create")
FLOOR = "raw aiohttp"
BARE = "aiohttp, no timeout"
FLOOR_MODELS = "raw aiohttp+models"
SDK = "paradigm-async"
SDK_DICTS = "sdk .request()"
HTTPX = "httpx"
CLIENTS = (FLOOR, BARE, FLOOR_MODELS, SDK, SDK_DICTS, HTTPX)
SAME_OUTPUT: Mapping[str, str] = {
    FLOOR: FLOOR,
    BARE: FLOOR,
    FLOOR_MODELS: FLOOR_MODELS,
    SDK: FLOOR_MODELS,
    SDK_DICTS: FLOOR,
    HTTPX: FLOOR,
}
"""Each client's same-output floor: raw aiohttp returning what it returns."""
BATCH = 10
"""Calls of one kind a client makes in a row before the next one's turn."""

SEED = 6
"""Seeds the order clients take their turns in."""

DEFAULT_ROUNDS = 400
WARMUP_ROUNDS = 20
PAGE_SIZE = 100
DECODE_BUDGET_US = 500.0
"""Microseconds to decode a page of 100 jobs into models: about 1.5
times what it takes here (330 to 360 us), so that a decoder gone slower
shows. Generating the structure hooks on every call instead of once
costs about eight times the budget (4.1 ms), the converter without the
fast decoders about twice (1.1 ms)."""

TARGET_RATIO = 1.15
IMPORT_RUNS = 9
LEAD: Mapping[str, str] = {
    "email": "ada@example.com",
    "first_name": "Ada",
    "company_domain": "stripe.com",
}
CREATE_BODY: Mapping[str, object] = {
    "lead": LEAD,
    "research_mode": "standard",
}
KEPT_HEADERS = ("Content-Type", "X-Request-ID")
KEPT_PREFIX = "X-RateLimit-"

Call = Callable[[], Awaitable[object]]
Canned = tuple[int, dict[str, str], bytes]
"""A captured answer: status, the headers worth replaying, body."""

Samples = dict[tuple[str, str], list[int]]
"""Nanoseconds per call, by client and call."""


async def capture() -> dict[str, Canned]:
    """The sandbox's answers to a get, a list and a create, to replay.

    The sandbox holds exactly one page of jobs, completed (with their
    emails) by the time get and list are captured; the create answer is
    a queued job, as creates answer. A huge rate limit keeps the rate
    headers in every answer, as the live API sends them.
    """
    answers: dict[str, Canned] = {}
    async with (
        Sandbox(
            rate_limit=(10**9, 60.0), processing_delay=0.05, credits=10**9
        ) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        headers = {"X-API-Key": sandbox.api_key}
        for number in range(PAGE_SIZE):
            lead = {**LEAD, "email": f"lead{number}@example.com"}
            async with session.post(
                f"{sandbox.url}/jobs",
                data=dumps({"lead": lead}),
                headers=headers,
            ) as answer:
                answers["create"] = await _canned(answer)
        job_id = loads(answers["create"][2])["data"]["id"]
        await asyncio.sleep(0.2)
        for name, path in (
            ("get", f"/jobs/{job_id}"),
            ("list", f"/jobs?limit={PAGE_SIZE}"),
        ):
            async with session.get(
                sandbox.url + path, headers=headers
            ) as answer:
                answers[name] = await _canned(answer)

    return answers


async def _canned(answer: aiohttp.ClientResponse) -> Canned:
    body = await answer.read()
    if answer.status >= 300:
        raise RuntimeError(f"the sandbox answered {answer.status}: {body!r}")
    headers = {
        name: value
        for name, value in answer.headers.items()
        if name in KEPT_HEADERS or name.startswith(KEPT_PREFIX)
    }

    return answer.status, headers, body


@contextlib.asynccontextmanager
async def replaying_server(answers: dict[str, Canned]) -> AsyncIterator[int]:
    """A server on 127.0.0.1 answering with `answers`; yields its port."""

    async def handle(request: web.BaseRequest) -> web.Response:
        await request.read()
        if request.method == "POST":
            status, headers, body = answers["create"]
        elif request.path.endswith("/jobs"):
            status, headers, body = answers["list"]
        else:
            status, headers, body = answers["get"]

        return web.Response(status=status, headers=headers, body=body)

    runner = web.ServerRunner(web.Server(handle), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


def serve(answers: dict[str, Canned], reply: Connection) -> None:
    """Run the replaying server in this process; send its port on `reply`."""

    async def forever() -> None:
        async with replaying_server(answers) as port:
            reply.send(port)
            await asyncio.get_running_loop().create_future()

    asyncio.run(forever())


def sdk_calls(client: ParadigmClient, job_id: str) -> dict[str, Call]:
    """The three calls as a paradigm-async user makes them: models out."""

    async def get() -> object:
        return await client.jobs.get(job_id)

    async def list_page() -> object:
        pages = client.jobs.list(limit=PAGE_SIZE).pages()

        return [page async for page in pages]

    async def create() -> object:
        return await client.jobs.create(LEAD)

    return {"get": get, "list": list_page, "create": create}


def sdk_dict_calls(client: ParadigmClient, job_id: str) -> dict[str, Call]:
    """The three calls through `client.request`: the transport, dicts out."""

    async def get() -> object:
        return await client.request("GET", f"/jobs/{job_id}")

    async def list_page() -> object:
        params = {"limit": PAGE_SIZE}

        return await client.request("GET", "/jobs", params=params)

    async def create() -> object:
        return await client.request("POST", "/jobs", json=CREATE_BODY)

    return {"get": get, "list": list_page, "create": create}


async def fetch_json(
    session: aiohttp.ClientSession,
    method: str,
    url: str | URL,
    headers: Mapping[str, str],
    body: bytes | None,
) -> Any:
    """One call in plain aiohttp: its answer's JSON, decoded."""
    async with session.request(
        method, url, headers=headers, data=body, allow_redirects=False
    ) as answer:
        raw = await answer.read()
        if answer.status >= 300:
            raise RuntimeError(f"{method} {url}: {answer.status}")

    return loads(raw)


def aiohttp_calls(
    session: aiohttp.ClientSession, base_url: str, key: str, job_id: str
) -> dict[str, Call]:
    """The three calls in raw aiohttp: bytes in, envelope dicts out."""
    headers = {"X-API-Key": key, "Accept": "application/json"}

    async def get() -> object:
        url = f"{base_url}/jobs/{job_id}"

        return await fetch_json(session, "GET", url, headers, None)

    async def list_page() -> object:
        url = f"{base_url}/jobs?limit={PAGE_SIZE}"
        document = await fetch_json(session, "GET", url, headers, None)

        return document["data"], document["pagination"]

    async def create() -> object:
        extra = {**headers, **_create_headers()}
        url = f"{base_url}/jobs"

        return await fetch_json(
            session, "POST", url, extra, dumps(CREATE_BODY)
        )

    return {"get": get, "list": list_page, "create": create}


def bare_aiohttp_calls(
    session: aiohttp.ClientSession, base_url: str, key: str, job_id: str
) -> dict[str, Call]:
    """The three calls in aiohttp with every cost a caller can shed shed:
    URLs and headers built once, on a session without a timeout."""
    headers = CIMultiDict({"X-API-Key": key, "Accept": "application/json"})
    one = URL(f"{base_url}/jobs/{job_id}", encoded=True)
    page = URL(f"{base_url}/jobs?limit={PAGE_SIZE}", encoded=True)
    jobs = URL(f"{base_url}/jobs", encoded=True)

    async def get() -> object:
        return await fetch_json(session, "GET", one, headers, None)

    async def list_page() -> object:
        document = await fetch_json(session, "GET", page, headers, None)

        return document["data"], document["pagination"]

    async def create() -> object:
        extra = headers.copy()
        extra.update(_create_headers())

        return await fetch_json(
            session, "POST", jobs, extra, dumps(CREATE_BODY)
        )

    return {"get": get, "list": list_page, "create": create}


def aiohttp_model_calls(
    session: aiohttp.ClientSession, base_url: str, key: str, job_id: str
) -> dict[str, Call]:
    """The three calls in raw aiohttp, then read into the SDK's models."""
    plain = aiohttp_calls(session, base_url, key, job_id)

    async def get() -> object:
        document: Any = await plain["get"]()

        return structure(document["data"], Job)

    async def list_page() -> object:
        page = await plain["list"]()
        assert isinstance(page, tuple)
        data, pagination = page

        return structure(data, list[Job]), pagination

    async def create() -> object:
        document: Any = await plain["create"]()

        return structure(document["data"], Job)

    return {"get": get, "list": list_page, "create": create}


def httpx_calls(client: httpx.AsyncClient, job_id: str) -> dict[str, Call]:
    """The three calls through httpx, with the same JSON handling."""

    async def fetch(
        method: str,
        path: str,
        params: dict[str, int] | None = None,
        body: bytes | None = None,
        extra: dict[str, str] | None = None,
    ) -> Any:
        answer = await client.request(
            method, path, params=params, content=body, headers=extra
        )
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code}")

        return loads(answer.content)

    async def get() -> object:
        return await fetch("GET", f"/jobs/{job_id}")

    async def list_page() -> object:
        document = await fetch("GET", "/jobs", params={"limit": PAGE_SIZE})

        return document["data"], document["pagination"]

    async def create() -> object:
        body = dumps(CREATE_BODY)

        return await fetch("POST", "/jobs", body=body, extra=_create_headers())

    return {"get": get, "list": list_page, "create": create}


def _create_headers() -> dict[str, str]:
    # Every paradigm-async create sends a fresh key, made the same way;
    # so do the others.
    return {
        "Content-Type": "application/json",
        "Idempotency-Key": f"pa-{os.urandom(16).hex()}",
    }


async def run_rounds(
    calls: Mapping[str, Mapping[str, Call]], rounds: int
) -> Samples:
    """Each call of each client, `BATCH` at a time, in shuffled order.

    A rotating order would not do: it keeps who follows whom, so one
    client would always take its turn right after httpx.
    """
    samples: Samples = {(c, n): [] for c in calls for n in CALLS}
    order = list(calls)
    shuffle = random.Random(SEED).shuffle
    for _ in range(rounds):
        for name in CALLS:
            shuffle(order)
            for client in order:
                call = calls[client][name]
                timings = samples[client, name]
                for _ in range(BATCH):
                    started = time.perf_counter_ns()
                    await call()
                    timings.append(time.perf_counter_ns() - started)

    return samples


async def check_pages(calls: Mapping[str, Mapping[str, Call]]) -> None:
    """Make sure every client read the same page of `PAGE_SIZE` jobs."""
    for client, kinds in calls.items():
        count = len(_items(await kinds["list"]()))
        if count != PAGE_SIZE:
            raise RuntimeError(f"{client} read {count} jobs, not {PAGE_SIZE}")


def _items(page: object) -> Sequence[object]:
    if isinstance(page, APIResponse):  # client.request
        items: Sequence[object] = page.data
    elif isinstance(page, tuple):  # raw aiohttp (+models), httpx
        items = page[0]
    elif isinstance(page, list):  # paradigm-async's pages
        items = page[0].items
    else:
        raise TypeError(f"not a page: {page!r}")

    return items


async def measure_calls(port: int, job_id: str, rounds: int) -> Samples:
    """Open every client on the server at `port` and time them."""
    base_url = f"http://127.0.0.1:{port}/v1"
    key = "pk_live_bench"
    async with (
        ParadigmClient(
            api_key=key, base_url=base_url, rate_limit=None
        ) as client,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100)
        ) as session,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100),
            timeout=aiohttp.ClientTimeout(total=None),
        ) as bare,
        httpx.AsyncClient(
            base_url=base_url,
            headers={"X-API-Key": key, "Accept": "application/json"},
        ) as other,
    ):
        calls = {
            FLOOR: aiohttp_calls(session, base_url, key, job_id),
            BARE: bare_aiohttp_calls(bare, base_url, key, job_id),
            FLOOR_MODELS: aiohttp_model_calls(session, base_url, key, job_id),
            SDK: sdk_calls(client, job_id),
            SDK_DICTS: sdk_dict_calls(client, job_id),
            HTTPX: httpx_calls(other, job_id),
        }
        await check_pages(calls)
        await run_rounds(calls, WARMUP_ROUNDS)

        return await run_rounds(calls, rounds)


async def measure_beside_server(
    answers: dict[str, Canned], job_id: str, rounds: int
) -> Samples:
    """Time the clients against a server on their own event loop."""
    async with replaying_server(answers) as port:
        return await measure_calls(port, job_id, rounds)


def start_server(answers: dict[str, Canned]) -> tuple[BaseProcess, int]:
    """The replaying server in a process of its own, and its port."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve, args=(answers, theirs))
    process.start()
    if not ours.poll(30):
        process.terminate()
        raise RuntimeError("the replaying server did not start")
    port: int = ours.recv()

    return process, port


def measure(
    answers: dict[str, Canned], job_id: str, rounds: int, apart: bool
) -> Samples:
    """Time the clients; the server in this process, or `apart`."""
    if not apart:
        return asyncio.run(measure_beside_server(answers, job_id, rounds))

    process, port = start_server(answers)
    try:
        return asyncio.run(measure_calls(port, job_id, rounds))
    finally:
        process.terminate()
        process.join(10)


def quantile(values: list[int], share: float) -> float:
    """The `share` quantile of `values` (nanoseconds), in microseconds."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(share * (len(ordered) - 1)))

    return ordered[index] / 1000


def print_calls(samples: Samples) -> None:
    print(
        f"{'call':<8} {'client':<19} {'median us':>10} {'p90 us':>8} "
        f"{'x aiohttp':>9} {'x bare':>7} {'x same':>7}"
    )
    for name in CALLS:
        for client in CLIENTS:
            values = samples[client, name]
            median = quantile(values, 0.5)
            print(
                f"{name:<8} {client:<19} {median:>10.1f} "
                f"{quantile(values, 0.9):>8.1f} "
                f"{median / _median(samples, FLOOR, name):>9.2f} "
                f"{median / _median(samples, BARE, name):>7.2f} "
                f"{median / _same_floor(samples, client, name):>7.2f}"
            )
    print()
    print(
        f"within {TARGET_RATIO:g}x raw aiohttp / within {TARGET_RATIO:g}x "
        "the same-output floor / ahead of httpx:"
    )
    for name in CALLS:
        other = _median(samples, HTTPX, name)
        verdicts = []
        for client in (SDK, SDK_DICTS):
            median = _median(samples, client, name)
            # The ratios as printed, so a verdict never contradicts them.
            plain = round(median / _median(samples, FLOOR, name), 2)
            same = round(median / _same_floor(samples, client, name), 2)
            verdicts.append(
                f"{client} {_yes(plain <= TARGET_RATIO)}/"
                f"{_yes(same <= TARGET_RATIO)}/{_yes(median < other)}"
            )
        print(f"{name:<8} " + ", ".join(verdicts))


def _median(samples: Samples, client: str, name: str) -> float:
    """The median of `client` on call `name`, in microseconds."""
    return quantile(samples[client, name], 0.5)


def _same_floor(samples: Samples, client: str, name: str) -> float:
    """The median of `client`'s same-output floor on call `name`."""
    return _median(samples, SAME_OUTPUT[client], name)


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def measure_decode(page: bytes, repeats: int = 300) -> tuple[float, float]:
    """Median microseconds to read a page's JSON, then its models."""
    reads: list[int] = []
    models: list[int] = []
    for _ in range(repeats):
        started = time.perf_counter_ns()
        data = loads(page)["data"]
        parsed = time.perf_counter_ns()
        structure(data, list[Job])
        models.append(time.perf_counter_ns() - parsed)
        reads.append(parsed - started)

    return quantile(reads, 0.5), quantile(models, 0.5)


def print_decode(page: bytes, samples: Samples) -> None:
    json_us, model_us = measure_decode(page)
    verdict = "within" if model_us <= DECODE_BUDGET_US else "OVER"
    inside = _median(samples, FLOOR_MODELS, "list")
    inside -= _median(samples, FLOOR, "list")
    print(
        f"decode a page of {PAGE_SIZE} jobs ({len(page) / 1024:.0f} KiB): "
        f"JSON {json_us:.0f} us, then models {model_us:.0f} us (medians); "
        f"{verdict} the models' budget of {DECODE_BUDGET_US:.0f} us; "
        f"inside a call the models add {inside:.0f} us"
    )


def import_ms(modules: Sequence[str], cache: str) -> dict[str, float]:
    """Median milliseconds of importing each module in fresh interpreters.

    Read from ``-X importtime``'s cumulative figure for the module, which
    leaves out the interpreter's own start; the modules take turns, so
    machine noise hits them alike. Bytecode is kept under `cache` (a
    first, untimed run writes it), whatever ``PYTHONDONTWRITEBYTECODE``
    says, so no module is compiled from source while timed.
    """
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs: dict[str, list[float]] = {module: [] for module in modules}
    for number in range(IMPORT_RUNS + 1):
        for module in modules:
            command = [sys.executable, "-X", f"pycache_prefix={cache}"]
            command += ["-X", "importtime", "-c", f"import {module}"]
            done = subprocess.run(
                command, capture_output=True, text=True, check=True, env=env
            )
            if number:
                runs[module].append(_cumulative_us(done.stderr, module) / 1000)

    return {module: statistics.median(ms) for module, ms in runs.items()}


def _cumulative_us(report: str, module: str) -> int:
    for line in reversed(report.splitlines()):
        fields = [part.strip() for part in line.split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])

    raise RuntimeError(f"-X importtime did not report {module}")


def print_imports() -> None:
    with tempfile.TemporaryDirectory() as cache:
        medians = import_ms(("aiohttp", "paradigm_async"), cache)
    base, ours = medians["aiohttp"], medians["paradigm_async"]
    print(
        f"import paradigm_async {ours:.0f} ms, import aiohttp {base:.0f} ms "
        f"(medians of {IMPORT_RUNS} fresh interpreters, bytecode cached): "
        f"{ours / base:.2f}x, {ours - base:+.0f} ms"
    )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"rounds of {BATCH} calls of each kind per client "
        f"(default {DEFAULT_ROUNDS})",
    )
    parser.add_argument(
        "--server-process",
        action="store_true",
        help="run the server in a process of its own: each call then "
        "also waits for the other process to wake up",
    )

    return parser.parse_args()


def print_setup(rounds: int, apart: bool) -> None:
    where = "in its own process" if apart else "on the clients' own loop"
    print(
        f"python {platform.python_version()}, paradigm-async "
        f"{paradigm_async.__version__}, aiohttp {aiohttp.__version__}, "
        f"httpx {httpx.__version__}, {JSON_LIBRARY}"
    )
    print(
        f"{rounds} rounds x {BATCH} calls of each kind per client, after "
        f"{WARMUP_ROUNDS} warm-up rounds; one replaying server on "
        f"127.0.0.1 {where}"
    )
    if not _importable("sniffio"):
        print(
            "note: sniffio is not installed, so httpcore tries (and fails) "
            "to import it several times per httpx call"
        )
    print()


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False

    return True


def main() -> None:
    arguments = parse_arguments()
    rounds: int = arguments.rounds
    apart: bool = arguments.server_process

    answers = asyncio.run(capture())
    job_id: str = loads(answers["get"][2])["data"]["id"]
    print_setup(rounds, apart)
    samples = measure(answers, job_id, rounds, apart)
    print_calls(samples)
    print()
    print_decode(answers["list"][2], samples)
    print_imports()


if __name__ == "__main__":
    main()
