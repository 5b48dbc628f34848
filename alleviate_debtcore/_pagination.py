"""Pages of the five connection operations (``credit_reports``, ``creditors``, ...).

``await debtcore.credit.credit_reports(first=50)`` gives one ``Page``; ``async for report in
debtcore.credit.credit_reports(first=50)`` gives every node, following ``pageInfo.endCursor``
while ``hasNextPage``. ``DebtCore``'s ``SyncPager`` is the same with ``.first_page()`` and ``for``;
both take their decisions (next cursor, next arguments) from the functions below.
The generated method hands the pager its payload-returning twin and its arguments; the pager
only swaps the cursor (and drops ``skip``, which applies to the first page).
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from ._models import UNSET
from ._payload import payload_data

__all__ = ["AsyncPager", "Page", "SyncPager"]

NodeT = TypeVar("NodeT")
ConnectionT = TypeVar("ConnectionT")


class _PageInfo(Protocol):
    @property
    def has_next_page(self) -> bool: ...

    @property
    def end_cursor(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[NodeT, ConnectionT]):
    """One page: its ``nodes``, ``page_info``, ``total_count`` and the typed ``connection``."""

    nodes: list[NodeT]
    connection: ConnectionT

    @property
    def page_info(self) -> _PageInfo:
        return cast(_PageInfo, cast(Any, self.connection).page_info)

    @property
    def total_count(self) -> int:
        return cast(int, cast(Any, self.connection).total_count)

    @property
    def has_next_page(self) -> bool:
        return self.page_info.has_next_page


def _nodes(connection: object) -> list[Any]:
    edges: Sequence[Any] = cast(Any, connection).edges or []
    return [edge.node for edge in edges if edge is not None and edge.node is not None]


def _arguments(arguments: Mapping[str, object], cursor: str | None) -> Mapping[str, object]:
    """The call's arguments for the page after ``cursor`` (None: the first page)."""
    if cursor is None:
        return arguments
    return {**arguments, "after": cursor, "skip": UNSET}


def _page(payload: object) -> Page[Any, Any]:
    connection = payload_data(cast(Any, payload))
    return Page(_nodes(connection), connection)


def _next_cursor(page: Page[Any, Any], cursor: str | None) -> str | None:
    """The cursor of the page after ``page``, or None when it was the last (or the server
    repeats a cursor, which would loop forever)."""
    info = page.page_info
    if not info.has_next_page or not info.end_cursor or info.end_cursor == cursor:
        return None
    return info.end_cursor


class AsyncPager(Generic[NodeT, ConnectionT]):
    """Awaitable (the first page) and async-iterable (every node across pages)."""

    def __init__(
        self, fetch: Callable[..., Awaitable[Any]], arguments: Mapping[str, object]
    ) -> None:
        self._fetch = fetch
        self._arguments = dict(arguments)

    async def _page(self, cursor: str | None) -> Page[NodeT, ConnectionT]:
        return _page(await self._fetch(**_arguments(self._arguments, cursor)))

    def __await__(self) -> Generator[Any, None, Page[NodeT, ConnectionT]]:
        return self._page(None).__await__()

    async def first_page(self) -> Page[NodeT, ConnectionT]:
        """The first page (what ``await pager`` gives)."""
        return await self._page(None)

    async def pages(self) -> AsyncIterator[Page[NodeT, ConnectionT]]:
        """Every page in turn, starting with the first."""
        cursor: str | None = None
        while True:
            page = await self._page(cursor)
            yield page
            cursor = _next_cursor(page, cursor)
            if cursor is None:
                return

    async def __aiter__(self) -> AsyncIterator[NodeT]:
        async for page in self.pages():
            for node in page.nodes:
                yield node


class SyncPager(Generic[NodeT, ConnectionT]):
    """``AsyncPager``'s twin for ``DebtCore``: ``first_page()`` gives one page; iterating gives
    every node across pages."""

    def __init__(self, fetch: Callable[..., Any], arguments: Mapping[str, object]) -> None:
        self._fetch = fetch
        self._arguments = dict(arguments)

    def _page(self, cursor: str | None) -> Page[NodeT, ConnectionT]:
        return _page(self._fetch(**_arguments(self._arguments, cursor)))

    def first_page(self) -> Page[NodeT, ConnectionT]:
        """The first page."""
        return self._page(None)

    def pages(self) -> Iterator[Page[NodeT, ConnectionT]]:
        """Every page in turn, starting with the first."""
        cursor: str | None = None
        while True:
            page = self._page(cursor)
            yield page
            cursor = _next_cursor(page, cursor)
            if cursor is None:
                return

    def __iter__(self) -> Iterator[NodeT]:
        for page in self.pages():
            yield from page.nodes
