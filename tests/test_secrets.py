"""The API key never shows: not in logs, reprs, errors or tracebacks."""

from __future__ import annotations

import logging
import traceback

import pytest

from paradigm_async import (
    APIConnectionError,
    APIError,
    Lead,
    ParadigmClient,
    ParadigmError,
)
from paradigm_async.sandbox import Fault, Sandbox

SECRET = "pk_live_do_not_leak_4242"


def everything_logged(records: list[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(vars(record)))
    return "\n".join(parts)


async def test_the_key_appears_in_no_log_line_repr_or_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    sandbox.inject(Fault.html_503())
    sandbox.inject(Fault.drop_after(), method="POST")
    async with ParadigmClient(
        api_key=SECRET, base_url=sandbox.url, rate_limit=None
    ) as client:
        for attempt in (
            client.jobs.get("job_1"),
            client.jobs.create(Lead(email="a@example.com")),
            client.enrichments.get("../x"),
        ):
            try:
                await attempt
            except ParadigmError as exc:
                errors.append(exc)
        shown = repr(client) + repr(client.jobs) + repr(client.credits)

    assert caplog.records, "DEBUG logging produced nothing to check"
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert SECRET not in everything_logged(caplog.records)
    assert SECRET not in shown
    assert len(errors) == 3
    assert any(isinstance(e, APIConnectionError) for e in errors)
    assert any(isinstance(e, APIError) for e in errors)
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert SECRET not in text
        assert SECRET not in repr(vars(error))


async def test_one_info_line_per_completed_request(
    client: ParadigmClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="paradigm_async")

    await client.jobs.list(limit=5).collect()

    [record] = [r for r in caplog.records if r.levelno == logging.INFO]
    assert record.name == "paradigm_async.transport"
    assert record.getMessage().startswith("GET /jobs 200 ")
    assert getattr(record, "paradigm.status") == 200
    assert getattr(record, "paradigm.attempt") == 1
