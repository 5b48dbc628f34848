"""The one HTTP path of every operation: JSON POST, retries, timeouts, request ids, errors.

All four service clients share one ``GraphQLTransport`` and therefore one connection pool, one
auth object and one retry policy.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

import httpx
from pydantic_core import to_json

from ._logging import redact_headers
from ._telemetry import operation_span
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    GraphQLErrorDetail,
    RateLimitError,
    ResponseDecodeError,
    status_error_class,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "GraphQLResult",
    "GraphQLTransport",
    "OperationKind",
    "RetryPolicy",
]

logger = logging.getLogger("alleviate_debtcore.transport")

OperationKind = Literal["query", "mutation"]

# The numbers, in one place (README "Retries and timeouts" states the same).
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)  # the TypeScript SDK's 30 s per request
CLIENT_REQUEST_ID_HEADER: Final = "x-client-request-id"
# Headers a server may use for its own request id, most specific first.
RESPONSE_REQUEST_ID_HEADERS: Final = (
    "x-request-id",
    "request-id",
    "x-ms-request-id",
    "x-amzn-requestid",
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff (Stainless numbers): ``min(initial * 2**n, max) * U(0.75, 1)``.

    A server's ``Retry-After``/``retry-after-ms`` wins when given; above ``max_retry_after`` the
    call fails at once instead of sleeping that long.
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, retry_number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        base: float = min(self.initial_delay * 2.0**retry_number, self.max_delay)
        return base * random.uniform(0.75, 1.0)


@dataclass(frozen=True, slots=True)
class _Call:
    """One logical call: what every attempt sends."""

    service: str
    operation: str | None
    kind: OperationKind
    url: str
    body: bytes
    headers: dict[str, str]
    timeout: httpx.Timeout
    retries: int
    client_request_id: str


class GraphQLResult:
    """A 2xx GraphQL response: ``data``, top-level ``errors`` and where they came from.

    The body is decoded on first access to ``data`` or ``errors`` (``ResponseDecodeError`` when
    it is not a GraphQL JSON object): the generated methods first try to validate the raw bytes
    into their typed models in one pass, and only a response with errors needs the dicts.
    """

    __slots__ = ("_decoded", "http_response", "operation", "request_id", "service")

    def __init__(
        self, *, service: str, operation: str | None, request_id: str, http_response: httpx.Response
    ) -> None:
        self.service = service
        self.operation = operation
        self.request_id = request_id
        self.http_response = http_response
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
            try:
                self._decoded = _decode_body(response)
            except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError included
                content_type = response.headers.get("content-type", "no content type")
                raise ResponseDecodeError(
                    f"{self.operation} on {self.service} answered {response.status_code} with a "
                    f"body that is not a GraphQL JSON response ({content_type}, "
                    f"{len(response.content)} bytes); is the URL a GraphQL endpoint?",
                    service=self.service,
                    operation=self.operation,
                    request_id=self.request_id,
                ) from exc
        return self._decoded


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


def _is_retryable_status(status: int, kind: OperationKind) -> bool:
    if status == 429:  # refused before processing: safe for mutations too
        return True
    return kind == "query" and (status == 408 or status >= 500)


def _never_reached_server(exc: httpx.TransportError) -> bool:
    """Whether the request surely never reached the server, so even a mutation may be resent."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


_INVALID_VALUE = re.compile(r"(got invalid value) .*?(;| at ['\"]|$)", re.S)


def redact_server_message(message: str) -> str:
    """GraphQL servers echo rejected variable values (an SSN, say) in coercion errors."""
    return _INVALID_VALUE.sub(r"\1 <redacted>\2", message)


def _error_details(raw: object) -> list[GraphQLErrorDetail]:
    if not isinstance(raw, list):
        raise ValueError("'errors' is not a list")
    details: list[GraphQLErrorDetail] = []
    for item in cast(list[object], raw):
        if not isinstance(item, dict):
            raise ValueError("an 'errors' entry is not an object")
        entry = cast(dict[str, Any], item)
        path, locations, extensions = (entry.get(k) for k in ("path", "locations", "extensions"))
        details.append(
            GraphQLErrorDetail(
                redact_server_message(str(entry.get("message", ""))),
                path=cast(list[str | int], path) if isinstance(path, list) else None,
                locations=cast(list[dict[str, int]], locations)
                if isinstance(locations, list)
                else None,
                extensions=cast(dict[str, Any], extensions)
                if isinstance(extensions, dict)
                else None,
            )
        )
    return details


def _decode_body(
    response: httpx.Response,
) -> tuple[dict[str, Any] | None, list[GraphQLErrorDetail]]:
    """(data, errors) of a GraphQL JSON body; ValueError when it is not one."""
    body = json.loads(response.content)
    if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
        raise ValueError("not a GraphQL response object")
    payload = cast(dict[str, Any], body)
    data: object = payload.get("data")
    if data is not None and not isinstance(data, dict):
        raise ValueError("'data' is not an object")
    errors = _error_details(payload["errors"]) if payload.get("errors") is not None else []
    return cast(dict[str, Any] | None, data), errors


class GraphQLTransport:
    """Sends GraphQL operations over one ``httpx.AsyncClient``."""

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient,
        auth: httpx.Auth | None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.http_client = http_client
        self.auth = auth
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep

    async def send(
        self,
        *,
        service: str,
        url: str,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        kind: OperationKind,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GraphQLResult:
        """POST one operation, retrying what the policy allows; raise ``APIError``s otherwise."""
        # Variables arrive JSON-ready (ServiceClient.execute dumps the models); pydantic-core
        # encodes in Rust, several times faster than json.dumps for the same bytes.
        body = to_json(
            {"query": query, "operationName": operation_name, "variables": variables or {}}
        )
        # A correlation id, not a secret: the Mersenne Twister is enough and avoids a syscall.
        client_request_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
        # Header names are case-insensitive: lower-case them so a caller's "Content-Type" is
        # replaced, not sent beside ours.
        request_headers = {
            name.lower(): value for name, value in [*self.headers.items(), *(headers or {}).items()]
        } | {
            # Ours win over the caller's: the CSRF header Apollo Server wants and one id per call,
            # the same on every attempt so the server can spot a replay.
            "content-type": "application/json",
            "apollo-require-preflight": "1",
            CLIENT_REQUEST_ID_HEADER: client_request_id,
        }
        call = _Call(
            service=service,
            operation=operation_name,
            kind=kind,
            url=url,
            body=body,
            headers=request_headers,
            timeout=self.timeout if timeout is None else httpx.Timeout(timeout),
            retries=self.max_retries if max_retries is None else max_retries,
            client_request_id=client_request_id,
        )
        with operation_span(service, operation_name, kind) as span:
            result = await self._send_with_retries(call)
            if span is not None:
                span.set_attribute("http.response.status_code", result.http_response.status_code)
                span.set_attribute("debtcore.request_id", result.request_id)
            return result

    async def _send_with_retries(self, call: _Call) -> GraphQLResult:
        for attempt in range(call.retries + 1):
            started = time.perf_counter()
            retry_after: float | None = None
            try:
                response = await self.http_client.post(
                    call.url,
                    content=call.body,
                    headers=call.headers,
                    timeout=call.timeout,
                    auth=self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TimeoutException as exc:
                error: APIError = APITimeoutError(
                    f"{call.operation} on {call.service} timed out ({type(exc).__name__}); "
                    "raise the timeout or retry later",
                    service=call.service,
                    operation=call.operation,
                    request_id=call.client_request_id,
                )
                retryable = call.kind == "query" or _never_reached_server(exc)
                cause: BaseException = exc
            except httpx.TransportError as exc:
                error = APIConnectionError(
                    f"{call.operation} on {call.service} failed before a response arrived "
                    f"({type(exc).__name__}); check the network and the environment's base URL",
                    service=call.service,
                    operation=call.operation,
                    request_id=call.client_request_id,
                )
                retryable = call.kind == "query" or _never_reached_server(exc)
                cause = exc
            else:
                request_id = self._request_id(response, call.client_request_id)
                if logger.isEnabledFor(logging.DEBUG):  # redact_headers is not free
                    logger.debug(
                        "POST %s %s -> %d (attempt %d, %.1f ms, request id %s, "
                        "client request id %s, headers %s)",
                        call.service,
                        call.operation,
                        response.status_code,
                        attempt + 1,
                        (time.perf_counter() - started) * 1000,
                        request_id,
                        call.client_request_id,
                        redact_headers(response.headers),
                    )
                if response.is_success:
                    return GraphQLResult(
                        service=call.service,
                        operation=call.operation,
                        request_id=request_id,
                        http_response=response,
                    )
                retry_after = _retry_after(response.headers)
                error = self._status_error(response, request_id, retry_after, call)
                retryable = _is_retryable_status(response.status_code, call.kind)
                cause = error
            if (
                not retryable
                or attempt >= call.retries
                or (retry_after is not None and retry_after > self.retry_policy.max_retry_after)
            ):
                if cause is error:
                    raise error
                raise error from cause
            delay = self.retry_policy.delay(attempt, retry_after)
            logger.info(
                "retrying %s %s in %.2f s (attempt %d of %d failed: %s, request id %s)",
                call.service,
                call.operation,
                delay,
                attempt + 1,
                call.retries + 1,
                type(error).__name__,
                error.request_id,
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _request_id(response: httpx.Response, fallback: str) -> str:
        for name in RESPONSE_REQUEST_ID_HEADERS:
            value: str | None = response.headers.get(name)
            if value:
                return value
        return fallback

    @staticmethod
    def _status_error(
        response: httpx.Response,
        request_id: str,
        retry_after: float | None,
        call: _Call,
    ) -> APIStatusError:
        cls = status_error_class(response.status_code)
        detail = ""
        try:
            _, errors = _decode_body(response)
            if errors:
                detail = f": {errors[0].message}"
        except ValueError:
            pass
        message = (
            f"{call.operation} on {call.service} failed with HTTP "
            f"{response.status_code}{detail} (request id {request_id})"
        )
        where = {"service": call.service, "operation": call.operation, "request_id": request_id}
        if cls is RateLimitError:
            return RateLimitError(message, response=response, retry_after=retry_after, **where)
        return cls(message, response=response, **where)
