"""``AsyncPager`` and ``SyncPager`` take the same decisions: which arguments each page gets,
when to stop, what one page is, and when a server's pages would never end (``PaginationError``):
a cursor handed back again (A, B, A, ...) or ``MAX_EMPTY_PAGES`` empty pages in a row."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import (
    APIError,
    AsyncDebtCore,
    AsyncPager,
    DebtCore,
    PaginationError,
    SyncPager,
)
from alleviate_debtcore._models import UNSET
from alleviate_debtcore._pagination import MAX_EMPTY_PAGES


def _payload(nodes: list[str], cursor: str | None, more: bool) -> Any:
    connection = SimpleNamespace(
        edges=[SimpleNamespace(node=n) for n in nodes] + [None, SimpleNamespace(node=None)],
        page_info=SimpleNamespace(has_next_page=more, end_cursor=cursor),
        total_count=5,
    )
    return SimpleNamespace(data=connection, errors=None)


PAGES = {
    None: _payload(["a", "b"], "c1", True),
    "c1": _payload(["c", "d"], "c2", True),
    "c2": _payload(["e"], "c3", False),
}
# A server that hands back the cursor it was given would loop forever.
LOOPING = {None: _payload(["a"], "c1", True), "c1": _payload(["b"], "c1", True)}
# Cursors alternating A, B, A, B, ... with hasNextPage true.
CYCLING = {
    None: _payload(["a"], "A", True),
    "A": _payload(["b"], "B", True),
    "B": _payload(["c"], "A", True),
}
# Far beyond what a pager may follow before it stops: the servers ran past 2,000 pages.
RUNAWAY = 100


class Recorder:
    def __init__(self, pages: dict[str | None, Any] | Callable[[str | None], Any]) -> None:
        self.pages = pages
        self.calls: list[dict[str, object]] = []

    def fetch(self, **arguments: object) -> Any:
        self.calls.append(arguments)
        if len(self.calls) > RUNAWAY:
            raise AssertionError(f"the pager ran past {RUNAWAY} pages")
        after = arguments.get("after")
        cursor = after if isinstance(after, str) else None
        return self.pages(cursor) if callable(self.pages) else self.pages[cursor]

    async def afetch(self, **arguments: object) -> Any:
        return self.fetch(**arguments)


ARGUMENTS = {"first": 2, "skip": 1, "after": UNSET, "timeout": None}


def test_sync_pager_walks_every_page_and_swaps_the_cursor() -> None:
    recorder = Recorder(PAGES)
    assert list(SyncPager[str, Any](recorder.fetch, ARGUMENTS)) == ["a", "b", "c", "d", "e"]
    assert [(c["after"], c["skip"]) for c in recorder.calls] == [
        (UNSET, 1),
        ("c1", UNSET),  # skip applies to the first page only
        ("c2", UNSET),
    ]


async def test_async_pager_takes_the_same_steps() -> None:
    sync, async_ = Recorder(PAGES), Recorder(PAGES)
    list(SyncPager[str, Any](sync.fetch, ARGUMENTS))
    nodes = [n async for n in AsyncPager[str, Any](async_.afetch, ARGUMENTS)]
    assert nodes == ["a", "b", "c", "d", "e"] and async_.calls == sync.calls


async def test_one_page_each_way() -> None:
    sync, async_ = Recorder(PAGES), Recorder(PAGES)
    page = SyncPager[str, Any](sync.fetch, ARGUMENTS).first_page()
    assert page.nodes == ["a", "b"] and page.has_next_page and page.total_count == 5
    pager = AsyncPager[str, Any](async_.afetch, ARGUMENTS)
    assert (await pager.first_page()).nodes == (await pager).nodes == ["a", "b"]
    assert len(sync.calls) == 1 and len(async_.calls) == 2


def _fresh_empty_pages(cursor: str | None) -> Any:
    """Every page empty, each with a cursor never seen before, each saying there are more."""
    number = 0 if cursor is None else int(cursor.removeprefix("c"))
    return _payload([], f"c{number + 1}", True)


def _walk_sync(recorder: Recorder, arguments: dict[str, object] = ARGUMENTS) -> list[str]:
    nodes: list[str] = []
    with pytest.raises(PaginationError) as caught:
        nodes.extend(SyncPager[str, Any](recorder.fetch, arguments))
    assert isinstance(caught.value, APIError)
    return nodes


async def _walk_async(recorder: Recorder, arguments: dict[str, object] = ARGUMENTS) -> list[str]:
    nodes: list[str] = []
    with pytest.raises(PaginationError):
        async for node in AsyncPager[str, Any](recorder.afetch, arguments):
            nodes.append(node)
    return nodes


async def test_a_cursor_handed_back_at_once_is_a_pagination_error() -> None:
    sync, async_ = Recorder(LOOPING), Recorder(LOOPING)
    # The pages before are still given: the error comes where the walk would repeat.
    assert _walk_sync(sync) == await _walk_async(async_) == ["a", "b"]
    assert len(sync.calls) == len(async_.calls) == 2


async def test_alternating_cursors_are_a_pagination_error() -> None:
    sync, async_ = Recorder(CYCLING), Recorder(CYCLING)
    assert _walk_sync(sync) == await _walk_async(async_) == ["a", "b", "c"]
    assert [c["after"] for c in sync.calls] == [UNSET, "A", "B"] and async_.calls == sync.calls


async def test_endless_empty_pages_are_a_pagination_error() -> None:
    sync, async_ = Recorder(_fresh_empty_pages), Recorder(_fresh_empty_pages)
    assert _walk_sync(sync) == await _walk_async(async_) == []
    assert len(sync.calls) == len(async_.calls) == MAX_EMPTY_PAGES == 10


async def test_a_page_with_nodes_starts_the_empty_count_again() -> None:
    # 9 empty pages, one with a node, 9 empty again, then the last: a slow server, not a broken
    # one. Twice MAX_EMPTY_PAGES - 2 empty pages in all, never MAX_EMPTY_PAGES in a row.
    def pages(cursor: str | None) -> Any:
        number = 0 if cursor is None else int(cursor.removeprefix("c"))
        if number == 19:
            return _payload(["last"], None, False)
        return _payload(["middle"] if number == 9 else [], f"c{number + 1}", True)

    assert list(SyncPager[str, Any](Recorder(pages).fetch, ARGUMENTS)) == ["middle", "last"]
    nodes = [n async for n in AsyncPager[str, Any](Recorder(pages).afetch, ARGUMENTS)]
    assert nodes == ["middle", "last"]


async def test_the_callers_own_after_counts_as_followed() -> None:
    # Asked for the page after c1, the server says the next page is after c1 again.
    arguments = {**ARGUMENTS, "after": "c1"}
    sync, async_ = Recorder(LOOPING), Recorder(LOOPING)
    assert _walk_sync(sync, arguments) == await _walk_async(async_, arguments) == ["b"]
    assert len(sync.calls) == len(async_.calls) == 1


def test_a_short_walk_of_empty_pages_ends_normally() -> None:
    pages = {
        None: _payload([], "c1", True),
        "c1": _payload([], "c2", True),
        "c2": _payload([], None, False),
    }
    assert list(SyncPager[str, Any](Recorder(pages).fetch, ARGUMENTS)) == []


def test_no_cursor_or_no_next_page_still_ends_the_walk() -> None:
    pages = {None: _payload(["a"], None, True)}  # more, but no cursor to follow: stop
    assert list(SyncPager[str, Any](Recorder(pages).fetch, ARGUMENTS)) == ["a"]
    pages = {None: _payload(["a"], "c1", False)}
    assert list(SyncPager[str, Any](Recorder(pages).fetch, ARGUMENTS)) == ["a"]


# --- through the generated operations (pytest-httpx): the error names the operation ------------

_SECRET_CURSOR = "Y3Vyc29yOkRPRSwgSk9ITg=="  # opaque, and may encode what it points at


def _creditors_server(next_cursor: Callable[[str | None], str], nodes: int) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        after = json.loads(request.content)["variables"].get("after")
        edges = [
            {
                "cursor": "e",
                "node": {"creditorId": f"cr-{i}", "creditorName": "X", "createdAt": None},
            }
            for i in range(nodes)
        ]
        connection = {
            "pageInfo": {"hasNextPage": True, "startCursor": None, "endCursor": next_cursor(after)},
            "edges": edges,
            "totalCount": 5,
        }
        return httpx.Response(
            200, json={"data": {"creditors": {"data": connection, "errors": None}}}
        )

    return answer


def _cycle(after: str | None) -> str:
    return "B" if after == _SECRET_CURSOR else _SECRET_CURSOR


def _fresh(after: str | None) -> str:
    return f"{after or ''}x"


@pytest.mark.parametrize(("next_cursor", "nodes", "pages"), [(_cycle, 1, 3), (_fresh, 0, 10)])
async def test_a_generated_pager_stops_a_runaway_server_async(
    next_cursor: Callable[[str | None], str], nodes: int, pages: int, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(_creditors_server(next_cursor, nodes), is_reusable=True)
    async with AsyncDebtCore(auth=StaticAuth()) as debtcore:
        with pytest.raises(PaginationError) as caught:
            async for _ in debtcore.credit.creditors(first=1):
                assert len(httpx_mock.get_requests()) < RUNAWAY
    assert len(httpx_mock.get_requests()) == pages
    error = caught.value
    assert (error.service, error.operation) == ("credit", "creditors")
    assert str(error).startswith("creditors on credit: the server ")
    assert _SECRET_CURSOR not in str(error) and _SECRET_CURSOR not in repr(error)


@pytest.mark.parametrize(("next_cursor", "nodes", "pages"), [(_cycle, 1, 3), (_fresh, 0, 10)])
def test_a_generated_pager_stops_a_runaway_server_sync(
    next_cursor: Callable[[str | None], str], nodes: int, pages: int, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(_creditors_server(next_cursor, nodes), is_reusable=True)
    with DebtCore(auth=StaticAuth()) as debtcore, pytest.raises(PaginationError) as caught:
        for _ in debtcore.credit.creditors(first=1):
            assert len(httpx_mock.get_requests()) < RUNAWAY
    assert len(httpx_mock.get_requests()) == pages
    assert caught.value.operation == "creditors" and _SECRET_CURSOR not in str(caught.value)
