"""``AsyncPager`` and ``SyncPager`` take the same decisions: which arguments each page gets,
when to stop, and what one page is."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from alleviate_debtcore import AsyncPager, SyncPager
from alleviate_debtcore._models import UNSET


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
# A server that hands back the cursor it was given would loop forever: the pagers stop.
LOOPING = {None: _payload(["a"], "c1", True), "c1": _payload(["b"], "c1", True)}


class Recorder:
    def __init__(self, pages: dict[str | None, Any]) -> None:
        self.pages = pages
        self.calls: list[dict[str, object]] = []

    def fetch(self, **arguments: object) -> Any:
        self.calls.append(arguments)
        after = arguments.get("after")
        return self.pages[after if isinstance(after, str) else None]

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


async def test_a_repeated_cursor_ends_both() -> None:
    assert list(SyncPager[str, Any](Recorder(LOOPING).fetch, ARGUMENTS)) == ["a", "b"]
    pager = AsyncPager[str, Any](Recorder(LOOPING).afetch, ARGUMENTS)
    assert [n async for n in pager] == ["a", "b"]
