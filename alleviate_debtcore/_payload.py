"""A payload's ``data``, or a ``PayloadError`` carrying its business errors.

The generated methods return ``payload_data(payload)``: the data whenever there is some (errors
beside it are findings or warnings the caller reads through ``with_payload``). ``unwrap`` is the
same rule for payloads obtained through ``with_payload``, stricter by default.

Every Debt Core operation answers ``{ data, errors }`` inside GraphQL's own ``data``; ``errors``
is where the API reports business failures (a missing field for a pull source, a stale
revision, an invalid first payment date...). Each message reads ``CODE`` or ``CODE: detail``
(``NOT_FOUND: no credit report with creditReportId cr-1``); a ``NOT_FOUND`` among them raises
``NotFoundError``, any other ``PayloadError``. The exception's text is redacted of the values
the call sent (``_redaction``); its ``messages``, ``errors`` and ``data`` are the payload's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol, TypeVar, cast

from ._redaction import Redactor
from .errors import NotFoundError, PayloadError

__all__ = ["payload_data", "unwrap"]

DataT = TypeVar("DataT", covariant=True)

NOT_FOUND: Final = "NOT_FOUND"


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


def _code(message: str) -> str:
    return message.partition(":")[0].strip()


def payload_data(payload: _Payload[DataT] | None) -> DataT:
    """``payload.data`` when there is some (errors or not), else ``PayloadError``."""
    if payload is not None and payload.data is not None:
        return payload.data
    return unwrap(payload)


def unwrap(payload: _Payload[DataT] | None, *, partial: bool = False) -> DataT:
    """Return ``payload.data``; raise ``PayloadError`` when the payload reports errors or has
    no data.

    >>> payload = await debtcore.credit.with_payload.credit_report(report_id)
    >>> report = unwrap(payload)

    ``partial=True`` returns the data whenever there is some, errors or not (what the methods
    without ``with_payload`` do): eligibility reviews list per-debt findings (items with a
    ``debtId``) in ``errors`` beside a valid review, and offers may return plans with a warning.
    Without data, ``PayloadError`` is raised either way (``NotFoundError`` when an error is
    ``NOT_FOUND``); it keeps any data in ``.data`` and the call's ``request_id``.
    """
    if payload is None:
        raise PayloadError("the operation returned a null payload", messages=[], errors=[])
    request_id = cast(str | None, getattr(payload, "request_id", None))
    if partial and payload.data is not None:
        return payload.data
    errors = [item for item in payload.errors or () if item is not None]
    if errors:
        messages = [text for item in errors for text in _messages(item)]
        summary = "; ".join(messages) or "no message"
        cls = NotFoundError if any(_code(text) == NOT_FOUND for text in messages) else PayloadError
        # The messages may echo what the call sent (and the request id is the server's).
        redact = Redactor(getattr(payload, "_sent", None))
        raise cls(
            redact(f"the API reported {len(errors)} error(s): {summary} (request id {request_id})"),
            messages=messages,
            errors=errors,
            data=payload.data,
            request_id=request_id,
        )
    if payload.data is None:
        raise PayloadError(
            Redactor()(f"the operation returned no data and no errors (request id {request_id})"),
            messages=[],
            errors=[],
            request_id=request_id,
        )
    return payload.data
