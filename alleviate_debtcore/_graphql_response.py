"""Reading a Debt Core response: status, request id, body and GraphQL errors, as typed results.

The one home for turning an HTTP response into a ``GraphQLResult`` or an ``APIStatusError``;
both transports call it. Turning ``data`` into the operation's models is ``_base_client``'s part.
"""

from __future__ import annotations

import re
from typing import Any, Final, cast

import httpx

from . import _json
from ._redaction import Redactor
from .errors import (
    APIStatusError,
    GraphQLErrorDetail,
    RateLimitError,
    ResponseDecodeError,
    status_error_class,
)

__all__ = [
    "RESPONSE_REQUEST_ID_HEADERS",
    "GraphQLResult",
    "decode_graphql_body",
    "request_id_of",
    "status_error",
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
