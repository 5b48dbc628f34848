"""Reading a Debt Core response, from the HTTP status to the data a method returns.

The one home for it, in the order a response goes through:

1. the transports (both faces) turn an HTTP response into a ``GraphQLResult`` (status, request
   id, body, GraphQL errors) or an ``APIStatusError`` (``status_error``);
2. the service clients read ``data`` into the operation's generated models (``parse_result``:
   ``GraphQLResponseError`` on top-level errors, ``ResponseValidationError`` on a mismatch);
3. the operation's ``{ data, errors }`` payload gives its data, or a ``PayloadError`` carrying
   its business errors (``payload_data``; ``unwrap`` for payloads from ``with_payload``).

Every Debt Core operation answers ``{ data, errors }`` inside GraphQL's own ``data``; ``errors``
is where the API reports business failures (a missing field for a pull source, a stale
revision, an invalid first payment date...). Each message reads ``CODE`` or ``CODE: detail``
(``NOT_FOUND: no credit report with creditReportId cr-1``); a ``NOT_FOUND`` among them raises
``NotFoundError``, any other ``PayloadError``. Every exception's text is redacted of the values
the call sent (``_redaction``).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Sequence
from typing import Any, Final, Protocol, TypeVar, cast

import httpx
from pydantic import BaseModel as PydanticBaseModel
from pydantic import ValidationError

from . import _json
from ._models import field_errors
from ._redaction import Redactor
from .errors import (
    APIStatusError,
    GraphQLErrorDetail,
    GraphQLResponseError,
    NotFoundError,
    PayloadError,
    RateLimitError,
    ResponseDecodeError,
    ResponseValidationError,
    status_error_class,
)

__all__ = [
    "FAST_PATH_MAX_BYTES",
    "RESPONSE_REQUEST_ID_HEADERS",
    "GraphQLResult",
    "decode_graphql_body",
    "parse_result",
    "payload_data",
    "request_id_of",
    "status_error",
    "unwrap",
]

# Headers a server may use for its own request id, most specific first.
RESPONSE_REQUEST_ID_HEADERS: Final = (
    "x-request-id",
    "request-id",
    "x-ms-request-id",
    "x-amzn-requestid",
)
_REQUEST_ID_RANK: Final = {
    name.encode(): rank for rank, name in enumerate(RESPONSE_REQUEST_ID_HEADERS)
}
# A request id goes into logs and error attributes unredacted, so only an id-shaped value is
# taken: at most 128 bytes of letters, digits and a few separators, with both a letter and a digit
# (a bare number could be an SSN, bare words a name). Anything else (free text, spaces, an echoed
# value) falls back to our own client request id. A shape check, not a guarantee.
_ID_SHAPE: Final = re.compile(rb"(?=[^a-zA-Z]*[a-zA-Z])(?=[^0-9]*[0-9])[A-Za-z0-9._:+/=-]{1,128}")


class GraphQLResult:
    """A 2xx GraphQL response: ``data``, top-level ``errors`` and where they came from.

    The body is decoded on first access to ``data`` or ``errors`` (``ResponseDecodeError`` when
    it is not a GraphQL JSON object): the generated methods first try to validate the raw bytes
    into their typed models in one pass, and only a response with errors needs the dicts.
    ``sent`` is the call's variables: what error texts built from this response redact
    (``_redaction``); only kept, never read, on the success path.
    """

    __slots__ = ("_decoded", "http_response", "operation", "request_id", "sent", "service")

    def __init__(
        self,
        *,
        service: str,
        operation: str | None,
        request_id: str,
        http_response: httpx.Response,
        sent: object = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.request_id = request_id
        self.http_response = http_response
        self.sent = sent
        self._decoded: tuple[dict[str, Any] | None, list[GraphQLErrorDetail]] | None = None

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def data(self) -> dict[str, Any] | None:
        return self._decode()[0]

    @property
    def errors(self) -> list[GraphQLErrorDetail]:
        return self._decode()[1]

    def _decode(self) -> tuple[dict[str, Any] | None, list[GraphQLErrorDetail]]:
        if self._decoded is None:
            response = self.http_response
            redact = Redactor(self.sent)
            try:
                self._decoded = decode_graphql_body(response.content, redact)
            except ValueError:
                content_type = response.headers.get("content-type", "no content type")
                # Not chained: the parser's message may quote the body.
                raise ResponseDecodeError(
                    redact(
                        f"{self.operation} on {self.service} answered {response.status_code} "
                        f"with a body that is not a GraphQL JSON response ({content_type}, "
                        f"{len(response.content)} bytes, or nested over {_json.MAX_JSON_DEPTH} "
                        "levels); is the URL a GraphQL endpoint?"
                    ),
                    service=self.service,
                    operation=self.operation,
                    request_id=self.request_id,
                ) from None
        return self._decoded


def decode_graphql_body(
    content: bytes, redact: Redactor
) -> tuple[dict[str, Any] | None, list[GraphQLErrorDetail]]:
    """(data, errors) of a GraphQL JSON body, the errors' messages, paths and extensions
    redacted; ``ValueError`` when it is not one."""
    body = _json.loads(content)
    if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
        raise ValueError("not a GraphQL response object")
    payload = cast(dict[str, Any], body)
    data: object = payload.get("data")
    if data is not None and not isinstance(data, dict):
        raise ValueError("'data' is not an object")
    raw_errors = payload.get("errors")
    errors = _error_details(raw_errors, redact) if raw_errors is not None else []
    return cast(dict[str, Any] | None, data), errors


def _error_details(raw: object, redact: Redactor) -> list[GraphQLErrorDetail]:
    if not isinstance(raw, list):
        raise ValueError("'errors' is not a list")
    details: list[GraphQLErrorDetail] = []
    for item in cast(list[object], raw):
        if not isinstance(item, dict):
            raise ValueError("an 'errors' entry is not an object")
        entry = cast(dict[str, Any], item)
        message, path, locations, extensions = (
            entry.get(key) for key in ("message", "path", "locations", "extensions")
        )
        # The server may echo a value anywhere it writes text, not only in the message.
        details.append(
            GraphQLErrorDetail(
                redact(message if isinstance(message, str) else ""),
                path=redact.json(path) if isinstance(path, list) else None,
                locations=cast(list[dict[str, int]], locations)
                if isinstance(locations, list)
                else None,
                extensions=redact.json(extensions) if isinstance(extensions, dict) else None,
            )
        )
    return details


def request_id_of(response: httpx.Response, fallback: str) -> str:
    """The server's request id, or ``fallback`` (the client request id we sent)."""
    # One pass over the raw headers: four Headers.get calls scan and decode them four times.
    best: tuple[int, bytes] | None = None
    for name, value in response.headers.raw:
        rank = _REQUEST_ID_RANK.get(name.lower())
        if (
            rank is not None
            and (best is None or rank < best[0])
            and _ID_SHAPE.fullmatch(value) is not None
        ):
            best = (rank, value)
    return best[1].decode(response.headers.encoding) if best is not None else fallback


def status_error(
    response: httpx.Response,
    *,
    service: str,
    operation: str | None,
    request_id: str,
    retry_after: float | None,
    sent: object = None,
) -> APIStatusError:
    """The typed error for a non-2xx response, with the server's first GraphQL error message
    when the body carries one; the message is redacted of ``sent`` (the call's variables)."""
    cls = status_error_class(response.status_code)
    redact = Redactor(sent)
    detail = ""
    try:
        _, errors = decode_graphql_body(response.content, redact)
    except ValueError:
        pass
    else:
        if errors and errors[0].message:
            detail = f": {errors[0].message}"
    # The request id may be the server's (a header): it is redacted with the rest.
    message = redact(
        f"{operation} on {service} failed with HTTP {response.status_code}{detail} "
        f"(request id {request_id})"
    )
    where = {"service": service, "operation": operation, "request_id": request_id}
    if cls is RateLimitError:
        return RateLimitError(message, response=response, retry_after=retry_after, **where)
    return cls(message, response=response, **where)


# --- data: the operation's generated models -------------------------------------------------------

ResultT = TypeVar("ResultT", bound=PydanticBaseModel)

# Bodies up to this size are validated straight from bytes (one pass, fastest). A larger body
# takes json.loads + model_validate: a failing model_validate_json copies the input into every
# error, which turned a 10 MB body into a 1.5 GB peak.
FAST_PATH_MAX_BYTES = 1 << 20
_LISTED_ERRORS_MAX = 1_000


@functools.cache
def _envelope(result_type: type[PydanticBaseModel]) -> type[PydanticBaseModel]:
    """``{data: result_type, errors: [...]}``, built once per result type, on first use: a model
    class built at import would cost ``import alleviate_debtcore`` ~10 ms for every program."""
    from pydantic import JsonValue, create_model

    return create_model(
        "_Envelope",
        data=(cast(Any, result_type | None), None),  # a type form built at run time
        errors=(cast(Any, list[JsonValue] | None), None),
    )


def parse_result(result_type: type[ResultT], response: GraphQLResult, service: str) -> ResultT:
    """The response's ``data`` as ``result_type``; raise on GraphQL errors or a mismatch."""
    # Fast path: one pass from bytes to typed models (pydantic-core parses the JSON itself).
    # Anything unusual (errors, null data, a mismatch, not JSON) takes the careful path below,
    # which decides what to raise.
    content = response.content
    if len(content) <= FAST_PATH_MAX_BYTES:
        try:  # the validator itself: model_validate_json adds a Python frame per call
            envelope = _envelope(result_type).__pydantic_validator__.validate_json(content)
        except ValidationError:
            pass
        else:
            if not envelope.errors and envelope.data is not None:
                return cast(ResultT, envelope.data)
    if response.errors:
        partial = None
        if response.data is not None:
            # A null where the schema says non-null leaves only the raw data.
            with contextlib.suppress(ValidationError):
                partial = result_type.model_validate(response.data)
        first = response.errors[0]
        more = f" (and {len(response.errors) - 1} more)" if len(response.errors) > 1 else ""
        code = f" [{first.code}]" if first.code else ""
        # The details are redacted already; the request id may be the server's (a header).
        raise GraphQLResponseError(
            Redactor(response.sent)(
                f"{response.operation} returned GraphQL errors: {first.message}{code}{more} "
                f"(request id {response.request_id})"
            ),
            errors=response.errors,
            partial_data=response.data,
            partial=partial,
            service=service,
            operation=response.operation,
            request_id=response.request_id,
        )
    try:
        return result_type.model_validate(response.data)
    except ValidationError as exc:
        # Paths and reasons only, and the pydantic error is not chained: its text quotes the
        # values (applicant data) and its line errors hold on to the parsed body.
        # exc.errors() builds a dict per error: for a huge mismatching body (one error per
        # debt) that alone was tens of times the body's size, so only a few are listed.
        count = exc.error_count()
        redact = Redactor(response.sent)
        errors = field_errors(exc, limit=3, redact=redact) if count <= _LISTED_ERRORS_MAX else []
    listed = "; ".join(str(e) for e in errors)
    if count > len(errors):
        listed += f"; and {count - len(errors)} more" if errors else f"{count} mismatches"
    raise ResponseValidationError(
        redact(
            f"{response.operation} on {service}: the response does not match the "
            f"generated models ({listed}); the server's schema may have changed: see "
            "`debtcore schema diff`"
        ),
        errors=errors,
        service=service,
        operation=response.operation,
        request_id=response.request_id,
    )


# --- the payload: its data, or its business errors ------------------------------------------------

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
    """``payload.data`` when there is some (errors or not), else ``PayloadError``: what the
    generated methods return (errors beside data are findings or warnings the caller reads
    through ``with_payload``)."""
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
