"""`paradigm enrich` end to end: a line per row, credits that agree."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from paradigm_async import ParadigmClient
from paradigm_async.cli import run
from paradigm_async.cli.enrich import EnrichOptions, enrich_file
from paradigm_async.sandbox import Sandbox

LEADS = Path(__file__).parents[2] / "examples" / "leads.csv"
Completed = subprocess.CompletedProcess[str]


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def figures(pattern: str, text: str) -> tuple[int, ...]:
    found = re.search(pattern, text)
    assert found is not None, text
    return tuple(int(group) for group in found.groups())


async def test_enrich_with_the_embedded_sandbox_writes_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"

    code = await run(["enrich", str(LEADS), "--sandbox", "-o", str(out)])

    assert code == 0
    rows = lines(out)
    with LEADS.open(encoding="utf-8") as handle:
        expected = sum(1 for _ in handle) - 1
    assert [row["row"] for row in rows] == list(range(1, expected + 1))
    stderr = capsys.readouterr().err
    ours = figures(r"\((\d+) charged, (\d+) refunded\); balance (\d+)", stderr)
    theirs = figures(
        r"sandbox ledger: (\d+) charged, (\d+) refunded; balance (\d+)", stderr
    )
    assert ours == theirs
    outcomes = [row["outcome"] for row in rows]
    assert outcomes.count("invalid") == 5
    assert outcomes.count("failed") == 4
    charged = outcomes.count("completed") + outcomes.count("failed")
    assert ours[0] == charged


async def test_enrich_credits_match_the_sandbox_ledger(
    tmp_path: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Key and URL from the environment; premium costs 2 a row."""
    monkeypatch.setenv("PARADIGM_API_KEY", sandbox.api_key)
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "Email,Company,Website\n"
        "a@example.com,Stripe,stripe.com\n"
        ",Nobody,nobody.com\n"
        "b@example.com,Gone,gone.invalid\n"
        "not-an-email,Acme,acme.com\n"
        "c@example.com,Shopify,shopify.com\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"

    code = await run(
        [
            "enrich", str(leads), "-o", str(out), "--mode", "premium",
            "--rate-limit", "off", "--no-progress",
        ]
    )  # fmt: skip

    assert code == 0
    rows = lines(out)
    assert [row["outcome"] for row in rows] == [
        "completed", "invalid", "failed", "invalid", "completed",
    ]  # fmt: skip
    assert [row["credits"] for row in rows] == [2, 0, 0, 0, 2]
    account = sandbox.account()
    assert (account.charged, account.refunded) == (6, 2)
    stderr = capsys.readouterr().err
    assert "credits: 4 net (6 charged, 2 refunded)" in stderr


async def test_a_bad_key_stops_the_run_and_every_row_still_gets_a_line(
    tmp_path: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARADIGM_API_KEY", "pk_live_wrong")
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)
    out = tmp_path / "out.jsonl"

    code = await run(
        ["enrich", str(LEADS), "-o", str(out), "--no-progress",
         "--rate-limit", "off", "--concurrency", "1"]
    )  # fmt: skip

    assert code == 1
    rows = lines(out)
    assert len(rows) == 220
    assert rows[0]["outcome"] == "errors"
    assert {row["outcome"] for row in rows[1:]} <= {"skipped", "invalid"}
    assert len(sandbox.requests) == 1


def paradigm(*args: str, env: dict[str, str] | None = None) -> Completed:
    """Run the installed console script, as a user would."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("paradigm")), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_missing_key_is_one_clear_line_and_a_non_zero_exit(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARA")}

    done = paradigm("enrich", str(LEADS), "-o", str(tmp_path / "o"), env=env)

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "paradigm: error: no API key: pass api_key= or set PARADIGM_API_KEY"
    ]


async def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run(
        ["enrich", str(tmp_path / "nope.csv"), "--sandbox", "-o", "x.jsonl"]
    )

    assert code == 1
    assert "nope.csv" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    done = paradigm("--version")

    assert done.returncode == 0
    assert done.stdout.startswith("paradigm 0.")


async def test_a_charged_row_whose_wait_fails_keeps_its_id_and_cost(
    tmp_path: Path,
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Email\na@example.com\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    slow = Sandbox(rate_limit=None, processing_delay=30)
    async with (
        slow,
        ParadigmClient(
            api_key=slow.api_key, base_url=slow.url, rate_limit=None
        ) as client,
    ):
        options = EnrichOptions(
            leads=leads,
            output=out,
            wait_timeout=0.2,
            poll_interval=0.05,
            progress=False,
        )
        summary = await enrich_file(client, options)

    [row] = lines(out)
    assert summary.errors == 1
    assert row["outcome"] == "errors"
    assert row["credits"] == 1
    assert row["enrichment"]["id"].startswith("enr_")
    assert row["error"]["type"] == "WaitTimeoutError"


def test_ctrl_c_says_how_to_resume(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("paradigm")), "enrich",
            str(LEADS), "--sandbox", "-o", str(tmp_path / "out.jsonl"),
            "--no-progress",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stderr is not None
    assert process.stderr.readline().startswith("sandbox: ")  # running

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 130
    assert "run the same command again to resume" in stderr
