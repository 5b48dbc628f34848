"""Connections: ordering, free-text search, offset and Relay cursor paging.

Cursors are opaque (base64 of the item's ID), so they stay valid while other items are added.
Without ``first`` or ``last`` a page holds ``DEFAULT_PAGE_SIZE`` items; more than
``MAX_PAGE_SIZE`` is a payload error, as are negative sizes and unknown cursors.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._payload_envelope import VALIDATION_ERROR, BusinessError, JsonDict

_T = TypeVar("_T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_PREFIX = "sandbox:"


def encode_cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + item_id).encode()).decode("ascii")


def _decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (ValueError, binascii.Error, UnicodeError):
        text = ""
    if not text.startswith(_PREFIX):
        raise BusinessError(VALIDATION_ERROR, "the cursor is not one this server issued")
    return text[len(_PREFIX) :]


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise BusinessError(VALIDATION_ERROR, f"{name} must be between 0 and {MAX_PAGE_SIZE}")


def matches_search(search: str | None, texts: Iterable[str | None]) -> bool:
    """Case-insensitive substring match of ``search`` in any of ``texts``."""
    if not search:
        return True
    needle = search.casefold()
    return any(text is not None and needle in text.casefold() for text in texts)


def sort_items(
    items: Sequence[_T],
    order: Sequence[Mapping[str, str]] | None,
    fields: Mapping[str, Callable[[_T], Any]],
) -> list[_T]:
    """Sort by each ``{field, direction}`` in turn; missing values sort last; stable."""
    result = list(items)
    for key in reversed(order or []):
        getter = fields[key["field"]]
        descending = key["direction"] == "DESC"
        present = [item for item in result if getter(item) is not None]
        absent = [item for item in result if getter(item) is None]
        present.sort(key=getter, reverse=descending)
        result = present + absent
    return result


def _plain_edge(cursor: str, node: object) -> JsonDict:
    return {"cursor": cursor, "node": node}


@dataclass(frozen=True)
class Page(Generic[_T]):
    edges: list[tuple[str, _T]]
    total_count: int
    has_next_page: bool
    has_previous_page: bool

    def connection(self, edge: Callable[[str, _T], JsonDict] | None = None) -> JsonDict:
        """The ``{totalCount, pageInfo, edges}`` object; ``edge`` builds each edge dict."""
        build = edge or _plain_edge
        return {
            "totalCount": self.total_count,
            "pageInfo": {
                "hasNextPage": self.has_next_page,
                "hasPreviousPage": self.has_previous_page,
                "startCursor": self.edges[0][0] if self.edges else None,
                "endCursor": self.edges[-1][0] if self.edges else None,
            },
            "edges": [build(cursor, node) for cursor, node in self.edges],
        }


def paginate(
    items: Sequence[_T],
    key: Callable[[_T], str],
    *,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    skip: int | None = None,
) -> Page[_T]:
    """One page of ``items`` (already filtered and ordered); ``key`` gives the cursor ID."""
    _check_size("first", first)
    _check_size("last", last)
    if skip is not None and skip < 0:
        raise BusinessError(VALIDATION_ERROR, "skip must not be negative")
    ids = [key(item) for item in items]
    start, end = 0, len(items)
    if after is not None:
        target = _decode_cursor(after)
        if target not in ids:
            raise BusinessError(VALIDATION_ERROR, "the after cursor matches no item")
        start = ids.index(target) + 1
    if before is not None:
        target = _decode_cursor(before)
        if target not in ids:
            raise BusinessError(VALIDATION_ERROR, "the before cursor matches no item")
        end = ids.index(target)
    start = min(start + (skip or 0), max(end, start))
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    if first is None and last is None:
        end = min(end, start + DEFAULT_PAGE_SIZE)
    end = max(end, start)
    return Page(
        edges=[(encode_cursor(ids[i]), items[i]) for i in range(start, end)],
        total_count=len(items),
        has_next_page=end < len(items),
        has_previous_page=start > 0,
    )


def page_args(args: JsonDict) -> dict[str, Any]:
    """The paging arguments of a connection field, ready for ``paginate(**...)``."""
    return {name: args.get(name) for name in ("first", "last", "after", "before", "skip")}
