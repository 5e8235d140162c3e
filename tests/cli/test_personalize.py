"""`paradigm personalize` end to end, and the output writer it shares with
`paradigm enrich`: a line per row, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from paradigm_async import ParadigmClient
from paradigm_async.cli import run
from paradigm_async.cli.personalize import (
    PersonalizeOptions,
    personalize_file,
)
from paradigm_async.sandbox import Sandbox

LEADS = Path(__file__).parents[2] / "examples" / "leads.csv"

SMALL = (
    "Email,Company,Website\n"
    "a@example.com,Stripe,stripe.com\n"
    ",Nobody,nobody.com\n"
    "b@example.com,Gone,gone.invalid\n"
    "not-an-email,Acme,acme.com\n"
    "c@example.com,Shopify,shopify.com\n"
)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def figures(pattern: str, text: str) -> tuple[int, ...]:
    found = re.search(pattern, text)
    assert found is not None, text
    return tuple(int(group) for group in found.groups())


def input_header() -> list[str]:
    with LEADS.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    leads = tmp_path / "leads.csv"
    leads.write_text(SMALL, encoding="utf-8")
    return leads


@pytest.fixture
def live(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """`sandbox`, reached the way a user reaches the API: the env."""
    monkeypatch.setenv("PARADIGM_API_KEY", sandbox.api_key)
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)
    return sandbox


async def test_personalize_with_the_embedded_sandbox_writes_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"

    code = await run(
        ["personalize", str(LEADS), "--sandbox", "-o", str(out),
         "--no-progress"]
    )  # fmt: skip

    assert code == 0
    rows = lines(out)
    assert [row["row"] for row in rows] == list(range(1, 221))
    stderr = capsys.readouterr().err
    ours = figures(r"\((\d+) charged, (\d+) refunded\); balance (\d+)", stderr)
    theirs = figures(
        r"sandbox ledger: (\d+) charged, (\d+) refunded; balance (\d+)", stderr
    )
    assert ours == theirs
    outcomes = [row["outcome"] for row in rows]
    assert (outcomes.count("invalid"), outcomes.count("failed")) == (5, 4)
    assert outcomes.count("completed") == 211
    assert ours[:2] == (215, 4)
    template = re.search(r"created customization template (\S+)", stderr)
    assert template is not None
    for row in rows:
        job = row["job"]
        if row["outcome"] == "completed":
            assert isinstance(job, dict)
            assert job["customization_template_id"] == template.group(1)
            assert job["result"]["subject"]
            assert job["result"]["body"].startswith("Hi ")
        if row["outcome"] == "invalid":
            assert job is None
            assert row["credits"] == 0


async def test_personalize_writes_csv_with_the_input_columns_first(
    tmp_path: Path,
) -> None:
    out = tmp_path / "emails.csv"

    code = await run(
        ["personalize", str(LEADS), "--sandbox", "-o", str(out),
         "--no-progress"]
    )  # fmt: skip

    assert code == 0
    header, rows = table(out)
    inputs = input_header()
    assert header == [
        *inputs,
        "outcome", "status", "credits", "error", "error_code",
        "job_id", "subject", "body", "enrichment_id",
    ]  # fmt: skip
    assert len(rows) == 220
    with LEADS.open(newline="", encoding="utf-8") as handle:
        originals = list(csv.DictReader(handle))
    for row, original in zip(rows, originals, strict=True):
        assert {name: row[name] for name in inputs} == {
            name: (original[name] or "").strip() for name in inputs
        }
        if row["outcome"] == "completed":
            assert row["job_id"].startswith("job_")
            assert row["subject"]
            assert row["credits"] == "1"
        elif row["outcome"] == "failed":
            assert row["error_code"] == "RESEARCH_FAILED"
            assert row["credits"] == "0"
        else:
            assert row["outcome"] == "invalid"
            assert (row["job_id"], row["error_code"]) == (
                "",
                "InvalidInputError",
            )


async def test_credits_match_the_ledger_and_invalid_rows_are_not_sent(
    tmp_path: Path,
    small: Path,
    live: Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out.jsonl"

    code = await run(
        ["personalize", str(small), "-o", str(out), "--mode", "premium",
         "--customization-template", "ct_given",
         "--enrichment-template", "et_given",
         "--rate-limit", "off", "--no-progress"]
    )  # fmt: skip

    assert code == 0
    rows = lines(out)
    assert [row["outcome"] for row in rows] == [
        "completed", "invalid", "failed", "invalid", "completed",
    ]  # fmt: skip
    assert [row["credits"] for row in rows] == [2, 0, 0, 0, 2]
    account = live.account()
    assert (account.charged, account.refunded) == (6, 2)
    assert "credits: 4 net (6 charged, 2 refunded)" in capsys.readouterr().err
    creates = [
        json.loads(r.body)
        for r in live.requests
        if r.method == "POST" and r.path == "/v1/jobs"
    ]
    assert sorted(body["lead"]["email"] for body in creates) == [
        "a@example.com", "b@example.com", "c@example.com",
    ]  # fmt: skip
    for body in creates:
        assert body["customization_template_id"] == "ct_given"
        assert body["enrichment_template_id"] == "et_given"
        assert body["research_mode"] == "premium"
    single_gets = [
        r
        for r in live.requests
        if r.method == "GET" and r.path.startswith("/v1/jobs/")
    ]
    assert single_gets == []


@pytest.mark.parametrize(
    ("name", "flag", "expected"),
    [
        ("out.txt", "csv", "csv"),
        ("out.csv", "jsonl", "jsonl"),
        ("OUT.CSV", None, "csv"),
        ("out.json", None, "jsonl"),
    ],
)
async def test_the_format_flag_wins_over_the_extension(
    tmp_path: Path,
    small: Path,
    live: Sandbox,
    name: str,
    flag: str | None,
    expected: str,
) -> None:
    out = tmp_path / name
    chosen = [] if flag is None else ["--format", flag]

    code = await run(
        ["personalize", str(small), "-o", str(out), *chosen,
         "--customization-template", "ct_1", "--rate-limit", "off",
         "--no-progress"]
    )  # fmt: skip

    assert code == 0
    text = out.read_text(encoding="utf-8")
    if expected == "csv":
        assert text.startswith("Email,Company,Website,outcome,")
        assert len(table(out)[1]) == 5
    else:
        assert [line["row"] for line in lines(out)] == [1, 2, 3, 4, 5]


async def test_a_template_is_required_without_the_sandbox(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"

    code = await run(["personalize", str(small), "-o", str(out)])

    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "paradigm: error: --customization-template ID is required without "
        "--sandbox"
    )
    assert not out.exists()


async def test_a_bad_key_stops_the_run_and_every_row_still_gets_a_line(
    tmp_path: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARADIGM_API_KEY", "pk_live_wrong")
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)
    out = tmp_path / "out.jsonl"

    code = await run(
        ["personalize", str(LEADS), "-o", str(out), "--no-progress",
         "--customization-template", "ct_1", "--rate-limit", "off",
         "--concurrency", "1"]
    )  # fmt: skip

    assert code == 1
    rows = lines(out)
    assert len(rows) == 220
    assert rows[0]["outcome"] == "errors"
    assert {row["outcome"] for row in rows[1:]} <= {"skipped", "invalid"}
    assert len(sandbox.requests) == 1


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
        options = PersonalizeOptions(
            leads=leads,
            output=out,
            customization_template_id="ct_1",
            wait_timeout=0.2,
            poll_interval=0.05,
            progress=False,
        )
        summary = await personalize_file(client, options)

    [row] = lines(out)
    assert summary.errors == 1
    assert row["outcome"] == "errors"
    assert row["credits"] == 1
    assert isinstance(row["job"], dict)
    assert row["job"]["id"].startswith("job_")
    assert isinstance(row["error"], dict)
    assert row["error"]["type"] == "WaitTimeoutError"


async def test_enrich_writes_csv_through_the_same_writer(
    tmp_path: Path, small: Path, live: Sandbox
) -> None:
    out = tmp_path / "enriched.csv"

    code = await run(
        ["enrich", str(small), "-o", str(out), "--rate-limit", "off",
         "--no-progress"]
    )  # fmt: skip

    assert code == 0
    header, rows = table(out)
    assert header[:4] == ["Email", "Company", "Website", "outcome"]
    assert "company_summary" in header
    assert [row["outcome"] for row in rows] == [
        "completed", "invalid", "failed", "invalid", "completed",
    ]  # fmt: skip
    assert rows[0]["company_name"] == "Stripe"
    assert rows[0]["enrichment_id"].startswith("enr_")
    assert "; " in rows[0]["signals"]


async def enrich_to_csv(
    tmp_path: Path, leads_text: str
) -> tuple[list[str], list[dict[str, str]]]:
    """Run ``paradigm enrich`` on `leads_text` to a CSV; its table."""
    leads = tmp_path / "leads.csv"
    leads.write_text(leads_text, encoding="utf-8")
    out = tmp_path / "out.csv"

    code = await run(
        ["enrich", str(leads), "-o", str(out), "--rate-limit", "off",
         "--no-progress"]
    )  # fmt: skip

    assert code == 0
    return table(out)


async def test_csv_output_lines_up_rows_around_blank_lines(
    tmp_path: Path, live: Sandbox
) -> None:
    """A blank line in the input is no row: the output's rows still meet
    their input rows (a miscount once stopped the run after paying)."""
    _, rows = await enrich_to_csv(
        tmp_path,
        "Email,Note\r\n\r\na@example.com,one\r\n\r\nb@example.com,two\r\n",
    )

    assert [(r["Email"], r["Note"], r["outcome"]) for r in rows] == [
        ("a@example.com", "one", "completed"),
        ("b@example.com", "two", "completed"),
    ]


async def test_csv_defuses_formulas_from_the_server_and_renames_clashes(
    tmp_path: Path, live: Sandbox
) -> None:
    """The input's cells go back as read; the server's text may not start
    a formula; a result column named like an input one is prefixed."""
    header, [row] = await enrich_to_csv(
        tmp_path,
        'Email,Company,status\na@example.com,"=HYPERLINK(""x"")",vip\n',
    )
    assert header[:5] == [
        "Email", "Company", "status", "outcome", "paradigm_status",
    ]  # fmt: skip
    assert row["Company"] == '=HYPERLINK("x")'
    assert row["status"] == "vip"
    assert row["paradigm_status"] == "completed"
    assert row["company_name"] == '\'=HYPERLINK("x")'
