"""Polling for the API's asynchronous steps: what ``wait_for_credit_report`` and
``wait_for_enrollment`` share, for both faces.

Polls start ``poll_interval`` apart and back off by half again each time, up to
``max_poll_interval``; the last sleep is cut so the total stays within ``timeout``. The final
object is returned whatever its terminal state (a FAILED report is an answer, not an error).
``_Schedule`` takes every decision; ``poll_until`` and ``poll_until_sync`` only wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from .errors import ConfigurationError, WaitTimeoutError

__all__ = ["poll_until", "poll_until_sync"]

T = TypeVar("T")

BACKOFF = 1.5


class _Schedule:
    """When to poll next, or ``WaitTimeoutError`` once ``timeout`` is spent."""

    def __init__(
        self, *, what: str, timeout: float, poll_interval: float, max_poll_interval: float
    ) -> None:
        if timeout <= 0 or poll_interval <= 0 or max_poll_interval < poll_interval:
            raise ConfigurationError(
                "timeout and poll_interval must be positive, max_poll_interval >= poll_interval"
            )
        self.what = what
        self.timeout = timeout
        self.max_poll_interval = max_poll_interval
        self.interval = poll_interval
        self.started = time.monotonic()
        self.polls = 0

    def next_sleep(self, still: Mapping[str, str]) -> float:
        """Seconds to sleep before the next poll, after a poll that left ``still`` pending."""
        self.polls += 1
        waited = time.monotonic() - self.started
        left = self.timeout - waited
        if left <= 0:
            states = ", ".join(f"{name} {state}" for name, state in still.items())
            raise WaitTimeoutError(
                f"{self.what} still pending after {waited:.1f} s and {self.polls} polls: {states}",
                pending=still,
                waited=waited,
            )
        sleep = min(self.interval, left)
        self.interval = min(self.interval * BACKOFF, self.max_poll_interval)
        return sleep


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
    schedule = _Schedule(
        what=what, timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval
    )
    while True:
        result = await fetch()
        still = pending(result)
        if not still:
            return result
        await asyncio.sleep(schedule.next_sleep(still))


def poll_until_sync(
    fetch: Callable[[], T],
    pending: Callable[[T], Mapping[str, str]],
    *,
    what: str,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
) -> T:
    """The blocking twin of ``poll_until``."""
    schedule = _Schedule(
        what=what, timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval
    )
    while True:
        result = fetch()
        still = pending(result)
        if not still:
            return result
        time.sleep(schedule.next_sleep(still))
