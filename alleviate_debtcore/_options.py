"""Client and per-call options, validated in one place before any request is sent.

A bad value (``max_retries=-1``, ``timeout="abc"``, ``timeout=float("nan")``, an
``httpx.Timeout`` with a NaN limit, a header value with non-ASCII or CR/LF) raises
``ConfigurationError`` here, rather than an ``AssertionError``, ``TypeError``, ``OverflowError`` or
``UnicodeEncodeError`` from deep inside httpx, or a wait that never ends.
"""

from __future__ import annotations

import numbers
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

import httpx

from ._http import DEFAULT_MAX_RESPONSE_SIZE
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy, validate_max_retries
from .errors import ConfigurationError

__all__ = [
    "DEFAULT_TIMEOUT",
    "TransportOptions",
    "resolve_timeout",
    "seconds",
    "validate_headers",
    "validate_max_response_size",
]

# The TypeScript SDK's 30 s per request; connecting gets 10 s of it.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)

# RFC 9110 field values: visible ASCII, spaces and tabs. Names: RFC 9110 tokens.
_FIELD_VALUE: Final = re.compile(r"[\t\x20-\x7e]*")
_FIELD_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


# Past about 9.2e9 s, sockets and sleeps overflow the platform's time_t (OverflowError); a
# bound well inside it (about 31 years) still reads as "no practical limit".
MAX_SECONDS: Final = 1e9
# int and float first: isinstance tries them before the slower ABC check.
_NUMBER: Final = (float, int, Decimal, numbers.Real)
_TIMEOUT_FIELDS: Final = ("connect", "read", "write", "pool")


def _checked_seconds(value: object) -> float | None:
    """``value`` as a float when it is a number of seconds in (0, ``MAX_SECONDS``], else None."""
    if isinstance(value, _NUMBER) and not isinstance(value, bool):
        try:
            number = float(value)  # pyright: ignore[reportArgumentType]
        except (ArithmeticError, TypeError, ValueError):  # 10**400, Decimal("sNaN")
            return None
        if 0 < number <= MAX_SECONDS:  # False for NaN as well
            return number
    return None


def seconds(name: str, value: object, *, also: str = "") -> float:
    """``value`` as a finite number of seconds in (0, ``MAX_SECONDS``]: an int, float, Decimal
    or other real number, never a bool or a string; else ``ConfigurationError`` naming ``name``
    (``also``: the other forms it may take)."""
    number = _checked_seconds(value)
    if number is None:
        raise ConfigurationError(
            f"{name} must be a positive, finite number of seconds (at most {MAX_SECONDS:,.0f})"
            f"{also}, not {reprlib.repr(value)}"
        )
    return number


def resolve_timeout(value: object, *, default: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.Timeout:
    """``value`` as an ``httpx.Timeout``: None means ``default``; a number is seconds (see
    ``seconds``); an ``httpx.Timeout``'s limits are each seconds or None (no limit)."""
    if value is None:  # the common case costs nothing
        return default
    if not isinstance(value, httpx.Timeout):
        return httpx.Timeout(seconds("timeout", value, also=" or an httpx.Timeout"))
    limits = [getattr(value, name) for name in _TIMEOUT_FIELDS]
    checked = [
        None if limit is None else seconds(f"timeout.{name}", limit, also=" or None")
        for name, limit in zip(_TIMEOUT_FIELDS, limits, strict=True)
    ]
    if all(new is old for new, old in zip(checked, limits, strict=True)):
        return value  # already floats (float() of a float is the float itself)
    return httpx.Timeout(**dict(zip(_TIMEOUT_FIELDS, checked, strict=True)))


def validate_headers(headers: object) -> dict[str, str]:
    """Extra headers as a dict with lower-case names (HTTP names are case-insensitive)."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ConfigurationError("headers must be a mapping of header names to string values")
    checked: dict[str, str] = {}
    for name, value in headers.items():  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise ConfigurationError(f"header name {name!r} is not a valid HTTP header name")
        if not isinstance(value, str) or not _FIELD_VALUE.fullmatch(value):
            # The value may be a secret: name the header, never show the value.
            raise ConfigurationError(
                f"header {name!r} must be a string of printable ASCII characters "
                "(no line breaks or non-ASCII text)"
            )
        checked[name.lower()] = value
    return checked


def validate_max_response_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"max_response_size must be a positive byte count, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class TransportOptions:
    """A client's defaults for every call, each validated; calls may override some of them."""

    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE

    @classmethod
    def build(
        cls,
        *,
        timeout: object = None,
        max_retries: object = DEFAULT_MAX_RETRIES,
        retry_policy: object = None,
        headers: object = None,
        max_response_size: object = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> TransportOptions:
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ConfigurationError("retry_policy must be an alleviate_debtcore.RetryPolicy")
        return cls(
            timeout=resolve_timeout(timeout),
            max_retries=validate_max_retries(max_retries),
            retry_policy=retry_policy or RetryPolicy(),
            headers=validate_headers(headers),
            max_response_size=validate_max_response_size(max_response_size),
        )

    def with_overrides(
        self, *, timeout: object = None, max_retries: object = None
    ) -> TransportOptions:
        """A copy with a new default timeout and/or retry count (None keeps the current one)."""
        return replace(
            self,
            timeout=resolve_timeout(timeout, default=self.timeout),
            max_retries=self.max_retries
            if max_retries is None
            else validate_max_retries(max_retries),
        )
