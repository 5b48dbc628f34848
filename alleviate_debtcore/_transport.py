"""The one HTTP path of every operation, in two faces: ``GraphQLTransport`` (async) and
``SyncGraphQLTransport``.

Both prepare a call, read each response and decide on retries with the same functions (below and
in ``_retry``); only the I/O differs. A call's ``timeout`` bounds all of it, token step included
(``_deadline``). All four service clients of one client share one transport: one connection pool,
one auth object, one set of options.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import sys
import time
import warnings
from asyncio import _get_running_loop  # pyright: ignore[reportPrivateUsage]
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import httpx
from pydantic_core import PydanticSerializationError, to_json

from ._deadline import (
    Deadline,
    call_budget,
    current_deadline,
    token_step_ran_out,
    token_wait_ran_out,
    with_deadline,
)
from ._environment import is_loopback
from ._event_loops import LoopBoundAsyncClient
from ._fork import on_fork_in_child
from ._graphql_response import GraphQLResult, request_id_of, status_error
from ._http import (
    CLIENT_AUTH,
    BodyTooLarge,
    UseClientAuth,
    connection_refused,
    send_async,
    send_sync,
)
from ._logging import redact_headers
from ._options import DEFAULT_TIMEOUT, TransportOptions, resolve_timeout, validate_headers
from ._pools import forget_connections
from ._retry import (
    DEFAULT_MAX_RETRIES,
    RetryPolicy,
    next_delay,
    parse_retry_after,
    retryable_status,
    retryable_transport_error,
    validate_max_retries,
)
from ._telemetry import operation_span
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    DebtCoreError,
    InputValidationError,
    ResponseDecodeError,
    ResponseTooLargeError,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "GraphQLResult",
    "GraphQLTransport",
    "OperationKind",
    "RetryPolicy",
    "SyncGraphQLTransport",
    "TransportOptions",
]

logger = logging.getLogger("alleviate_debtcore.transport")

OperationKind = Literal["query", "mutation"]

CLIENT_REQUEST_ID_HEADER: Final = "x-client-request-id"
_PACKAGE: Final = __name__.partition(".")[0]  # "alleviate_debtcore"


# --- decisions shared by both faces -------------------------------------------------------------


# Not frozen: a frozen dataclass sets each field through object.__setattr__, a cost per call.
@dataclass(slots=True)
class _Call:
    """One logical call: what every attempt sends, and its limits."""

    service: str
    operation: str | None
    kind: OperationKind
    url: httpx.URL
    host: bytes  # the Host header httpx would add for ``url``
    body: bytes
    headers: list[tuple[bytes, bytes]]  # lower-case names, values validated as ASCII
    header_names: frozenset[bytes]
    timeout: httpx.Timeout
    budget: float | None  # the whole call's (_deadline.call_budget)
    retries: int
    client_request_id: str
    policy: RetryPolicy
    max_response_size: int
    sent: Mapping[str, Any] | None  # the variables: what its error texts redact (_redaction)


class _Defaults:
    """What a transport's options decide for every call without per-call options, worked out
    once: the headers (less the per-call id), their names and the call budget."""

    __slots__ = ("budget", "header_names", "headers", "options")

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        merged = {**options.headers, **_OUR_HEADERS}
        # The id goes last; a client-wide header of that name (overridden anyway) keeps its
        # place in the dict: that rare case takes the general path (_headers).
        self.headers: list[tuple[bytes, bytes]] | None = (
            None
            if CLIENT_REQUEST_ID_HEADER in merged
            else [(name.encode(), value.encode()) for name, value in merged.items()]
        )
        self.header_names = frozenset([*(name.encode() for name in merged), _ID_NAME])
        self.budget = call_budget(options.timeout)


# Ours win over the caller's: the CSRF header Apollo Server wants (and, per call, the id).
_OUR_HEADERS: Final = {"content-type": "application/json", "apollo-require-preflight": "1"}
_ID_NAME: Final = CLIENT_REQUEST_ID_HEADER.encode()


def _headers(
    options: TransportOptions, call_headers: dict[str, str], client_request_id: str
) -> list[tuple[bytes, bytes]]:
    """The general path: client-wide headers, the call's, then ours (ours win)."""
    request_headers = {
        **options.headers,
        **call_headers,
        **_OUR_HEADERS,
        # One id per call, the same on every attempt so the server can spot a replay.
        CLIENT_REQUEST_ID_HEADER: client_request_id,
    }
    return [(name.encode(), value.encode()) for name, value in request_headers.items()]


_VERSION_4: Final = 0x4000 << 64  # the version nibble of a UUID's 128 bits
_VARIANT: Final = 0x8000 << 48  # RFC 4122 variant bits
_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48))


def _request_id() -> str:
    """A random UUID4 as text. A correlation id, not a secret: the Mersenne Twister is enough
    and avoids a syscall; formatted directly (uuid.UUID's checks and str() cost ~4 us)."""
    text = f"{random.getrandbits(128) & _CLEAR | _VERSION_4 | _VARIANT:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@functools.lru_cache(maxsize=256)  # the generated documents are constants: one entry each
def _body_prefix(query: str, operation_name: str | None) -> bytes:
    """``{"query":...,"operationName":...,"variables":`` encoded once per operation: a call
    encodes only its variables (the document is most of the body)."""
    whole = to_json({"query": query, "operationName": operation_name, "variables": None})
    return whole[: -len(b"null}")]


@dataclass(frozen=True, slots=True)
class _Failure:
    """A failed attempt: the error to raise if it is the last one."""

    error: APIError
    retryable: bool
    retry_after: float | None = None
    cause: BaseException | None = None


def _prepare(
    defaults: _Defaults,
    *,
    service: str,
    url: str,
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    kind: OperationKind,
    timeout: object,
    max_retries: object,
    headers: object,
) -> _Call:
    """Validate the per-call options and build what every attempt sends."""
    options = defaults.options
    retries = options.max_retries if max_retries is None else validate_max_retries(max_retries)
    if timeout is None:
        call_timeout, budget = options.timeout, defaults.budget
    else:
        call_timeout = resolve_timeout(timeout, default=options.timeout)
        budget = call_budget(call_timeout)
    # Variables arrive JSON-ready (ServiceClient.execute dumps the models); pydantic-core
    # encodes in Rust, several times faster than json.dumps for the same bytes.
    try:
        body = b"".join((_body_prefix(query, operation_name), to_json(variables or {}), b"}"))
    except (PydanticSerializationError, ValueError):
        # pydantic-core's message quotes the value (applicant data): say what, not which.
        raise InputValidationError(
            f"{operation_name}: an argument cannot be sent as JSON (a string holding a lone "
            "surrogate such as '\\ud800', or a value with no JSON form); nothing was sent"
        ) from None
    client_request_id = _request_id()
    if headers is None and defaults.headers is not None:  # the common case: decided once
        request_headers = [*defaults.headers, (_ID_NAME, client_request_id.encode())]
        header_names = defaults.header_names
    else:
        request_headers = _headers(options, validate_headers(headers), client_request_id)
        header_names = frozenset([name for name, _ in request_headers])
    target, host = _target(url)
    return _Call(
        service=service,
        operation=operation_name,
        kind=kind,
        url=target,
        host=host,
        body=body,
        headers=request_headers,
        header_names=header_names,
        timeout=call_timeout,
        budget=budget,
        retries=retries,
        client_request_id=client_request_id,
        policy=options.retry_policy,
        max_response_size=options.max_response_size,
        sent=variables,
    )


@functools.lru_cache(maxsize=64)
def _target(url: str) -> tuple[httpx.URL, bytes]:
    """``url`` parsed, and its Host header. httpx parses a URL given as a string on every
    request; a service has one URL, parsed once."""
    parsed = httpx.URL(url)
    return parsed, parsed.netloc


def _where(call: _Call, request_id: str | None = None) -> dict[str, Any]:
    return {
        "service": call.service,
        "operation": call.operation,
        "request_id": request_id or call.client_request_id,
    }


def _read(
    call: _Call, response: httpx.Response, attempt: int, started: float
) -> GraphQLResult | _Failure:
    """A 2xx response as a result; anything else as a failure, retryable or not."""
    request_id = request_id_of(response, call.client_request_id)
    if logger.isEnabledFor(logging.DEBUG):  # redact_headers is not free
        logger.debug(
            "POST %s %s -> %d (attempt %d, %.1f ms, request id %s, client request id %s, "
            "headers %s)",
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
            sent=call.sent,
        )
    retry_after = parse_retry_after(response.headers)
    error = status_error(
        response,
        service=call.service,
        operation=call.operation,
        request_id=request_id,
        retry_after=retry_after,
        sent=call.sent,
    )
    return _Failure(error, retryable_status(response.status_code, call.kind), retry_after)


def _exchange_failed(call: _Call, exc: httpx.RequestError) -> _Failure:
    """A failed exchange (no usable response) as a typed failure."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        error: APIError = APITimeoutError(
            f"{call.operation} on {call.service} timed out ({name}); raise the timeout or retry "
            "later",
            **_where(call),
        )
    elif isinstance(exc, httpx.DecodingError):  # e.g. a broken gzip body: not a transport fault
        return _Failure(
            ResponseDecodeError(
                f"{call.operation} on {call.service} sent a body that could not be decoded "
                f"({name})",
                **_where(call),
            ),
            retryable=False,
            cause=exc,
        )
    elif (
        isinstance(exc, httpx.ConnectError)
        and is_loopback(call.url.host)
        and connection_refused(exc)
    ):
        # Nothing listens on this machine's port: retrying cannot help, and the likely cause
        # is a local sandbox that is not running.
        return _Failure(
            APIConnectionError(
                f"{call.operation} on {call.service}: {call.url.host}:{call.url.port} refused "
                "the connection; nothing listens there. If it is the local sandbox, it may not "
                "be running: start it with `debtcore sandbox`",
                **_where(call),
            ),
            retryable=False,
            cause=exc,
        )
    else:
        error = APIConnectionError(
            f"{call.operation} on {call.service} failed before a response arrived ({name}); "
            "check the network and the environment's base URL",
            **_where(call),
        )
    retryable = isinstance(exc, httpx.TransportError) and retryable_transport_error(exc, call.kind)
    return _Failure(error, retryable, cause=exc)


def _too_large(call: _Call, exc: BodyTooLarge) -> ResponseTooLargeError:
    declared = f" (it declared {exc.declared} bytes)" if exc.declared is not None else ""
    return ResponseTooLargeError(
        f"{call.operation} on {call.service} answered with a body over the client's "
        f"max_response_size of {exc.limit} bytes{declared}; it was not read. Raise "
        "max_response_size if such responses are expected",
        **_where(call),
    )


def _out_of_time(call: _Call, deadline: Deadline) -> DebtCoreError:
    if deadline.waiting_for is not None:  # the time ran out behind another token request
        return token_wait_ran_out(deadline)
    if deadline.token_step:
        return token_step_ran_out(deadline)
    return APITimeoutError(
        f"{call.operation} on {call.service} did not complete within its timeout of "
        f"{deadline.budget:g} s; raise the timeout or retry later",
        **_where(call),
    )


def _next_delay(call: _Call, failure: _Failure, attempt: int, deadline: Deadline) -> float | None:
    """The wait before the next attempt (logged), or None when this failure is final."""
    delay = next_delay(
        policy=call.policy,
        retryable=failure.retryable,
        retry_number=attempt,
        max_retries=call.retries,
        retry_after=failure.retry_after,
        remaining=deadline.remaining(),
    )
    if delay is not None:
        logger.info(
            "retrying %s %s in %.2f s (attempt %d of %d failed: %s, request id %s)",
            call.service,
            call.operation,
            delay,
            attempt + 1,
            call.retries + 1,
            type(failure.error).__name__,
            failure.error.request_id,
        )
    return delay


def _give_up(failure: _Failure) -> DebtCoreError:
    # The cause is httpx's exception (for the traceback); never anything holding applicant data.
    failure.error.__cause__ = failure.cause
    failure.error.__suppress_context__ = True
    return failure.error


# Headers httpx adds or derives from the body itself: a request that names one is left to
# httpx's own build_request.
_HTTPX_OWN: Final = frozenset({b"host", b"content-length", b"transfer-encoding"})


class _ClientHeaders:
    """The client's headers as merged into our requests, worked out again only when the
    client's headers or the call's header names change (one entry: a transport has one
    client, and its calls the same names)."""

    __slots__ = ("entry",)

    def __init__(self) -> None:
        # (the client's raw headers, the call's names, the merge): one attribute, so threads
        # never see a torn entry.
        self.entry: (
            tuple[list[tuple[bytes, bytes]], frozenset[bytes], list[tuple[bytes, bytes]] | None]
            | None
        ) = None

    def merge(
        self, raw: list[tuple[bytes, bytes]], names: frozenset[bytes]
    ) -> list[tuple[bytes, bytes]] | None:
        """The client's headers less those the call sets, or None when httpx must build."""
        entry = self.entry
        if entry is None or entry[1] is not names or entry[0] != raw:
            lowered = [name.lower() for name, _ in raw]
            merged = None
            if _HTTPX_OWN.isdisjoint(lowered) and _HTTPX_OWN.isdisjoint(names):
                merged = [pair for pair, low in zip(raw, lowered, strict=True) if low not in names]
            self.entry = entry = (raw, names, merged)
        return entry[2]


def _build_request(
    client: httpx.AsyncClient | httpx.Client,
    call: _Call,
    deadline: Deadline,
    client_headers: _ClientHeaders,
) -> httpx.Request:
    extensions = {"timeout": deadline.limits(call.timeout)}
    merged = None
    if not (client.cookies or client.params):  # rare on an API client: let httpx merge them
        merged = client_headers.merge(client.headers.raw, call.header_names)
    if merged is None:
        return client.build_request(
            "POST", call.url, content=call.body, headers=call.headers, extensions=extensions
        )
    # What build_request and Request(content=...) do, on raw header lists and in one pass: Host,
    # the client's headers (its User-Agent, Accept-Encoding, ...) less those the call sets, the
    # call's, then Content-Length. httpx re-decodes every header for each one it merges and
    # normalizes the whole list twice (two thirds of the client's own work per call).
    headers = [
        (b"Host", call.host),
        *merged,
        *call.headers,
        (b"Content-Length", str(len(call.body)).encode()),
    ]
    request = httpx.Request(
        "POST", call.url, headers=headers, stream=httpx.ByteStream(call.body), extensions=extensions
    )
    request.read()  # as Request(content=...) does: .content is there for auth and transports
    return request


class _Lifecycle:
    """What a transport shares with the transports ``with_options`` derives from it."""

    __slots__ = ("closed", "warned_in_loop")

    def __init__(self) -> None:
        self.closed = False
        self.warned_in_loop = False


def _closed_error(given_client_closed: bool) -> ClientClosedError:
    if given_client_closed:
        return ClientClosedError("the http_client given to this client is closed")
    return ClientClosedError("this client is closed; create a new one")


def _warn_in_loop(state: _Lifecycle) -> None:
    state.warned_in_loop = True  # once per client, however many threads race here
    # Point at the caller's line: the first frame outside this package (generated code included).
    level, frame = 2, sys._getframe(1)  # pyright: ignore[reportPrivateUsage]
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    warnings.warn(
        "the blocking DebtCore was called inside a running event loop: every call blocks the "
        "loop until it returns. Use AsyncDebtCore in async code (or run DebtCore calls in a "
        "thread, e.g. asyncio.to_thread)",
        RuntimeWarning,
        stacklevel=level,
    )


# --- the two faces ------------------------------------------------------------------------------


class GraphQLTransport:
    """Sends GraphQL operations over one ``httpx.AsyncClient``.

    Without ``http_client`` the transport makes its own, bound to the running event loop and
    replaced when a later loop uses it (``_event_loops``); ``aclose()`` closes it. A given
    ``http_client`` is used as is and never closed.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
        options: TransportOptions | None = None,
        _pool: LoopBoundAsyncClient | None = None,
        _state: _Lifecycle | None = None,
    ) -> None:
        self.options = options or TransportOptions()
        self._defaults = _Defaults(self.options)
        self._client_headers = _ClientHeaders()
        self.auth = auth
        self._http_client = http_client
        self._pool = _pool
        self._state = _state or _Lifecycle()
        if http_client is None and _pool is None:
            # It forgets its connections and event loop in a forked child itself.
            self._pool = LoopBoundAsyncClient(httpx.AsyncClient, owner="AsyncDebtCore")
        elif http_client is not None and _state is None:
            on_fork_in_child(self, GraphQLTransport._after_fork)
        self._auth: httpx.Auth | UseClientAuth = (
            with_deadline(auth) if auth is not None else CLIENT_AUTH
        )

    @property
    def http_client(self) -> httpx.AsyncClient | None:
        """The AsyncClient in use: the caller's, or our own once a call has opened it."""
        if self._http_client is not None:
            return self._http_client
        return self._pool.client if self._pool is not None else None

    def with_options(
        self, *, timeout: object = None, max_retries: object = None
    ) -> GraphQLTransport:
        """A transport with other defaults over the same connection pool and auth."""
        derived = GraphQLTransport(
            http_client=self._http_client,
            auth=self.auth,
            options=self.options.with_overrides(timeout=timeout, max_retries=max_retries),
            _pool=self._pool,
            _state=self._state,
        )
        derived._auth = self._auth
        return derived

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
        """POST one operation, retrying what the policy allows; raise ``DebtCoreError``s
        otherwise. ``timeout`` bounds the whole call, token included."""
        if self._defaults.options is not self.options:  # replaced since: decide again
            self._defaults = _Defaults(self.options)
        call = _prepare(
            self._defaults,
            service=service,
            url=url,
            query=query,
            operation_name=operation_name,
            variables=variables,
            kind=kind,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )
        with operation_span(service, operation_name, kind) as span:
            result = await self._send_with_retries(call)
            if span is not None:
                span.set_attribute("http.response.status_code", result.http_response.status_code)
                span.set_attribute("debtcore.request_id", result.request_id)
            return result

    def _after_fork(self) -> None:
        assert self._http_client is not None
        forget_connections(self._http_client)

    async def _client(self) -> httpx.AsyncClient:
        if self._state.closed:
            raise _closed_error(False)
        if self._http_client is not None:
            if self._http_client.is_closed:
                raise _closed_error(True)
            return self._http_client
        assert self._pool is not None
        return await self._pool.get()

    def _closed_under(self, client: httpx.AsyncClient) -> ClientClosedError | None:
        """The error for a call whose client was closed while it ran, if it was."""
        if self._state.closed or client.is_closed:
            return _closed_error(self._http_client is not None and not self._state.closed)
        return None

    async def _send_with_retries(self, call: _Call) -> GraphQLResult:
        deadline = Deadline(call.budget)
        published = current_deadline.set(deadline)
        try:
            client = await self._client()
            for attempt in range(call.retries + 1):
                if closed := self._closed_under(client):
                    raise closed
                started = time.perf_counter()
                request = _build_request(client, call, deadline, self._client_headers)
                try:
                    # The whole attempt, token step and body included, within the time left.
                    async with asyncio.timeout(deadline.remaining()):
                        response = await send_async(
                            client, request, auth=self._auth, max_size=call.max_response_size
                        )
                except DebtCoreError:  # the auth's own (a TokenWaitTimeoutError is a TimeoutError)
                    raise
                except TimeoutError:
                    raise _out_of_time(call, deadline) from None
                except BodyTooLarge as exc:
                    raise _too_large(call, exc) from None
                except (httpx.RequestError, RuntimeError) as exc:
                    # Closed under us (aclose() during the call): httpx says "Cannot send a
                    # request, as the client has been closed" or fails the read.
                    if closed := self._closed_under(client):
                        raise closed from None
                    if not isinstance(exc, httpx.RequestError):
                        raise
                    failure = _exchange_failed(call, exc)
                else:
                    outcome = _read(call, response, attempt, started)
                    if isinstance(outcome, GraphQLResult):
                        return outcome
                    failure = outcome
                delay = _next_delay(call, failure, attempt, deadline)
                if delay is None:
                    raise _give_up(failure)
                await asyncio.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            current_deadline.reset(published)

    async def aclose(self) -> None:
        """Close the AsyncClient this transport made (from any event loop); a given one is left
        open. Later calls, and those still running, raise ``ClientClosedError``. Idempotent."""
        self._state.closed = True
        if self._pool is not None:
            await self._pool.aclose()


class SyncGraphQLTransport:
    """The blocking twin of ``GraphQLTransport`` over one ``httpx.Client``, safe across threads.

    Same ``send`` arguments, same decisions, same deadline: a blocking read cannot be
    interrupted, so each read waits at most the time left and the body is read chunk by chunk
    against the deadline.
    """

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        auth: httpx.Auth | None = None,
        options: TransportOptions | None = None,
        _state: _Lifecycle | None = None,
    ) -> None:
        self.options = options or TransportOptions()
        self._defaults = _Defaults(self.options)
        self._client_headers = _ClientHeaders()
        self.auth = auth
        self._derived = _state is not None
        self._state = _state or _Lifecycle()
        self._given_client = http_client is not None
        self.http_client = http_client if http_client is not None else httpx.Client()
        if not self._derived:  # one registration per connection pool
            on_fork_in_child(self, SyncGraphQLTransport._after_fork)
        self._auth: httpx.Auth | UseClientAuth = (
            with_deadline(auth) if auth is not None else CLIENT_AUTH
        )

    def with_options(
        self, *, timeout: object = None, max_retries: object = None
    ) -> SyncGraphQLTransport:
        """A transport with other defaults over the same connection pool and auth; closing it
        closes nothing."""
        derived = SyncGraphQLTransport(
            http_client=self.http_client,
            auth=self.auth,
            options=self.options.with_overrides(timeout=timeout, max_retries=max_retries),
            _state=self._state,
        )
        derived._given_client = self._given_client
        derived._auth = self._auth
        return derived

    def send(
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
        """POST one operation, retrying what the policy allows; raise ``DebtCoreError``s
        otherwise. ``timeout`` bounds the whole call, token included."""
        if _get_running_loop() is not None and not self._state.warned_in_loop:
            _warn_in_loop(self._state)
        if self._defaults.options is not self.options:  # replaced since: decide again
            self._defaults = _Defaults(self.options)
        call = _prepare(
            self._defaults,
            service=service,
            url=url,
            query=query,
            operation_name=operation_name,
            variables=variables,
            kind=kind,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )
        with operation_span(service, operation_name, kind) as span:
            result = self._send_with_retries(call)
            if span is not None:
                span.set_attribute("http.response.status_code", result.http_response.status_code)
                span.set_attribute("debtcore.request_id", result.request_id)
            return result

    def _after_fork(self) -> None:
        forget_connections(self.http_client)

    def _closed(self) -> ClientClosedError | None:
        """The error for a call on (or during the closing of) a closed client, if it is."""
        if self._state.closed or self.http_client.is_closed:
            return _closed_error(self._given_client and not self._state.closed)
        return None

    def _send_with_retries(self, call: _Call) -> GraphQLResult:
        deadline = Deadline(call.budget)
        published = current_deadline.set(deadline)
        try:
            for attempt in range(call.retries + 1):
                if closed := self._closed():
                    raise closed
                if deadline.expired():
                    raise _out_of_time(call, deadline)
                started = time.perf_counter()
                request = _build_request(self.http_client, call, deadline, self._client_headers)
                try:
                    response = send_sync(
                        self.http_client,
                        request,
                        auth=self._auth,
                        max_size=call.max_response_size,
                        deadline=deadline,
                    )
                except DebtCoreError:
                    raise
                except BodyTooLarge as exc:
                    raise _too_large(call, exc) from None
                except (httpx.RequestError, RuntimeError) as exc:
                    # Closed by another thread during the call: httpx says "Cannot send a
                    # request, as the client has been closed" or fails the read.
                    if closed := self._closed():
                        raise closed from None
                    if not isinstance(exc, httpx.RequestError):
                        raise
                    failure = _exchange_failed(call, exc)
                else:
                    outcome = _read(call, response, attempt, started)
                    if isinstance(outcome, GraphQLResult):
                        return outcome
                    failure = outcome
                delay = _next_delay(call, failure, attempt, deadline)
                if delay is None:
                    raise _give_up(failure)
                time.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            current_deadline.reset(published)

    def close(self) -> None:
        """Close the Client this transport made; a given one is left open. Later calls, and
        those still running, raise ``ClientClosedError``. Idempotent; closing a transport
        ``with_options`` made closes nothing."""
        if self._derived:
            return
        self._state.closed = True
        if not self._given_client:
            self.http_client.close()
