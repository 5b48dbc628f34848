"""Retry decisions as plain functions: what may be retried, how long to wait, when to stop.

The API transports (async and sync) and the token endpoint (``auth/_credential.py``) all decide
here; nothing in this module does I/O or sleeps (the sans-I/O style).
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import httpx

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "MIN_ATTEMPT_TIME",
    "RequestKind",
    "RetryPolicy",
    "next_delay",
    "parse_retry_after",
    "retryable_status",
    "retryable_transport_error",
    "validate_max_retries",
]

# "query" and "mutation" are API calls; "token" is a client-credentials request (idempotent).
RequestKind = Literal["query", "mutation", "token"]

DEFAULT_MAX_RETRIES: Final = 2
# An attempt started with less of the call's budget left than this could not finish.
MIN_ATTEMPT_TIME: Final = 0.05


def _non_negative(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(f"RetryPolicy.{name} must be a finite number of seconds >= 0")
    return float(value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait between attempts (Stainless numbers).

    The wait before retry ``n`` (0-based) is ``min(initial_delay * 2**n, max_delay)`` times a
    random factor in ``[0.75, 1]``. A server's ``Retry-After`` / ``retry-after-ms`` replaces it;
    one above ``max_retry_after`` seconds, or beyond the call's remaining timeout, ends the call
    at once with the error (``RateLimitError.retry_after`` says how long the server asked for).
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            object.__setattr__(self, name, _non_negative(name, getattr(self, name)))

    def backoff(self, retry_number: int, *, jitter: float | None = None) -> float:
        """The jittered wait before retry ``retry_number``; ``jitter`` in [0, 1] (random)."""
        fraction = random.random() if jitter is None else min(max(jitter, 0.0), 1.0)
        base = min(self.initial_delay * 2.0 ** min(retry_number, 64), self.max_delay)
        return base * (0.75 + 0.25 * fraction)


def validate_max_retries(value: object) -> int:
    """``value`` when it is a whole number >= 0, else ``ConfigurationError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be a whole number >= 0, not {value!r}")
    return value


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date).

    Never raises: a value that is missing, unparsable, negative-infinite, NaN or infinite counts
    as absent; a negative or past value as 0.
    """
    millis = _finite(headers.get("retry-after-ms"))
    if millis is not None:
        return max(millis / 1000.0, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _finite(raw)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(raw)
        wait = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return max(wait, 0.0) if math.isfinite(wait) else None


def _finite(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def retryable_status(status: int, kind: RequestKind) -> bool:
    """Whether an HTTP status may be retried for this kind of request.

    429 means the request was refused before any work, so even a mutation may be resent. A query
    or a token request also retries 408 and 5xx; a mutation does not (a credit pull costs money,
    an enrollment creates a record), since the server may have acted on it.
    """
    if status == 429:
        return True
    return kind != "mutation" and (status == 408 or status >= 500)


def retryable_transport_error(exc: httpx.TransportError, kind: RequestKind) -> bool:
    """Whether a failed exchange may be retried: always for a query or a token request; for a
    mutation only when it surely never reached the server."""
    if kind != "mutation":
        return True
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def next_delay(
    *,
    policy: RetryPolicy,
    retryable: bool,
    retry_number: int,
    max_retries: int,
    retry_after: float | None,
    remaining: float | None,
    jitter: Callable[[], float] = random.random,
) -> float | None:
    """The wait before retry ``retry_number`` (0-based), or None to give up now.

    Gives up when the failure is not retryable, the retries are used up, the server's
    ``Retry-After`` exceeds ``policy.max_retry_after``, or the wait would leave less than
    ``MIN_ATTEMPT_TIME`` of the ``remaining`` time budget (None: no budget) for the next attempt:
    the caller then gets the failure itself rather than a timeout from an attempt that could not
    finish. ``jitter`` draws the random factor (in [0, 1]) when a backoff is computed.
    """
    if not retryable or retry_number >= max_retries:
        return None
    if retry_after is not None:
        if retry_after > policy.max_retry_after:
            return None
        delay = retry_after
    else:
        delay = policy.backoff(retry_number, jitter=jitter())
    if remaining is not None and delay + MIN_ATTEMPT_TIME >= remaining:
        return None
    return delay
