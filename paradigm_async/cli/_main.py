"""Parsing the command line and running the chosen subcommand."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import attrs

from .._client import ParadigmClient
from .._errors import ParadigmError
from .._models import ResearchMode
from .._ratelimit import RateLimit
from .._version import __version__
from ..sandbox import Sandbox
from .enrich import EnrichOptions, enrich_file, print_summary
from .resources import Commands, add_resource_commands

__all__ = ["main", "run"]

SANDBOX_RATE = RateLimit(requests=100, seconds=1.0)
"""`--sandbox` runs the documented ceiling of 100 requests on a clock
compressed sixty times (a second for a minute), so a demo is quick."""

SANDBOX_PROCESSING_DELAY = 0.3
SANDBOX_POLL_INTERVAL = 0.2


def main(argv: Sequence[str] | None = None) -> int:
    """Run `paradigm` with `argv`; return the exit status."""
    try:
        return asyncio.run(run(argv))
    except KeyboardInterrupt:
        return 130


async def run(argv: Sequence[str] | None = None) -> int:
    """`main` inside a running loop: parse `argv`, run the subcommand."""
    args = _parser().parse_args(argv)
    try:
        code: int = await args.run(args)
    except (ParadigmError, OSError, ValueError, RecursionError) as exc:
        print(f"paradigm: error: {_one_line(exc)}", file=sys.stderr)
        return 1

    return code


def _one_line(exc: BaseException) -> str:
    """The error as one printable line, whatever the server put in it."""
    text = (
        str(exc)
        if not isinstance(exc, RecursionError)
        else ("the input is nested too deeply")
    )
    text = "".join(ch if ch.isprintable() else " " for ch in text)

    return " ".join(text.split())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paradigm",
        description="Paradigm API from the command line.",
    )
    parser.add_argument(
        "--version", action="version", version=f"paradigm {__version__}"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _add_enrich(commands)
    add_resource_commands(commands)
    _add_sandbox(commands)

    return parser


def _add_enrich(commands: Commands) -> None:
    enrich = commands.add_parser(
        "enrich",
        help="create one enrichment per row of a lead CSV",
        description=(
            "Create one enrichment per CSV row and write one JSON line per "
            "row. The key and URL come from PARADIGM_API_KEY and "
            "PARADIGM_BASE_URL, unless --sandbox runs a local sandbox."
        ),
    )
    enrich.add_argument("leads", type=Path, help="the lead list, as CSV")
    enrich.add_argument(
        "-o", "--output", type=Path, required=True, help="JSON lines out"
    )
    enrich.add_argument(
        "--mode",
        choices=[mode.value for mode in ResearchMode],
        default=ResearchMode.STANDARD.value,
        help="research mode: standard (1 credit) or premium (2)",
    )
    enrich.add_argument(
        "--sandbox",
        action="store_true",
        help="run against an embedded sandbox started for this run",
    )
    enrich.add_argument(
        "--concurrency", type=_positive_int, default=8, help="rows at once"
    )
    enrich.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=RateLimit(),
        metavar="N/SECONDS",
        help="at most N requests in any SECONDS (default 100/60), or off; "
        "--sandbox sets its own",
    )
    enrich.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    enrich.set_defaults(run=_run_enrich)


def _add_sandbox(commands: Commands) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the Paradigm sandbox on loopback",
        description="Serve the embedded Paradigm sandbox until Ctrl-C.",
    )
    sandbox.add_argument("--port", type=_port, default=8080)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument(
        "--credits", type=int, default=1000, help="starting balance"
    )
    sandbox.set_defaults(run=_run_sandbox)


def _rate_limit(text: str) -> RateLimit | None:
    if text == "off":
        return None
    requests, _, seconds = text.partition("/")
    try:
        return RateLimit(requests=int(requests), seconds=float(seconds))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            "expected N/SECONDS, such as 100/60, or off"
        ) from exc


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be from 0 to 65535")

    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")

    return value


async def _run_enrich(args: argparse.Namespace) -> int:
    options = EnrichOptions(
        leads=args.leads,
        output=args.output,
        research_mode=ResearchMode(args.mode),
        concurrency=args.concurrency,
        progress=not args.no_progress,
    )
    if not args.leads.is_file():
        raise ValueError(f"{args.leads}: no such file")
    if not args.sandbox:
        async with ParadigmClient(rate_limit=args.rate_limit) as client:
            summary = await enrich_file(client, options)
            print_summary(summary, client)
        return 0 if summary.stopped is None else 1

    rate = SANDBOX_RATE
    async with Sandbox(
        rate_limit=(rate.requests, rate.seconds),
        processing_delay=SANDBOX_PROCESSING_DELAY,
    ) as sandbox:
        print(f"sandbox: {sandbox.url}", file=sys.stderr)
        async with ParadigmClient(
            api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=rate
        ) as client:
            options = attrs.evolve(
                options, poll_interval=SANDBOX_POLL_INTERVAL
            )
            summary = await enrich_file(client, options)
            print_summary(summary, client)
        account = sandbox.account()
        print(
            f"sandbox ledger: {account.charged} charged, "
            f"{account.refunded} refunded; balance {account.balance}",
            file=sys.stderr,
        )

    return 0 if summary.stopped is None else 1


async def _run_sandbox(args: argparse.Namespace) -> int:
    async with Sandbox(
        host=args.host, port=args.port, credits=args.credits
    ) as sandbox:
        print(f"Paradigm sandbox listening on {sandbox.url}")
        print(f"API key: {sandbox.api_key}")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()

    return 0
