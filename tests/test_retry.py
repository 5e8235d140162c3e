"""The retry rule: which failures may be tried again, and the waits."""

from __future__ import annotations

import pytest

from paradigm_async import DecodeError, ParadigmClient
from paradigm_async._retry import Failure, RetryPolicy, parse_retry_after
from paradigm_async.sandbox import Fault, Sandbox

SAFE_FOR_CREATES = {Failure.NOT_SENT, Failure.RATE_LIMITED, Failure.API_FAILED}


@pytest.mark.parametrize("failure", list(Failure))
def test_reads_retry_every_retryable_failure(failure: Failure) -> None:
    policy = RetryPolicy(max_retries=2)

    assert policy.should_retry(failure, attempt=1, idempotent=True)
    assert not policy.should_retry(failure, attempt=3, idempotent=True)


@pytest.mark.parametrize("failure", list(Failure))
def test_creates_retry_only_what_cannot_charge_twice(failure: Failure) -> None:
    policy = RetryPolicy()

    allowed = policy.should_retry(failure, attempt=1, idempotent=False)

    assert allowed is (failure in SAFE_FOR_CREATES)


def test_opting_in_retries_creates_with_unknown_outcome() -> None:
    policy = RetryPolicy(retry_unknown_outcome=True)

    assert policy.should_retry(
        Failure.UNKNOWN_OUTCOME, attempt=1, idempotent=False
    )


def test_backoff_grows_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)

    delays = [[policy.delay(n) for _ in range(200)] for n in (1, 2, 3, 8)]

    assert all(0.25 <= d <= 0.5 for d in delays[0])
    assert all(0.5 <= d <= 1.0 for d in delays[1])
    assert all(2.0 <= d <= 4.0 for d in delays[3])
    assert len(set(delays[2])) > 100


def test_retry_after_is_honoured() -> None:
    policy = RetryPolicy(base_delay=0.5)

    assert 3.0 <= policy.delay(1, retry_after=3.0) <= 3.05


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("soon", None), (None, None)],
)
def test_retry_after_header_parsing(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date() -> None:
    parsed = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT")

    assert parsed == 0.0


async def test_a_garbled_answer_to_a_read_is_tried_again(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    """A 200 whose body was cut short is a failed attempt, not data."""
    sandbox.inject(Fault.truncated_json(), method="GET")

    jobs = await client.jobs.list().collect()

    assert jobs == []
    assert len(sandbox.requests) == 2


async def test_a_garbled_answer_to_a_create_is_uncertain_not_resent(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    sandbox.inject(Fault.truncated_json(), method="POST")

    with pytest.raises(DecodeError) as caught:
        await client.jobs.create({"email": "ada@example.com"})

    assert caught.value.idempotency_key is not None
    assert len(sandbox.requests) == 1
    assert client.credits.uncertain == 1
    assert sandbox.account().charged == 1
