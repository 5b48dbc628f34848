"""Optional OpenTelemetry: one CLIENT span per operation when ``opentelemetry-api`` is installed.

No hard dependency. Without the package, or without a configured tracer provider (the span is
then non-recording), a call pays for one ``start_span`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["SpanLike", "operation_span"]


class SpanLike(Protocol):
    def set_attribute(self, key: str, value: Any) -> Any: ...


try:
    from opentelemetry import trace as _trace
except ImportError:  # pragma: no cover - exercised where the package is absent
    _trace = None  # type: ignore[assignment]


@contextmanager
def operation_span(service: str, operation: str | None, kind: str) -> Generator[SpanLike | None]:
    """A span named ``"<kind> <operation>"``; exceptions are recorded on it by OpenTelemetry."""
    if _trace is None:
        yield None
        return
    span = _trace.get_tracer("alleviate_debtcore").start_span(
        f"{kind} {operation}",
        kind=_trace.SpanKind.CLIENT,
        attributes={
            "graphql.operation.name": operation or "",
            "graphql.operation.type": kind,
            "debtcore.service": service,
        },
    )
    if not span.is_recording():  # no SDK configured: skip making it current
        yield None
        return
    with _trace.use_span(span, end_on_exit=True):
        yield span
