"""The time budget of one call, shared by every step that serves it.

A call's ``timeout`` bounds the whole call: waiting for an access token (token retries and their
``Retry-After`` waits included), each attempt, the backoff between attempts and reading the body.
The transport opens a ``Deadline`` and publishes it in ``current_deadline``; the token credential
reads it there (it runs inside httpx's auth flow, which has no other channel to it).
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncGenerator, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

import httpx

from .errors import TokenEndpointError, TokenWaitTimeoutError

__all__ = [
    "Deadline",
    "DeadlineAuth",
    "DeadlineAware",
    "begin_token_step",
    "call_budget",
    "current_deadline",
    "end_token_step",
    "enter_token_step",
    "leave_token_step",
    "token_step_ran_out",
    "token_wait_ran_out",
    "wait_budget",
    "waiting_for",
    "with_deadline",
]

# Less time than this since the limits were last set (a fresh call, a cached token) leaves them
# as they are: at most this much past the deadline, and no new Timeout per request.
_RECLIP_AFTER: Final = 0.05


def call_budget(timeout: httpx.Timeout) -> float | None:
    """The whole call's budget: the largest of the timeout's limits (None when all are off).

    ``timeout=2`` gives every phase 2 s and the call 2 s in total; the default
    ``Timeout(30, connect=10)`` gives the call 30 s and each connect attempt 10 s.
    """
    limits = [
        value for value in (timeout.connect, timeout.read, timeout.write, timeout.pool) if value
    ]
    return max(limits) if limits else None


class Deadline:
    """A point in monotonic time by which the call must end (None: no limit).

    ``token_step`` is True while the call waits for an access token, so that running out of time
    there is reported as a ``TokenEndpointError`` rather than an API timeout; ``waiting_for``
    names a wait on someone else's token request (``waiting_for()``), reported as a
    ``TokenWaitTimeoutError``.
    """

    __slots__ = ("budget", "clipped_at", "expires_at", "token_step", "waiting_for", "waiting_since")

    def __init__(self, budget: float | None) -> None:
        self.budget = budget
        self.clipped_at = now = time.monotonic()
        self.expires_at = None if budget is None else now + budget
        self.token_step = False
        self.waiting_for: str | None = None
        self.waiting_since = now

    def remaining(self) -> float | None:
        """Seconds left (0 when expired), or None without a limit."""
        if self.expires_at is None:
            return None
        return max(self.expires_at - time.monotonic(), 0.0)

    def expired(self) -> bool:
        return self.expires_at is not None and time.monotonic() >= self.expires_at

    def stale(self) -> bool:
        """Whether limits set now should be lower than those set at the last clip (or at the
        start): a limit and at least ``_RECLIP_AFTER`` since then."""
        return self.expires_at is not None and time.monotonic() - self.clipped_at >= _RECLIP_AFTER

    def limits(self, timeout: httpx.Timeout) -> dict[str, float | None]:
        """A request's ``timeout`` extension: ``timeout``, clipped when the deadline is
        ``stale()``; a fresh deadline leaves the limits as they are."""
        return (self.clip(timeout) if self.stale() else timeout).as_dict()

    def clip(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """``timeout`` with each limit lowered to the time left."""
        if self.expires_at is None:
            return timeout
        self.clipped_at = now = time.monotonic()
        left = max(self.expires_at - now, 0.0)
        # httpx treats 0 as "fail at once"; a tiny positive floor keeps the failure a timeout.
        left = max(left, 1e-3)
        connect, read, write, pool = (
            left if value is None or not math.isfinite(value) else min(value, left)
            for value in (timeout.connect, timeout.read, timeout.write, timeout.pool)
        )
        return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


# The deadline of the call running in this task or thread, if any.
current_deadline: ContextVar[Deadline | None] = ContextVar(
    "alleviate_debtcore_deadline", default=None
)


def token_step_ran_out(deadline: Deadline) -> TokenEndpointError:
    return TokenEndpointError(
        f"no access token within the call's timeout of {deadline.budget:g} s: the Entra ID token "
        "endpoint is slow or unreachable; check network access to it, or raise the timeout"
    )


def token_wait_ran_out(deadline: Deadline) -> TokenWaitTimeoutError:
    """The call's time ran out in the wait ``waiting_for()`` named."""
    waited_for = deadline.waiting_for or "another token request"
    waited = time.monotonic() - deadline.waiting_since
    return TokenWaitTimeoutError(
        f"no access token within the call's timeout of {deadline.budget:g} s: waited "
        f"{waited:.2f} s for {waited_for}, which has not finished (the token endpoint may be "
        "slow); raise the timeout or retry later",
        waited_for=waited_for,
        waited=waited,
    )


@contextmanager
def waiting_for(what: str) -> Generator[Deadline | None]:
    """Marks the running call as waiting for ``what`` (someone else's token request), so that
    running out of time there is a ``TokenWaitTimeoutError`` naming it, wherever the time runs
    out: in the wait itself or in the async attempt's ``asyncio.timeout``. The mark stays when
    the wait is interrupted, for that handler to read; it is cleared when the wait ends."""
    deadline = current_deadline.get()
    if deadline is None:
        yield None
        return
    deadline.waiting_for, deadline.waiting_since = what, time.monotonic()
    yield deadline
    deadline.waiting_for = None


class DeadlineAware:
    """Marks an ``httpx.Auth`` that reports its own token step to the call's deadline
    (``enter_token_step`` / ``leave_token_step``), as ``EntraAuth`` does; any other auth is
    wrapped in ``DeadlineAuth``, which costs one more generator per request."""


def with_deadline(auth: httpx.Auth) -> httpx.Auth:
    """``auth`` as the transports use it: aware of the call's deadline."""
    return auth if isinstance(auth, DeadlineAware) else DeadlineAuth(auth)


class DeadlineAuth(httpx.Auth):
    """Wraps the caller's ``httpx.Auth`` to tell the call's deadline when the token step runs.

    Marks ``Deadline.token_step`` while the wrapped flow works (fetching a token, waiting for one),
    and once it hands over the request, lowers the request's timeouts to the time left, so time
    spent on the token is not granted twice.
    """

    def __init__(self, inner: httpx.Auth) -> None:
        self.inner = inner
        self.requires_request_body = inner.requires_request_body
        self.requires_response_body = inner.requires_response_body

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        deadline = begin_token_step()
        flow = self.inner.sync_auth_flow(request)
        try:
            request = next(flow)
            while True:
                leave_token_step(deadline, request)
                response = yield request
                enter_token_step(deadline)
                request = flow.send(response)
        except StopIteration:
            end_token_step(deadline)
        finally:
            flow.close()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        deadline = begin_token_step()
        flow = self.inner.async_auth_flow(request)
        try:
            request = await anext(flow)
            while True:
                leave_token_step(deadline, request)
                response = yield request
                enter_token_step(deadline)
                request = await flow.asend(response)
        except StopAsyncIteration:
            end_token_step(deadline)
        finally:
            await flow.aclose()

    def __repr__(self) -> str:
        return repr(self.inner)


def enter_token_step(deadline: Deadline | None) -> None:
    """The call is waiting for an access token from here on."""
    if deadline is not None:
        deadline.token_step = True


def begin_token_step() -> Deadline | None:
    """``enter_token_step`` for the running call's deadline, returned for ``leave_token_step``."""
    deadline = current_deadline.get()
    enter_token_step(deadline)
    return deadline


def end_token_step(deadline: Deadline | None) -> None:
    """The auth flow is over without sending again."""
    if deadline is not None:
        deadline.token_step = False


def leave_token_step(deadline: Deadline | None, request: httpx.Request) -> None:
    """The token step is over and ``request`` goes out: lower its limits to the time left (after
    a long token step), or raise ``TokenEndpointError`` if none is left."""
    if deadline is None or deadline.expires_at is None:
        return
    deadline.token_step = False
    if not deadline.stale():  # a short token step (a cached token) leaves the limits as they are
        return
    if deadline.expired():
        deadline.token_step = True
        raise token_step_ran_out(deadline)
    limits: dict[str, float | None] = request.extensions.get("timeout", {})
    request.extensions["timeout"] = deadline.clip(httpx.Timeout(**limits)).as_dict()


def wait_budget(limit: float | None = None) -> float | None:
    """How long a wait inside the running call may last: the call's time left, capped by
    ``limit`` (None: no bound at all). Every lock and single-flight wait takes its bound here."""
    deadline = current_deadline.get()
    left = deadline.remaining() if deadline is not None else None
    if left is None:
        return limit
    return left if limit is None else min(left, limit)
