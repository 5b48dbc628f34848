"""In-process monkeypatches that stand for proposed client changes, switched on per arm.

Each patch is the behaviour a proposed change would have, applied to the loaded modules only
while one arm of an experiment runs; the package source is never edited.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import random
from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

from opentelemetry import trace
from pydantic import BaseModel, JsonValue, ValidationError, create_model
from pydantic_core import to_json

import alleviate_debtcore._base_client as base_client
import alleviate_debtcore._transport as transport
from alleviate_debtcore._transport import GraphQLResult


class _NoSpan:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_SPAN = _NoSpan()


def lean_operation_span(service: str, operation: str | None, kind: str) -> Any:
    """Proposed ``_telemetry.operation_span``: start the span, and make it current only when it
    records. Without a configured SDK (the common case) the no-op span is dropped at once instead
    of going through ``start_as_current_span``'s context attach/detach and a generator-based
    context manager. With an SDK, the same span, attributes and exception recording as today."""
    tracer = trace.get_tracer("alleviate_debtcore")  # per call, as today: tests patch get_tracer
    span = tracer.start_span(
        f"{kind} {operation}",
        kind=trace.SpanKind.CLIENT,
        attributes={
            "graphql.operation.name": operation or "",
            "graphql.operation.type": kind,
            "debtcore.service": service,
        },
    )
    if not span.is_recording():
        return _NO_SPAN
    return trace.use_span(span, end_on_exit=True)


_UNDECODED: Any = object()


@functools.cache
def _envelope(result_type: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "data": (result_type | None, None),
        "errors": (list[JsonValue] | None, None),
    }
    return create_model(f"{result_type.__name__}Envelope", **fields)


def _lazy_result(response: Any, request_id: str, call: Any) -> GraphQLResult:
    # Proposed GraphQLTransport._result: keep the bytes; decode only if parse_result needs dicts.
    return GraphQLResult(call.operation, _UNDECODED, [], request_id, response)


_stock_result = transport.GraphQLTransport._result  # pyright: ignore[reportPrivateUsage]
_stock_parse = base_client.ServiceClient.parse_result


def _parse_from_bytes(self: Any, result_type: type[BaseModel], response: GraphQLResult) -> Any:
    """Proposed ``ServiceClient.parse_result``: one pass of pydantic's JSON parser over the body
    through a ``{data, errors}`` envelope; anything unusual (errors, null data, a mismatch, not
    JSON) falls back to today's path, so every error keeps its class and message."""
    if response.data is _UNDECODED:
        try:
            envelope: Any = _envelope(result_type).model_validate_json(
                response.http_response.content
            )
        except ValidationError:
            envelope = None
        if envelope is not None and not envelope.errors and envelope.data is not None:
            return envelope.data
        call: Any = SimpleNamespace(operation=response.operation, service=self.service)
        response = _stock_result(response.http_response, response.request_id, call)
    return _stock_parse(self, result_type, response)


@contextlib.contextmanager
def lean_span_patch() -> Generator[None]:
    original = transport.operation_span
    transport.operation_span = lean_operation_span
    try:
        yield
    finally:
        transport.operation_span = original


@contextlib.contextmanager
def parse_from_bytes_patch() -> Generator[None]:
    transport.GraphQLTransport._result = staticmethod(_lazy_result)  # type: ignore[method-assign,assignment]
    base_client.ServiceClient.parse_result = _parse_from_bytes  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        transport.GraphQLTransport._result = staticmethod(_stock_result)  # type: ignore[method-assign]
        base_client.ServiceClient.parse_result = _stock_parse  # type: ignore[method-assign]


class _ToJsonModule:
    """Stands in for the ``json`` module inside ``_transport``: ``dumps`` through pydantic_core.

    Proposed ``GraphQLTransport.send``: ``body = to_json({...})`` (bytes, Rust) instead of
    ``json.dumps(..., default=to_jsonable_python, separators=...).encode()``. The shim decodes
    to ``str`` only because today's code calls ``.encode()`` on the result (about 1 us of the
    measured time that the real change would not spend).
    """

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: Any, **_options: Any) -> str:
        return to_json(obj).decode()


@contextlib.contextmanager
def to_json_patch() -> Generator[None]:
    original = transport.json
    transport.json = _ToJsonModule  # type: ignore[assignment]
    try:
        yield
    finally:
        transport.json = original


def _fast_request_id() -> str:
    # A version-4 UUID from the random module: request ids correlate logs, they guard nothing,
    # so they need no os.urandom system call nor a uuid.UUID object per call.
    bits = f"{random.getrandbits(122):031x}"
    variant = "89ab"[int(bits[15], 16) & 3]
    return f"{bits[:8]}-{bits[8:12]}-4{bits[12:15]}-{variant}{bits[16:19]}-{bits[19:31]}"


class _FastUuidModule:
    """Stands in for ``uuid`` inside ``_transport``: ``str(uuid.uuid4())`` gets a ready string."""

    @staticmethod
    def uuid4() -> str:
        return _fast_request_id()


@contextlib.contextmanager
def small_fixes_patch() -> Generator[None]:
    """Proposed: build the debug log line's header dict only when DEBUG is enabled (today
    ``redact_headers`` runs on every response because log arguments are evaluated eagerly), and
    a cheaper request id."""
    original_redact, original_uuid = transport.redact_headers, transport.uuid

    def redact_if_debug(headers: Any) -> dict[str, str]:
        # What ``if logger.isEnabledFor(logging.DEBUG):`` around the log call amounts to.
        if transport.logger.isEnabledFor(logging.DEBUG):
            return original_redact(headers)
        return {}

    transport.redact_headers = redact_if_debug
    transport.uuid = _FastUuidModule  # type: ignore[assignment]
    try:
        yield
    finally:
        transport.redact_headers = original_redact
        transport.uuid = original_uuid
