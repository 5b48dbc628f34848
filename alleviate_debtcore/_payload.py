"""``unwrap``: a payload's ``data``, or a ``PayloadError`` carrying its business errors.

Every Debt Core operation answers ``{ data, errors }`` inside GraphQL's own ``data``; ``errors``
is where the API reports business failures (a missing field for a pull source, a stale
revision, an invalid first payment date...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from .errors import PayloadError

__all__ = ["unwrap"]

DataT = TypeVar("DataT", covariant=True)


class _ErrorItem(Protocol):
    @property
    def message(self) -> str | Sequence[str | None] | None: ...


class _Payload(Protocol[DataT]):
    @property
    def data(self) -> DataT | None: ...

    @property
    def errors(self) -> Sequence[_ErrorItem | None] | None: ...


def _messages(item: _ErrorItem) -> list[str]:
    message = item.message
    if message is None:
        return []
    if isinstance(message, str):
        return [message]
    return [m for m in message if m is not None]


def unwrap(payload: _Payload[DataT] | None, *, partial: bool = False) -> DataT:
    """Return ``payload.data``; raise ``PayloadError`` when the payload reports errors or has
    no data.

    >>> report = unwrap((await debtcore.credit.credit_report(input=...)).credit_report)

    ``partial=True`` returns the data whenever there is some, errors or not: eligibility reviews
    list per-debt findings (items with a ``debtId``) in ``errors`` beside a valid review, and
    offers may return plans with a warning. Read ``payload.errors`` yourself then. Without data,
    ``PayloadError`` is raised either way; it keeps any data in ``.data``.
    """
    if payload is None:
        raise PayloadError("the operation returned a null payload", messages=[], errors=[])
    if partial and payload.data is not None:
        return payload.data
    errors = [item for item in payload.errors or () if item is not None]
    if errors:
        messages = [text for item in errors for text in _messages(item)]
        summary = "; ".join(messages) or "no message"
        raise PayloadError(
            f"the API reported {len(errors)} error(s): {summary}",
            messages=messages,
            errors=errors,
            data=payload.data,
        )
    if payload.data is None:
        raise PayloadError("the operation returned no data and no errors", messages=[], errors=[])
    return payload.data
