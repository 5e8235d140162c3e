"""`paradigm enrich --journal`: killed at random, resumed, nothing lost or
paid twice.

The sandbox ignores ``Idempotency-Key`` here, as the live API may, so a
create re-sent after a crash would be a second, charged record: only the
journal and the resume's lookup of unanswered creates keep each lead to
one charge. A share of slow answers makes kills land between a create's
work and its answer, the case the lookup is for.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import sandbox_in_thread

from paradigm_async import Enrichment, ParadigmClient
from paradigm_async.sandbox import FaultKind, FaultMix, Sandbox

LEADS = 200
KILLS = 10


def write_leads(path: Path, count: int) -> list[str]:
    emails = [f"lead{i}@example.com" for i in range(count)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Email", "Company Name"])
        for i, email in enumerate(emails):
            writer.writerow([f"Lead{i}", email, "Acme"])

    return emails


def server_records(sandbox: Sandbox) -> list[Enrichment]:
    """Every enrichment on the sandbox, read over loopback."""

    async def collect() -> list[Enrichment]:
        async with ParadigmClient(
            api_key=sandbox.api_key, base_url=sandbox.url, rate_limit=None
        ) as client:
            return await client.enrichments.list(limit=100).collect()

    return asyncio.run(collect())


def start(leads: Path, out: Path, journal: Path, sandbox: Sandbox) -> Any:
    env = {
        **os.environ,
        "PARADIGM_API_KEY": sandbox.api_key,
        "PARADIGM_BASE_URL": sandbox.url,
    }
    return subprocess.Popen(
        [
            sys.executable, "-m", "paradigm_async.cli", "enrich", str(leads),
            "-o", str(out), "--journal", str(journal), "--rate-limit", "off",
            "--concurrency", "2", "--poll-interval", "0.05", "--no-progress",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def test_ten_random_kills_charge_no_lead_twice_and_lose_no_row(
    tmp_path: Path,
) -> None:
    leads, out = tmp_path / "leads.csv", tmp_path / "out.jsonl"
    journal = tmp_path / "run.db"
    emails = write_leads(leads, LEADS)
    chance = random.Random(20261204)
    kills = 0
    with sandbox_in_thread(
        rate_limit=None,
        processing_delay=0.2,
        credits=10_000,
        honor_idempotency=False,
        # A fifth of the answers come 0.6 s after the work is done:
        # a kill then often finds creates sent, charged and unanswered.
        faults=FaultMix(
            share=0.2,
            weights={FaultKind.SLOW_FIRST_BYTE: 1.0},
            slow_seconds=0.6,
        ),
        seed=7,
    ) as sandbox:
        while True:
            process = start(leads, out, journal, sandbox)
            if kills < KILLS:
                time.sleep(chance.uniform(0.5, 1.5))
                if process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    process.communicate(timeout=10)
                    kills += 1
                    continue
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            break
        records = server_records(sandbox)
        account = sandbox.account()

    assert kills == KILLS
    by_email: dict[str, int] = {}
    for record in records:
        assert record.lead is not None
        email = record.lead.email
        by_email[email] = by_email.get(email, 0) + 1
    assert sorted(by_email) == sorted(emails)
    assert max(by_email.values()) == 1, "a lead was charged twice"
    assert account.charged == LEADS
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["row"] for row in rows] == list(range(1, LEADS + 1))
    assert {row["email"] for row in rows} == set(emails)
    assert all(row["outcome"] == "completed" for row in rows)
    ids = {row["enrichment"]["id"] for row in rows}
    assert ids == {record.id for record in records}
