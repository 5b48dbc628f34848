"""Polling for the API's asynchronous steps: what ``wait_for_credit_report`` and
``wait_for_enrollment`` share, for both faces.

``timeout`` bounds the whole wait, the polls included: each poll is sent with the client's
timeout clipped to what is left of the wait, so a slow poll cannot outlast it. Running out,
between polls or in one, is a ``WaitTimeoutError`` naming what was still pending (a poll cut
short chains its own error as the cause). A poll that fails for a reason of its own, or hits the
client's shorter per-request timeout while the wait still has time, raises that error as it is.

Polls start ``poll_interval`` apart and back off by half again each time, up to
``max_poll_interval``. The last sleep is cut so that the final poll starts with as much time left
as the previous poll took (0.1 s at least); with less than that left, the wait is over. The final
object is returned whatever its terminal state (a FAILED report is an answer, not an error).
``timeout`` and the intervals are checked before the first poll: positive, finite seconds (NaN,
infinities, bools and strings are ``ConfigurationError``).
``_Schedule`` takes every decision; ``poll_until`` and ``poll_until_sync`` only wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, TypeVar

import httpx

from ._deadline import Deadline
from ._options import seconds
from ._retry import MIN_ATTEMPT_TIME
from .errors import (
    APITimeoutError,
    ConfigurationError,
    DebtCoreError,
    TokenEndpointError,
    WaitTimeoutError,
)

__all__ = ["poll_until", "poll_until_sync"]

T = TypeVar("T")

BACKOFF = 1.5

# What a call raises when its own budget runs out: its request, its token step, or a wait for
# another caller's token. A poll given only what was left of the wait ends in one of these.
_OUT_OF_TIME: Final = (APITimeoutError, TokenEndpointError, TimeoutError)


class _Schedule:
    """When to poll next and with what timeout, or ``WaitTimeoutError`` once ``timeout`` is
    spent."""

    def __init__(
        self,
        *,
        what: str,
        timeout: object,
        poll_interval: object,
        max_poll_interval: object,
        request_timeout: httpx.Timeout,
    ) -> None:
        self.timeout = seconds("timeout", timeout)
        self.interval = seconds("poll_interval", poll_interval)
        self.max_poll_interval = seconds("max_poll_interval", max_poll_interval)
        if self.max_poll_interval < self.interval:
            raise ConfigurationError("max_poll_interval must be at least poll_interval")
        self.what = what
        self.request_timeout = request_timeout
        self.started = self.poll_started = time.monotonic()
        self.expires_at = self.started + self.timeout
        self.polls = 0
        self.still: Mapping[str, str] | None = None  # what the last answer left pending

    def poll_timeout(self) -> httpx.Timeout:
        """The next poll's timeout: the client's, clipped to what is left of the wait."""
        now = time.monotonic()
        left = self.expires_at - now
        if self.polls and left < MIN_ATTEMPT_TIME:  # the first poll always goes out
            raise self.timed_out()
        self.polls += 1
        self.poll_started = now
        return Deadline(left).clip(self.request_timeout)

    def next_sleep(self, still: Mapping[str, str]) -> float:
        """Seconds to sleep before the next poll, after a poll that left ``still`` pending."""
        self.still = still
        now = time.monotonic()
        # The final poll starts while as much is left as this one took (0.1 s at least), not at
        # the deadline with no time to answer; with less left than that, the wait is over.
        reserve = max(now - self.poll_started, 2 * MIN_ATTEMPT_TIME)
        sleep = min(self.interval, self.expires_at - now - reserve)
        if sleep <= 0:
            raise self.timed_out()
        self.interval = min(self.interval * BACKOFF, self.max_poll_interval)
        return sleep

    def cut_short(self, error: DebtCoreError) -> bool:
        """Whether ``error`` ended a poll because the wait ran out, not for a reason of its own."""
        return (
            isinstance(error, _OUT_OF_TIME)
            and self.expires_at - time.monotonic() < MIN_ATTEMPT_TIME
        )

    def timed_out(self, *, unanswered: bool = False) -> WaitTimeoutError:
        waited = time.monotonic() - self.started
        polls = f"{self.polls} poll{'s' if self.polls != 1 else ''}"
        last = "; the last poll did not answer in time" if unanswered else ""
        if self.still is None:
            return WaitTimeoutError(
                f"{self.what}: no poll answered within the timeout of {self.timeout:g} s "
                f"({waited:.1f} s, {polls}); raise the timeout",
                pending={self.what: "no answer"},
                waited=waited,
            )
        states = ", ".join(f"{name} {state}" for name, state in self.still.items())
        return WaitTimeoutError(
            f"{self.what} still pending after {waited:.1f} s and {polls}: {states}{last}",
            pending=self.still,
            waited=waited,
        )


async def poll_until(
    fetch: Callable[[httpx.Timeout], Awaitable[T]],
    pending: Callable[[T], Mapping[str, str]],
    *,
    what: str,
    timeout: object,
    poll_interval: object,
    max_poll_interval: object,
    request_timeout: httpx.Timeout,
) -> T:
    """Call ``fetch(poll_timeout)`` until ``pending(result)`` is empty; ``WaitTimeoutError``
    after ``timeout`` seconds, naming what was still pending. ``request_timeout`` is the client's
    timeout, which each poll gets clipped to what is left."""
    schedule = _Schedule(
        what=what,
        timeout=timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        request_timeout=request_timeout,
    )
    while True:
        poll_timeout = schedule.poll_timeout()
        try:
            result = await fetch(poll_timeout)
        except DebtCoreError as exc:
            if schedule.cut_short(exc):
                raise schedule.timed_out(unanswered=True) from exc
            raise
        still = pending(result)
        if not still:
            return result
        await asyncio.sleep(schedule.next_sleep(still))


def poll_until_sync(
    fetch: Callable[[httpx.Timeout], T],
    pending: Callable[[T], Mapping[str, str]],
    *,
    what: str,
    timeout: object,
    poll_interval: object,
    max_poll_interval: object,
    request_timeout: httpx.Timeout,
) -> T:
    """The blocking twin of ``poll_until``."""
    schedule = _Schedule(
        what=what,
        timeout=timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        request_timeout=request_timeout,
    )
    while True:
        poll_timeout = schedule.poll_timeout()
        try:
            result = fetch(poll_timeout)
        except DebtCoreError as exc:
            if schedule.cut_short(exc):
                raise schedule.timed_out(unanswered=True) from exc
            raise
        still = pending(result)
        if not still:
            return result
        time.sleep(schedule.next_sleep(still))
