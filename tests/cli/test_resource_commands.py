"""`paradigm <resource> ...`: JSON lines out, one clear line on error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from lying_server import lying_server

from paradigm_async.cli import run
from paradigm_async.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _aimed_at(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARADIGM_API_KEY", sandbox.api_key)
    monkeypatch.setenv("PARADIGM_BASE_URL", sandbox.url)


async def paradigm(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[Any], str]:
    capsys.readouterr()
    code = await run(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


async def test_jobs_list_status_limit_is_the_documented_request(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(7):
        await paradigm(
            capsys, "jobs", "create", "--set", f"lead.email=p{n}@example.com"
        )
    sandbox.reset_requests()

    code, items, _ = await paradigm(
        capsys, "jobs", "list", "--status", "completed", "--limit", "5"
    )

    assert code == 0
    [request] = sandbox.requests
    assert request.path == "/v1/jobs"
    assert request.query_string == "status=completed&limit=5"
    assert len(items) <= 5
    assert all(item["status"] == "completed" for item in items)


async def test_create_get_update_delete_from_flags_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "responder.json"
    body.write_text(
        json.dumps({"name": "SDR inbox", "mailbox": "sdr@example.com"})
    )

    _, [made], _ = await paradigm(
        capsys, "email-responders", "create", "--json", str(body),
        "--set", "reply_delay_minutes=15",
    )  # fmt: skip
    _, [changed], _ = await paradigm(
        capsys, "email-responders", "update", made["id"],
        "--set", "enabled=true", "--set", "instructions=null",
    )  # fmt: skip
    _, [fetched], _ = await paradigm(
        capsys, "email-responders", "get", made["id"]
    )
    _, [deleted], _ = await paradigm(
        capsys, "email-responders", "delete", made["id"]
    )
    code, _, err = await paradigm(
        capsys, "email-responders", "get", made["id"]
    )

    assert made["reply_delay_minutes"] == 15
    assert changed["enabled"] is True
    assert fetched == changed
    assert deleted == {"id": made["id"], "deleted": True}
    assert code == 1
    assert err.startswith("paradigm: error: 404 NOT_FOUND")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["enrichment-templates", "create", "--set", "nmae=typo"],
        ["enrichment-templates", "create", "--set", "name="],
        ["customization-templates", "create", "--set", "name=x",
         "--set", "tone=sarcastic"],
        ["jobs", "create", "--set", "lead.email=not-an-email"],
        ["jobs", "create", "--set", "research_mode=premium"],
        ["jobs", "list", "--limit", "0"],
        ["jobs", "get", "--set"],
    ],
)  # fmt: skip
async def test_bad_input_is_one_line_non_zero_and_sends_nothing(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    try:
        code, _, err = await paradigm(capsys, *argv)
    except SystemExit as exc:  # argparse's own usage errors
        code, err = int(str(exc.code)), capsys.readouterr().err

    assert code != 0
    assert err.strip().splitlines()[-1].startswith(("paradigm", "usage"))
    assert not sandbox.requests


async def test_a_missing_required_field_is_one_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await paradigm(
        capsys, "email-responders", "create", "--set", "name=x"
    )

    assert code == 1
    assert err.strip() == (
        "paradigm: error: email-responders create needs mailbox "
        "(--set KEY=VALUE or --json FILE)"
    )
    assert not sandbox.requests


async def test_a_server_message_is_printed_on_one_clean_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nasty(request: web.Request) -> web.Response:
        return web.json_response(
            {"error": {"code": "VALIDATION_ERROR",
                       "message": "bad\nthing \x1b[31mred\x1b[0m"}},
            status=400,
        )  # fmt: skip

    async with lying_server(nasty) as (url, _):
        monkeypatch.setenv("PARADIGM_BASE_URL", url)
        code, _, err = await paradigm(capsys, "jobs", "get", "job_1")

    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "\x1b" not in err


async def test_a_bad_json_file_names_itself(
    tmp_path: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{name: 1}")

    code, _, err = await paradigm(
        capsys, "enrichment-templates", "create", "--json", str(broken)
    )

    assert code == 1
    assert err.startswith(f"paradigm: error: {broken}: not valid JSON")
    assert not sandbox.requests
