"""Optional OpenTelemetry: one CLIENT span per operation when ``opentelemetry-api`` is installed.

No hard dependency, and not imported here: an application that records traces has imported
``opentelemetry.trace`` itself (to set its SDK provider), so a call looks the module up in
``sys.modules``. Until then, or while no SDK tracer provider is set (the API's default proxy
provider can only make non-recording spans), a call pays one dict lookup (and then one provider
lookup).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Generator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import ModuleType
from typing import Any, Final, Protocol

__all__ = ["SpanLike", "operation_span"]


class SpanLike(Protocol):
    def set_attribute(self, key: str, value: Any) -> Any: ...


_TRACE_MODULE: Final = "opentelemetry.trace"

# A provider named in the environment is loaded by the API itself, with no import by the
# application: then import it now, as before.
if "OTEL_PYTHON_TRACER_PROVIDER" in os.environ:  # pragma: no cover - set by auto-instrumentation
    with contextlib.suppress(ImportError):
        import opentelemetry.trace  # noqa: F401  # pyright: ignore[reportUnusedImport]


def _trace_module() -> ModuleType | None:
    """``opentelemetry.trace`` once something has imported it (fully), else None."""
    module = sys.modules.get(_TRACE_MODULE)
    if module is None or not hasattr(module, "ProxyTracerProvider"):  # absent or importing
        return None
    return module


_NO_SPAN: Final[AbstractContextManager[SpanLike | None]] = nullcontext()


def operation_span(
    service: str, operation: str | None, kind: str
) -> AbstractContextManager[SpanLike | None]:
    """A span named ``"<kind> <operation>"``; exceptions are recorded on it by OpenTelemetry.
    Without a recording tracer: a shared no-op context (no generator per call)."""
    _trace = _trace_module()
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
    _trace = _trace_module()
    assert _trace is not None
    with _trace.use_span(span, end_on_exit=True):
        yield span
