"""Optional OpenTelemetry: one CLIENT span per operation when ``opentelemetry-api`` is installed.

No hard dependency. Without the package, or while no SDK tracer provider is set (the API's
default proxy provider can only make non-recording spans), a call pays one provider lookup.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Final, Protocol

__all__ = ["SpanLike", "operation_span"]


class SpanLike(Protocol):
    def set_attribute(self, key: str, value: Any) -> Any: ...


try:
    from opentelemetry import trace as _trace
except ImportError:  # pragma: no cover - exercised where the package is absent
    _trace = None  # type: ignore[assignment]


_NO_SPAN: Final[AbstractContextManager[SpanLike | None]] = nullcontext()


def operation_span(
    service: str, operation: str | None, kind: str
) -> AbstractContextManager[SpanLike | None]:
    """A span named ``"<kind> <operation>"``; exceptions are recorded on it by OpenTelemetry.
    Without a recording tracer: a shared no-op context (no generator per call)."""
    if _trace is None:
        return _NO_SPAN
    provider = _trace.get_tracer_provider()
    if isinstance(provider, _trace.ProxyTracerProvider):  # no SDK set: nothing would record
        return _NO_SPAN
    span = _tracer(provider).start_span(
        f"{kind} {operation}",
        kind=_trace.SpanKind.CLIENT,
        attributes={
            "graphql.operation.name": operation or "",
            "graphql.operation.type": kind,
            "debtcore.service": service,
        },
    )
    if not span.is_recording():  # no SDK configured: skip making it current
        return _NO_SPAN
    return _current(span)


_cached: tuple[Any, Any] | None = None  # (provider, its tracer): one tracer per provider


def _tracer(provider: Any) -> Any:
    global _cached
    cached = _cached
    if cached is None or cached[0] is not provider:
        cached = _cached = (provider, provider.get_tracer("alleviate_debtcore"))
    return cached[1]


@contextmanager
def _current(span: Any) -> Generator[SpanLike | None]:
    assert _trace is not None
    with _trace.use_span(span, end_on_exit=True):
        yield span
