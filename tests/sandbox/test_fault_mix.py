"""Random faults: a seeded share of a run's requests, ledgers kept right."""

from __future__ import annotations

import collections
import json
from typing import Any

import aiohttp
import pytest

from paradigm_async.sandbox import Fault, FaultKind, FaultMix, Sandbox

from ._api import LEAD, Api, running

# Kinds that answer at once, so a few hundred requests stay fast.
QUICK = {
    FaultKind.JSON_500: 1.0,
    FaultKind.HTML_502: 1.0,
    FaultKind.HTML_503: 1.0,
    FaultKind.HTML_504: 1.0,
    FaultKind.HTML_AS_JSON: 1.0,
    FaultKind.TRUNCATED_JSON: 1.0,
    FaultKind.JSON_AS_HTML: 1.0,
    FaultKind.RESET_MID_BODY: 1.0,
}


def _mixed(faults: FaultMix, seed: int = 1, **options: Any) -> Any:
    return running(
        processing_delay=0.0,
        rate_limit=None,
        faults=faults,
        seed=seed,
        **options,
    )


async def _outcome(
    api: Api,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Name what came back, as a client that reads everything sees it."""
    try:
        reply = await api.raw(method, path, json=json_body, headers=headers)
    except aiohttp.ClientPayloadError:
        return "reset mid-body"
    except aiohttp.ServerDisconnectedError:
        return "hung up"

    try:
        json.loads(reply.body)
        decoded = "json"
    except ValueError:
        decoded = "not json"

    kind = reply.headers.get("Content-Type", "-").partition(";")[0]

    return f"{reply.status} {kind} {decoded}"


async def _outcomes(api: Api, count: int) -> list[str]:
    return [await _outcome(api, "GET", "/v1/jobs") for _ in range(count)]


CLEAN = "200 application/json json"


async def test_about_the_share_of_requests_is_faulted() -> None:
    mix = FaultMix(share=0.3, weights={FaultKind.JSON_500: 1.0})
    async with _mixed(mix, seed=3) as api:
        outcomes = await _outcomes(api, 300)

    faulted = sum(outcome != CLEAN for outcome in outcomes)

    assert set(outcomes) == {CLEAN, "500 application/json json"}
    assert 60 <= faulted <= 120


async def test_weights_split_the_faulted_requests() -> None:
    weights = {FaultKind.JSON_500: 3.0, FaultKind.HTML_503: 1.0}
    async with _mixed(FaultMix(share=1.0, weights=weights), seed=5) as api:
        counts = collections.Counter(await _outcomes(api, 200))

    assert set(counts) == {
        "500 application/json json",
        "503 text/html not json",
    }
    assert 120 <= counts["500 application/json json"] <= 180


async def test_the_same_seed_meets_the_same_faults() -> None:
    mix = FaultMix(share=0.5, weights=QUICK)
    runs = []
    for seed in (7, 7, 8):
        async with _mixed(mix, seed=seed) as api:
            runs.append(await _outcomes(api, 60))

    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert len(set(runs[0])) >= 6


@pytest.mark.parametrize(("share", "clean"), [(0.0, 50), (1.0, 0)])
async def test_a_share_of_zero_or_one_faults_none_or_all(
    share: float, clean: int
) -> None:
    async with _mixed(FaultMix(share=share, weights=QUICK)) as api:
        outcomes = await _outcomes(api, 50)

    assert outcomes.count(CLEAN) == clean


async def test_the_controls_are_never_faulted() -> None:
    async with _mixed(FaultMix(share=1.0)) as api:
        replies = [
            await api.call("GET", "/_sandbox/account") for _ in range(20)
        ]

    assert {reply.status for reply in replies} == {200}


async def test_a_scripted_fault_comes_before_the_draw() -> None:
    mix = FaultMix(share=1.0, weights={FaultKind.HTML_503: 1.0})
    async with _mixed(mix) as api:
        api.sandbox.inject(Fault.json_500())
        statuses = [(await api.call("GET", "/v1/jobs")).status for _ in "ab"]

    assert statuses == [500, 503]


async def test_a_drawn_burst_holds_back_the_next_requests_of_that_key() -> (
    None
):
    # Half the draws are bursts of 4: a burst drawn mid-run shows as four
    # 429s in a row, more than independent draws would give that often.
    weights = {FaultKind.RATE_LIMIT_BURST: 1.0}
    mix = FaultMix(share=0.1, weights=weights, burst=4, retry_after=3)
    async with _mixed(mix, seed=2) as api:
        replies = [await api.call("GET", "/v1/jobs") for _ in range(100)]

    statuses = "".join("x" if r.status == 429 else "." for r in replies)
    runs = [run for run in statuses.split(".") if run]

    assert runs
    assert all(len(run) % 4 == 0 for run in runs)
    assert {r.headers["Retry-After"] for r in replies if r.status == 429} == {
        "3"
    }


async def test_every_key_idempotently_retried_is_charged_exactly_once() -> (
    None
):
    mix = FaultMix(share=0.5, router_timeout=0.02, slow_seconds=0.02)
    seen: collections.Counter[str] = collections.Counter()
    async with _mixed(mix, seed=11) as api:
        for index in range(40):
            lead = {**LEAD, "email": f"lead{index}@example.com"}
            headers = {"Idempotency-Key": f"key-{index}"}
            for _ in range(30):
                reply = await _outcome(
                    api,
                    "POST",
                    "/v1/jobs",
                    json_body={"lead": lead},
                    headers=headers,
                )
                seen[reply] += 1
                if reply == "201 application/json json":
                    break
            else:
                pytest.fail(f"key-{index} never got a clean answer")
        posts = sum(r.method == "POST" for r in api.sandbox.requests)
        listed = await _list_all(api)
        account = api.sandbox.account()

    emails = sorted(job["lead"]["email"] for job in listed)

    assert emails == sorted(f"lead{i}@example.com" for i in range(40))
    assert sum(job["credits_charged"] for job in listed) == 40
    assert (account.charged, account.balance) == (40, 1000 - 40)
    assert posts > 40
    assert {"reset mid-body", "201 text/html json"} <= set(seen)
    assert "201 application/json not json" in seen


async def _list_all(api: Api) -> list[Any]:
    reply = await api.call("GET", "/v1/jobs?limit=100")
    assert reply.status == 200, reply.text

    return list(reply.json["data"])


def test_pick_does_not_depend_on_the_order_of_the_weights() -> None:
    forward = FaultMix(
        share=0.5, weights={FaultKind.JSON_500: 1, FaultKind.HTML_503: 2}
    )
    backward = FaultMix(
        share=0.5, weights={FaultKind.HTML_503: 2, FaultKind.JSON_500: 1}
    )
    draws = [i / 100 for i in range(100)]

    assert [forward.pick(d) for d in draws] == [
        backward.pick(d) for d in draws
    ]
    assert forward.pick(0.5) is None
    # HTML_503 comes before JSON_500 in FaultKind: it takes [0, 2/3).
    assert forward.pick(0.0) == Fault.html_503()
    assert forward.pick(0.34) == Fault.json_500()


def test_the_mix_gives_its_numbers_to_the_faults() -> None:
    mix = FaultMix(
        share=0.1,
        router_timeout=0.5,
        slow_seconds=0.25,
        burst=5,
        retry_after=2,
    )

    assert mix.fault(FaultKind.ROUTER_CUT) == Fault.router_cut(0.5)
    assert mix.fault(FaultKind.SLOW_FIRST_BYTE) == Fault.slow_first_byte(0.25)
    assert mix.fault(FaultKind.RATE_LIMIT_BURST) == Fault.rate_limit_burst(
        5, 2
    )
    assert FaultMix(share=0.1).router_timeout == 30.0


def test_the_default_weights_cover_the_issue_list() -> None:
    mix = FaultMix(share=0.1)

    assert set(mix.weights) == {
        FaultKind.JSON_500,
        FaultKind.HTML_502,
        FaultKind.HTML_503,
        FaultKind.HTML_504,
        FaultKind.ROUTER_CUT,
        FaultKind.RESET_MID_BODY,
        FaultKind.TRUNCATED_JSON,
        FaultKind.SLOW_FIRST_BYTE,
        FaultKind.RATE_LIMIT_BURST,
        FaultKind.JSON_AS_HTML,
        FaultKind.HTML_AS_JSON,
    }
    with pytest.raises(TypeError):
        mix.weights[FaultKind.DELAY] = 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"share": -0.1}, "share"),
        ({"share": 1.5}, "share"),
        ({"share": float("nan")}, "share"),
        ({"weights": {FaultKind.JSON_500: -1.0}}, "JSON_500"),
        ({"weights": {FaultKind.JSON_500: float("inf")}}, "JSON_500"),
        ({"weights": {FaultKind.JSON_500: 0.0}}, "above 0"),
        ({"weights": {}}, "above 0"),
        ({"weights": {FaultKind.ERROR: 1.0}}, "ERROR"),
        ({"weights": {"json_500": 1.0}}, "not a FaultKind"),
        ({"router_timeout": -1.0}, "router_timeout"),
        ({"router_timeout": float("inf")}, "router_timeout"),
        ({"slow_seconds": -0.5}, "slow_seconds"),
        ({"burst": 0}, "burst"),
        ({"retry_after": -1}, "retry_after"),
    ],
)
def test_bad_mixes_are_refused(options: dict[str, Any], message: str) -> None:
    arguments = {"share": 0.1, **options}
    with pytest.raises(ValueError, match=message):
        FaultMix(**arguments)


def test_the_sandbox_refuses_faults_that_are_not_a_mix() -> None:
    with pytest.raises(TypeError, match="FaultMix"):
        Sandbox(faults=0.1)  # type: ignore[arg-type]
