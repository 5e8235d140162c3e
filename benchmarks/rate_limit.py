"""Each limiter against each of the sandbox's limiter models, with jitter.

Saturates the sandbox on loopback with callers that never stop and
prints, per limiter and server model: requests sent, successes per
window, 429s, and the most sends in any window. The ceiling is scaled
down to 20 requests per 2 s so that the whole table takes a few minutes;
the sandbox delays each arrival by up to 0.2 s (seeded). Retries are off,
so every 429 is counted. Needs redis-server on the PATH for the last row.
Run: ``python benchmarks/rate_limit.py``.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter

from paradigm_async import ParadigmClient, RateLimit, RateLimitError
from paradigm_async.sandbox import Sandbox

REQUESTS = 20
WINDOW = 2.0
RUN_SECONDS = 12.0
JITTER = 0.2
MODELS = ("sliding_window", "fixed_window", "token_bucket")
CALLERS = 30

WORKER = """
import asyncio, json, sys, time
from paradigm_async import ParadigmClient, RateLimit, RateLimitError

async def main(url, key, redis_url, seconds, requests, window):
    limit = RateLimit(requests=requests, seconds=window, redis_url=redis_url)
    sends, rejected = [], 0
    async with ParadigmClient(api_key=key, base_url=url, rate_limit=limit,
                              max_retries=0) as client:
        stop = time.time() + seconds

        async def caller():
            nonlocal rejected
            while time.time() < stop:
                try:
                    await client.request("GET", "/jobs")
                    sends.append(time.time())
                except RateLimitError:
                    rejected += 1

        await asyncio.gather(*(caller() for _ in range(8)))
    print(json.dumps({"sends": sends, "rejected": rejected}))

url, key, redis_url = sys.argv[1:4]
seconds, requests, window = sys.argv[4:7]
asyncio.run(main(url, key, redis_url, float(seconds), int(requests),
                 float(window)))
"""


def busiest(stamps: list[float]) -> int:
    """The most stamps in any half-open window of `WINDOW` seconds."""
    stamps = sorted(stamps)
    if not stamps:
        return 0

    return max(
        bisect.bisect_left(stamps, t + WINDOW) - i
        for i, t in enumerate(stamps)
    )


async def saturate(
    call: Callable[[], Awaitable[object]],
) -> tuple[list[float], int]:
    """Run `CALLERS` callers for `RUN_SECONDS`; successes and 429s."""
    done: list[float] = []
    rejected = 0
    stop = time.monotonic() + RUN_SECONDS

    async def caller() -> None:
        nonlocal rejected
        while time.monotonic() < stop:
            try:
                await call()
                done.append(time.monotonic())
            except RateLimitError:
                rejected += 1

    await asyncio.gather(*(caller() for _ in range(CALLERS)))

    return done, rejected


async def local_row(sandbox: Sandbox, naive: bool) -> tuple[list[float], int]:
    limit = None if naive else RateLimit(requests=REQUESTS, seconds=WINDOW)
    bucket = AsyncLimiter(REQUESTS, WINDOW)
    async with ParadigmClient(
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        rate_limit=limit,
        max_retries=0,
    ) as client:

        async def call() -> object:
            if naive:
                async with bucket:
                    return await client.request("GET", "/jobs")
            return await client.request("GET", "/jobs")

        return await saturate(call)


def redis_row(sandbox: Sandbox, redis_url: str) -> tuple[list[float], int]:
    command = [sys.executable, "-c", WORKER, sandbox.url, sandbox.api_key]
    command += [redis_url, str(RUN_SECONDS), str(REQUESTS), str(WINDOW)]
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    sends = [t for r in results for t in r["sends"]]

    return sends, sum(r["rejected"] for r in results)


def start_redis() -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)

    return server, f"redis://127.0.0.1:{port}/0"


def print_row(
    name: str, model: str, stamps: list[float], rejected: int
) -> None:
    span = (max(stamps) - min(stamps)) if len(stamps) > 1 else 0.0
    per_window = (len(stamps) - 1) / span * WINDOW if span else 0.0
    print(
        f"{name:<28} {model:<15} {len(stamps) + rejected:>6} "
        f"{per_window:>9.1f} {rejected:>5} {busiest(stamps):>8}"
    )


async def main() -> None:
    redis = start_redis()
    print(
        f"ceiling {REQUESTS} per {WINDOW:g} s; {RUN_SECONDS:g} s a row; "
        f"arrival jitter up to {JITTER:g} s\n"
    )
    print(
        f"{'limiter':<28} {'server model':<15} {'sent':>6} "
        f"{'ok per W':>9} {'429s':>5} {'busiest':>8}"
    )
    try:
        for model in MODELS:
            for name, naive in (
                (f"AsyncLimiter({REQUESTS}, {WINDOW:g})", True),
                ("paradigm_async (default)", False),
            ):
                async with Sandbox(
                    rate_limit=(REQUESTS, WINDOW),
                    rate_limit_model=model,
                    arrival_jitter=JITTER,
                    seed=7,
                    processing_delay=0,
                ) as sandbox:
                    print_row(name, model, *await local_row(sandbox, naive))
            if redis is not None:
                async with Sandbox(
                    rate_limit=(REQUESTS, WINDOW),
                    rate_limit_model=model,
                    arrival_jitter=JITTER,
                    seed=7,
                    processing_delay=0,
                ) as sandbox:
                    rows = await asyncio.to_thread(
                        redis_row, sandbox, redis[1]
                    )
                print_row("paradigm_async Redis, 4 proc", model, *rows)
    finally:
        if redis is not None:
            redis[0].terminate()
            redis[0].wait(10)


if __name__ == "__main__":
    asyncio.run(main())
