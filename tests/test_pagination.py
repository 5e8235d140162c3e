"""Walking lists: every page, each id once, an empty page ends it."""

from __future__ import annotations

import contextlib
import gc
import inspect

import hypothesis
import pytest
from aiohttp import web
from hypothesis import strategies as st
from lying_server import lying_server

from paradigm_async import Lead, ParadigmClient
from paradigm_async._pagination import _unseen
from paradigm_async.sandbox import Sandbox


async def make(client: ParadigmClient, count: int) -> list[str]:
    ids = []
    for n in range(count):
        job = await client.jobs.create(Lead(email=f"p{n}@example.com"))
        ids.append(job.id)
    return ids


async def test_list_walks_every_page(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    ids = await make(client, 45)
    sandbox.reset_requests()

    listed = [job.id async for job in client.jobs.list(limit=20)]

    assert sorted(listed) == sorted(ids)
    offsets = [r.query_string for r in sandbox.requests]
    assert offsets == ["limit=20", "limit=20&offset=20", "limit=20&offset=40"]


async def test_pages_report_their_pagination(
    client: ParadigmClient,
) -> None:
    await make(client, 7)

    pages = [page async for page in client.jobs.list(limit=3).pages()]

    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.has_more for page in pages] == [True, True, False]
    assert pages[0].pagination is not None
    assert pages[0].pagination.total == 7


async def test_no_id_is_yielded_twice_when_items_arrive_mid_walk(
    client: ParadigmClient,
) -> None:
    """Newest first: a create during the walk shifts offsets back by one."""
    await make(client, 6)
    seen = []

    async for job in client.jobs.list(limit=2):
        seen.append(job.id)
        if len(seen) in (2, 4):
            await make(client, 1)

    assert len(seen) == len(set(seen))
    assert len(seen) >= 6


async def test_status_filter(client: ParadigmClient) -> None:
    good = await client.jobs.create(Lead(email="g@example.com"))
    bad = await client.jobs.create(
        Lead(email="b@example.com", company_domain="x.invalid")
    )
    await client.jobs.wait(good.id, poll_interval=0.02)
    await client.jobs.wait(bad.id, poll_interval=0.02)

    failed = await client.jobs.list(status="failed").collect()

    assert [job.id for job in failed] == [bad.id]


async def test_an_empty_page_ends_the_walk() -> None:
    """Even when it says has_more: what the sandbox never does."""

    async def jobs(request: web.Request) -> web.Response:
        offset = int(request.query.get("offset", 0))
        data = [{"id": "job_a", "status": "queued"}] if offset == 0 else []
        return web.json_response(
            {"data": data, "pagination": {"offset": offset, "has_more": True}}
        )

    async with (
        lying_server(jobs) as (url, hits),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None
        ) as client,
    ):
        listed = await client.jobs.list().collect()

    assert [job.id for job in listed] == ["job_a"]
    assert len(hits) == 2


async def test_a_server_that_ignores_offset_is_not_asked_forever() -> None:
    async def same_page(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "data": [
                    {"id": "job_a", "status": "queued"},
                    {"id": "job_b", "status": "queued"},
                ],
                "pagination": {"offset": 0, "total": 1000, "has_more": True},
            }
        )

    async with (
        lying_server(same_page) as (url, hits),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None
        ) as client,
    ):
        jobs = await client.jobs.list().collect()

    assert [job.id for job in jobs] == ["job_a", "job_b"]
    assert len(hits) == 2


def _open_walks() -> list[object]:
    """The paginators' inner walks still suspended somewhere."""
    return [
        thing
        for thing in gc.get_objects()
        if inspect.isasyncgen(thing)
        and thing.ag_code.co_name == "_walk"
        and thing.ag_frame is not None
    ]


@pytest.mark.parametrize("over", ["items", "pages"])
async def test_closing_the_iterator_closes_its_walk_at_once(
    client: ParadigmClient, over: str
) -> None:
    """Leaving a loop early and closing the iterator leaves nothing for
    the event loop to finalise later."""
    await make(client, 5)
    paginator = client.jobs.list(limit=2)
    iterator = paginator.pages() if over == "pages" else aiter(paginator)

    async with contextlib.aclosing(iterator):
        async for _ in iterator:
            assert len(_open_walks()) == 1
            break

    assert _open_walks() == []


async def test_repeats_within_and_across_pages_are_yielded_once() -> None:
    pages = {
        0: ["job_a", "job_b", "job_a"],
        3: ["job_b", "job_c", "job_c", "job_d"],
        7: ["job_e"],
    }

    async def jobs(request: web.Request) -> web.Response:
        offset = int(request.query.get("offset", 0))
        data = [{"id": i, "status": "queued"} for i in pages.get(offset, [])]
        return web.json_response(
            {
                "data": data,
                "pagination": {"offset": offset, "has_more": offset < 7},
            }
        )

    async with (
        lying_server(jobs) as (url, hits),
        ParadigmClient(
            api_key="pk_live_x", base_url=url, rate_limit=None
        ) as client,
    ):
        listed = [job.id async for job in client.jobs.list()]

    assert listed == ["job_a", "job_b", "job_c", "job_d", "job_e"]
    assert len(hits) == 3


@hypothesis.given(
    pages=st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8)),
)
def test_each_key_is_kept_once_in_first_seen_order(
    pages: list[list[str]],
) -> None:
    """The walk's filter against the obvious one, page after page."""
    seen: set[str] = set()
    expected_seen: set[str] = set()
    for page in pages:
        expected = []
        for key in page:
            if key not in expected_seen:
                expected_seen.add(key)
                expected.append(key)

        assert _unseen(page, str, seen) == expected
        assert seen == expected_seen
