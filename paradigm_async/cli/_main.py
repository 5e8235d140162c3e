"""Parsing the command line and running the chosen subcommand."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import attrs

from .._client import ParadigmClient
from .._errors import ParadigmError
from .._models import ResearchMode
from .._ratelimit import RateLimit
from .._version import __version__
from ..sandbox import Sandbox
from ._output import FORMATS
from .enrich import EnrichOptions, enrich_file, print_summary
from .personalize import PersonalizeOptions, personalize_file
from .resources import Commands, add_resource_commands

__all__ = ["main", "run"]

SANDBOX_RATE = RateLimit(requests=100, seconds=1.0)
"""`--sandbox` runs the documented ceiling of 100 requests on a clock
compressed sixty times (a second for a minute), so a demo is quick."""

SANDBOX_PROCESSING_DELAY = 0.3
SANDBOX_POLL_INTERVAL = 0.2
SANDBOX_MAX_INTERVAL = 0.5
"""The watcher's longest pause under `--sandbox`: 30 s on its clock."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run `paradigm` with `argv`; return the exit status."""
    try:
        return asyncio.run(run(argv))
    except KeyboardInterrupt:
        print(
            "paradigm: interrupted; with --journal, run the same command "
            "again to resume",
            file=sys.stderr,
        )
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
    _add_personalize(commands)
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
        "-o", "--output", type=Path, required=True, help="JSON lines or CSV"
    )
    _add_format(enrich)
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
        "--journal",
        type=Path,
        metavar="RUN.db",
        help="keep each row's state in this SQLite file; rerun the same "
        "command after a crash to resume without paying twice",
    )
    enrich.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="seconds between polls of unfinished enrichments (default 2, "
        "or 0.2 with --sandbox)",
    )
    enrich.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    enrich.set_defaults(run=_run_enrich)


def _add_personalize(commands: Commands) -> None:
    personalize = commands.add_parser(
        "personalize",
        help="create one personalization job per row of a lead CSV",
        description=(
            "Create one job per CSV row with a customization template, "
            "wait for them all through one poll of the job list, and "
            "write one line per row with its personalized email. The key "
            "and URL come from PARADIGM_API_KEY and PARADIGM_BASE_URL, "
            "unless --sandbox runs a local sandbox. With --sandbox and no "
            "--customization-template, a demo template is created in that "
            "sandbox (free) and its id printed; an id you pass is used "
            "as it is."
        ),
    )
    personalize.add_argument("leads", type=Path, help="the lead list, as CSV")
    personalize.add_argument(
        "-o", "--output", type=Path, required=True, help="JSON lines or CSV"
    )
    personalize.add_argument(
        "--customization-template",
        metavar="ID",
        help="the email blueprint (required unless --sandbox)",
    )
    personalize.add_argument(
        "--enrichment-template", metavar="ID", help="the research blueprint"
    )
    personalize.add_argument(
        "--mode",
        choices=[mode.value for mode in ResearchMode],
        default=ResearchMode.STANDARD.value,
        help="research mode: standard (1 credit) or premium (2)",
    )
    _add_format(personalize)
    personalize.add_argument(
        "--sandbox",
        action="store_true",
        help="run against an embedded sandbox started for this run",
    )
    personalize.add_argument(
        "--concurrency",
        type=_positive_int,
        default=8,
        help="creates at once (waits are not bounded: one poll serves all)",
    )
    personalize.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=RateLimit(),
        metavar="N/SECONDS",
        help="at most N requests in any SECONDS (default 100/60), or off; "
        "--sandbox sets its own",
    )
    personalize.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    personalize.set_defaults(run=_run_personalize)


def _add_format(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="jsonl or csv (default: csv if the output ends in .csv, "
        "else jsonl); csv repeats the input's columns",
    )


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
    sandbox.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=RateLimit(),
        metavar="N/SECONDS",
        help="the sandbox's own limit (default 100/60), or off",
    )
    sandbox.add_argument(
        "--processing-delay",
        type=float,
        default=0.2,
        metavar="SECONDS",
        help="how long research takes (default 0.2)",
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


def _check_files(leads: Path, output: Path) -> None:
    """Fail before anything starts on an input or output that cannot be."""
    if not leads.exists():
        raise ValueError(f"{leads}: no such file")
    if not leads.is_file():
        raise ValueError(f"{leads}: not a file")
    if not output.parent.is_dir():
        raise ValueError(f"{output.parent}: no such directory for the output")


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a number above 0")

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
        journal=args.journal,
        output_format=args.format,
    )
    if args.poll_interval is not None:
        options = attrs.evolve(options, poll_interval=args.poll_interval)
    _check_files(args.leads, args.output)
    if args.journal is not None and args.sandbox:
        raise ValueError(
            "--journal cannot resume against --sandbox: the embedded "
            "sandbox and its records end with the run; run `paradigm "
            "sandbox` and point PARADIGM_BASE_URL at it instead"
        )
    if not args.sandbox:
        async with ParadigmClient(rate_limit=args.rate_limit) as client:
            summary = await enrich_file(client, options)
            print_summary(summary, client)
        return summary.exit_code

    if args.poll_interval is None:
        options = attrs.evolve(options, poll_interval=SANDBOX_POLL_INTERVAL)
    async with _embedded_sandbox() as client:
        summary = await enrich_file(client, options)
        print_summary(summary, client)

    return summary.exit_code


async def _run_personalize(args: argparse.Namespace) -> int:
    _check_files(args.leads, args.output)
    template: str | None = args.customization_template
    if not args.sandbox:
        if template is None:
            raise ValueError(
                "--customization-template ID is required without --sandbox"
            )
        async with ParadigmClient(rate_limit=args.rate_limit) as client:
            options = _personalize_options(args, template)
            summary = await personalize_file(client, options)
            print_summary(summary, client)
        return summary.exit_code

    async with _embedded_sandbox() as client:
        if template is None:
            template = await _demo_template(client)
        options = attrs.evolve(
            _personalize_options(args, template),
            poll_interval=SANDBOX_POLL_INTERVAL,
            max_interval=SANDBOX_MAX_INTERVAL,
        )
        summary = await personalize_file(client, options)
        print_summary(summary, client)

    return summary.exit_code


def _personalize_options(
    args: argparse.Namespace, template: str
) -> PersonalizeOptions:
    return PersonalizeOptions(
        leads=args.leads,
        output=args.output,
        customization_template_id=template,
        enrichment_template_id=args.enrichment_template,
        research_mode=ResearchMode(args.mode),
        output_format=args.format,
        concurrency=args.concurrency,
        progress=not args.no_progress,
    )


@contextlib.asynccontextmanager
async def _embedded_sandbox() -> AsyncIterator[ParadigmClient]:
    """A sandbox for one run and a client of it; its ledger at the end."""
    rate = SANDBOX_RATE
    async with Sandbox(
        rate_limit=(rate.requests, rate.seconds),
        processing_delay=SANDBOX_PROCESSING_DELAY,
    ) as sandbox:
        print(f"sandbox: {sandbox.url}", file=sys.stderr)
        async with ParadigmClient(
            api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=rate
        ) as client:
            yield client
        account = sandbox.account()
        print(
            f"sandbox ledger: {account.charged} charged, "
            f"{account.refunded} refunded; balance {account.balance}",
            file=sys.stderr,
        )


async def _demo_template(client: ParadigmClient) -> str:
    """Create the customization template a `--sandbox` run uses. Free."""
    template = await client.blueprints.customization_templates.create(
        name="paradigm personalize demo",
        subject_template="{first_name}, an idea for {company_name}",
        tone="friendly",
    )
    print(
        f"sandbox: created customization template {template.id}",
        file=sys.stderr,
    )

    return template.id


async def _run_sandbox(args: argparse.Namespace) -> int:
    rate: RateLimit | None = args.rate_limit
    async with Sandbox(
        host=args.host,
        port=args.port,
        credits=args.credits,
        rate_limit=None if rate is None else (rate.requests, rate.seconds),
        processing_delay=args.processing_delay,
    ) as sandbox:
        print(f"Paradigm sandbox listening on {sandbox.url}")
        print(f"API key: {sandbox.api_key}")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()

    return 0
