"""Pages of the five connection operations (``credit_reports``, ``creditors``, ...).

``await debtcore.credit.credit_reports(first=50)`` gives one ``Page``; ``async for report in
debtcore.credit.credit_reports(first=50)`` gives every node, following ``pageInfo.endCursor``
while ``hasNextPage``. ``DebtCore``'s ``SyncPager`` is the same with ``.first_page()`` and ``for``;
both take their decisions (next cursor, next arguments) from the functions below.
The generated method hands the pager its payload-returning twin and its arguments; the pager
only swaps the cursor (and drops ``skip``, which applies to the first page).

A server's pages must end. Walking the pages, a pager remembers every cursor it followed (the
``after`` it was given included) and raises ``PaginationError`` when the server hands one back
again (A, B, A, ... would repeat pages for ever); ``MAX_EMPTY_PAGES`` empty pages in a row that
each say ``hasNextPage`` are a ``PaginationError`` too. The pages before are yielded as usual.
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
from typing import Any, Final, Generic, Protocol, TypeVar, cast

from ._graphql_response import payload_data
from ._models import UNSET
from .errors import PaginationError

__all__ = ["MAX_EMPTY_PAGES", "AsyncPager", "Page", "SyncPager"]

# Empty pages in a row, each saying there are more, after which a pager gives up. A real server
# may leave a page or two empty (items removed meanwhile); ten in a row is one that never ends.
MAX_EMPTY_PAGES: Final = 10

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


class _Walk:
    """One walk over the pages: every cursor it followed and the run of empty pages, to stop a
    server whose pages never end. Cursors are small; one walk keeps each once."""

    __slots__ = ("empty_run", "fetch", "followed", "pages")

    def __init__(self, fetch: Callable[..., object], arguments: Mapping[str, object]) -> None:
        self.fetch = fetch
        after = arguments.get("after")
        self.followed = {after} if isinstance(after, str) else set[str]()
        self.empty_run = self.pages = 0

    def next_cursor(self, page: Page[Any, Any]) -> str | None:
        """The cursor of the page after ``page``, or None when it was the last;
        ``PaginationError`` when following it would never end."""
        info = page.page_info
        cursor = info.end_cursor
        if not info.has_next_page or not cursor:
            return None
        self.pages += 1
        self.empty_run = 0 if page.nodes else self.empty_run + 1
        if cursor in self.followed:
            raise self._error(
                "handed back a cursor this pager already followed, after "
                f"{self.pages} page{'s' if self.pages > 1 else ''}; following it would repeat "
                "pages for ever"
            )
        if self.empty_run >= MAX_EMPTY_PAGES:
            raise self._error(
                f"sent {self.empty_run} empty pages in a row, each saying there are more; a "
                f"pager gives up after {MAX_EMPTY_PAGES}"
            )
        self.followed.add(cursor)
        return cursor

    def _error(self, what: str) -> PaginationError:
        # The cursor is never shown: it is opaque and may encode what it points at.
        operation = getattr(self.fetch, "__name__", "").lstrip("_") or None
        service = getattr(getattr(self.fetch, "__self__", None), "service", None)
        service = service if isinstance(service, str) else None
        where = f"{operation or 'a connection'}{f' on {service}' if service else ''}"
        return PaginationError(f"{where}: the server {what}", service=service, operation=operation)


class AsyncPager(Generic[NodeT, ConnectionT]):
    """Awaitable (the first page) and async-iterable (every node across pages).

    Walking the pages raises ``PaginationError`` when the server hands back a cursor already
    followed, or sends ``MAX_EMPTY_PAGES`` (10) empty pages in a row that each say there are
    more."""

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
        """Every page in turn, starting with the first (``PaginationError``: see the class)."""
        walk = _Walk(self._fetch, self._arguments)
        cursor: str | None = None
        while True:
            page = await self._page(cursor)
            yield page
            cursor = walk.next_cursor(page)
            if cursor is None:
                return

    async def __aiter__(self) -> AsyncIterator[NodeT]:
        async for page in self.pages():
            for node in page.nodes:
                yield node


class SyncPager(Generic[NodeT, ConnectionT]):
    """``AsyncPager``'s twin for ``DebtCore``: ``first_page()`` gives one page; iterating gives
    every node across pages.

    Walking the pages raises ``PaginationError`` when the server hands back a cursor already
    followed, or sends ``MAX_EMPTY_PAGES`` (10) empty pages in a row that each say there are
    more."""

    def __init__(self, fetch: Callable[..., Any], arguments: Mapping[str, object]) -> None:
        self._fetch = fetch
        self._arguments = dict(arguments)

    def _page(self, cursor: str | None) -> Page[NodeT, ConnectionT]:
        return _page(self._fetch(**_arguments(self._arguments, cursor)))

    def first_page(self) -> Page[NodeT, ConnectionT]:
        """The first page."""
        return self._page(None)

    def pages(self) -> Iterator[Page[NodeT, ConnectionT]]:
        """Every page in turn, starting with the first (``PaginationError``: see the class)."""
        walk = _Walk(self._fetch, self._arguments)
        cursor: str | None = None
        while True:
            page = self._page(cursor)
            yield page
            cursor = walk.next_cursor(page)
            if cursor is None:
                return

    def __iter__(self) -> Iterator[NodeT]:
        for page in self.pages():
            yield from page.nodes
