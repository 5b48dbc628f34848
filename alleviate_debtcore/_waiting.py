"""Polling for the API's asynchronous steps: what ``wait_for_credit_report`` and
``wait_for_enrollment`` share.

Polls start ``poll_interval`` apart and back off by half again each time, up to
``max_poll_interval``; the last sleep is cut so the total stays within ``timeout``. The final
object is returned whatever its terminal state (a FAILED report is an answer, not an error).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from .errors import ConfigurationError, WaitTimeoutError

__all__ = ["poll_until"]

T = TypeVar("T")

BACKOFF = 1.5


async def poll_until(
    fetch: Callable[[], Awaitable[T]],
    pending: Callable[[T], Mapping[str, str]],
    *,
    what: str,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
) -> T:
    """Call ``fetch`` until ``pending(result)`` is empty; ``WaitTimeoutError`` after ``timeout``
    seconds, naming what was still pending."""
    if timeout <= 0 or poll_interval <= 0 or max_poll_interval < poll_interval:
        raise ConfigurationError(
            "timeout and poll_interval must be positive, max_poll_interval >= poll_interval"
        )
    started = time.monotonic()
    interval = poll_interval
    polls = 0
    while True:
        result = await fetch()
        polls += 1
        still = pending(result)
        if not still:
            return result
        waited = time.monotonic() - started
        left = timeout - waited
        if left <= 0:
            states = ", ".join(f"{name} {state}" for name, state in still.items())
            raise WaitTimeoutError(
                f"{what} still pending after {waited:.1f} s and {polls} polls: {states}",
                pending=still,
                waited=waited,
            )
        await asyncio.sleep(min(interval, left))
        interval = min(interval * BACKOFF, max_poll_interval)
