"""EntraAuth's side of a ``SharedTokenCache``: one fetch across processes, and no outage.

Before fetching, a process looks in the shared store and takes the store's lock for the key; the
others use the token that appears there, or take the lock once it is free (released or expired).
Whatever the store does (unreachable, slow, locked for too long), the process goes on alone:
fetching its own token, with a WARNING when the store first fails. The one exception is time:
waiting for another process's lock never outlasts the running call's deadline (``wait_budget``),
and running out of it raises ``TokenWaitTimeoutError`` naming the lock, not the token endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from alleviate_debtcore._deadline import wait_budget
from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore.errors import TokenCacheError, TokenWaitTimeoutError

from ._cache import SharedTokenCache
from ._token import AccessToken

__all__ = ["Flight", "SharedFlight"]

logger = logging.getLogger("alleviate_debtcore.auth")

T = TypeVar("T")

# Waiting for another process's fetch: re-read the store at this interval, growing to the max.
_POLL_INITIAL = 0.01
_POLL_MAX = 0.1
# Without a call deadline, a holder that takes longer than this (a lock that never expires, a
# stalled process) is not waited for: the process fetches its own token.
_WAIT_MAX = 60.0
# A wait bounded by the call ends this much before its deadline, so that it is this wait that
# reports running out (naming the lock), not the async attempt's asyncio.timeout at the deadline.
_DEADLINE_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Flight:
    """What to do after consulting the store.

    ``token``: another process's fresh token, use it. ``fetch``: fetch one; ``owner`` is the lock
    to release afterwards (None when the store could not be locked), and ``fallback`` the latest
    valid token known (the caller's or the store's), to keep if the fetch fails. Neither: another
    process is refreshing and the caller's own token is still valid.
    """

    token: AccessToken | None = None
    fetch: bool = False
    owner: str | None = None
    fallback: AccessToken | None = None


class SharedFlight:
    """Wraps one store and one key for ``EntraAuth``; every store error is logged and absorbed."""

    def __init__(
        self,
        cache: SharedTokenCache,
        key: str,
        *,
        clock: Callable[[], float],
        wait_max: float = _WAIT_MAX,
    ) -> None:
        self.cache = cache
        self._key = key
        self._clock = clock
        self._wait_max = wait_max
        self._healthy = True
        self._health_lock = threading.Lock()
        on_fork_in_child(self, SharedFlight._reset_after_fork)

    def _reset_after_fork(self) -> None:
        self._health_lock = threading.Lock()  # a parent thread may have held it

    # --- async --------------------------------------------------------------------------------

    async def abegin(self, current: AccessToken | None) -> Flight:
        """Another process's token, the lock to fetch under, or "keep ``current``".

        Raises ``TokenWaitTimeoutError`` when the call's deadline passes while another process
        holds the lock and there is no valid token to use meanwhile."""
        wait = self._wait()
        delay = _POLL_INITIAL
        while True:
            stored, ok = await self._aguard(self.cache.aload(self._key), None)
            if not ok:
                return Flight(fetch=True, fallback=current)
            if stored is not None and not stored.is_due(self._clock()):
                return Flight(token=stored)
            owner, ok = await self._aguard(self.cache.alock(self._key), None)
            if not ok:
                return Flight(fetch=True, fallback=_later(stored, current))
            if owner is not None:
                # A fetch may have ended between our read and our lock: read again.
                try:
                    stored, _ = await self._aguard(self.cache.aload(self._key), None)
                except BaseException:  # cancelled: a file lock would stay held until exit
                    await self.aend(owner, None)
                    raise
                if stored is not None and not stored.is_due(self._clock()):
                    await self.aend(owner, None)
                    return Flight(token=stored)
                return Flight(fetch=True, owner=owner, fallback=_later(stored, current))
            waiting = self._while_locked(stored, current, wait)
            if waiting is not None:
                return waiting
            await asyncio.sleep(wait.pause(delay))
            delay = min(delay * 1.5, _POLL_MAX)

    async def aend(self, owner: str | None, token: AccessToken | None) -> None:
        """Publish ``token`` (when the fetch succeeded), then release the lock."""
        try:
            if token is not None:
                await self._aguard(self.cache.asave(self._key, token), None)
        finally:
            if owner is not None:
                await self._aguard(self.cache.aunlock(self._key, owner), None)

    async def adiscard(self, token: AccessToken) -> None:
        await self._aguard(self.cache.adiscard(self._key, token), None)

    # --- sync ---------------------------------------------------------------------------------

    def begin(self, current: AccessToken | None) -> Flight:
        """:meth:`abegin` for the sync flow."""
        wait = self._wait()
        delay = _POLL_INITIAL
        while True:
            stored, ok = self._guard(lambda: self.cache.load(self._key), None)
            if not ok:
                return Flight(fetch=True, fallback=current)
            if stored is not None and not stored.is_due(self._clock()):
                return Flight(token=stored)
            owner, ok = self._guard(lambda: self.cache.lock(self._key), None)
            if not ok:
                return Flight(fetch=True, fallback=_later(stored, current))
            if owner is not None:
                stored, _ = self._guard(lambda: self.cache.load(self._key), None)
                if stored is not None and not stored.is_due(self._clock()):
                    self.end(owner, None)
                    return Flight(token=stored)
                return Flight(fetch=True, owner=owner, fallback=_later(stored, current))
            waiting = self._while_locked(stored, current, wait)
            if waiting is not None:
                return waiting
            time.sleep(wait.pause(delay))
            delay = min(delay * 1.5, _POLL_MAX)

    def end(self, owner: str | None, token: AccessToken | None) -> None:
        """:meth:`aend` for the sync flow."""
        try:
            if token is not None:
                self._guard(lambda: self.cache.save(self._key, token), None)
        finally:
            if owner is not None:
                self._guard(lambda: self.cache.unlock(self._key, owner), None)

    def discard(self, token: AccessToken) -> None:
        self._guard(lambda: self.cache.discard(self._key, token), None)

    # --- shared -------------------------------------------------------------------------------

    def _wait(self) -> _Wait:
        budget = wait_budget(self._wait_max)
        if budget is None or budget >= self._wait_max:
            return _Wait(time.monotonic(), self._wait_max, by_call=False)
        return _Wait(time.monotonic(), max(budget - _DEADLINE_MARGIN, 0.0), by_call=True)

    def _while_locked(
        self, stored: AccessToken | None, current: AccessToken | None, wait: _Wait
    ) -> Flight | None:
        """Another process holds the lock: what to do now, or None to wait and look again."""
        now = self._clock()
        if stored is not None:
            return Flight(token=stored)  # due but valid: serves while the holder refreshes it
        if current is not None and not current.is_expired(now):
            return Flight()
        if wait.over():
            if wait.by_call:
                raise self._ran_out(wait)
            logger.warning(
                "another process has held the token cache's lock for over %.0f s; fetching a "
                "token without waiting for it",
                self._wait_max,
            )
            return Flight(fetch=True, fallback=current)
        return None

    def _ran_out(self, wait: _Wait) -> TokenWaitTimeoutError:
        describe = getattr(self.cache, "lock_wait_description", None)
        what = (
            str(describe(self._key))
            if callable(describe)
            else f"the {type(self.cache).__name__} lock held by another process"
        )
        waited = time.monotonic() - wait.started
        return TokenWaitTimeoutError(
            f"the call's timeout ran out after {waited:.1f} s waiting for {what}, which is "
            "fetching this credential's token or has stalled; raise the timeout, or find the "
            "stalled process",
            waited_for=what,
            waited=waited,
        )

    async def _aguard(self, operation: Awaitable[T], default: T) -> tuple[T, bool]:
        try:
            result = await operation
        except TokenWaitTimeoutError:
            raise  # the call's deadline: not a store failure to work around
        except Exception as exc:
            self._failed(exc)
            return default, False
        self._answered()
        return result, True

    def _guard(self, operation: Callable[[], T], default: T) -> tuple[T, bool]:
        try:
            result = operation()
        except TokenWaitTimeoutError:
            raise
        except Exception as exc:
            self._failed(exc)
            return default, False
        self._answered()
        return result, True

    def _failed(self, exc: Exception) -> None:
        with self._health_lock:
            first, self._healthy = self._healthy, False
        # Our own TokenCacheError messages name the failure's type only; others may quote more.
        what = str(exc) if isinstance(exc, TokenCacheError) else type(exc).__name__
        logger.log(
            logging.WARNING if first else logging.DEBUG,
            "token cache %s failed (%s); this process fetches and keeps its own token until the "
            "cache answers again",
            type(self.cache).__name__,
            what,
        )

    def _answered(self) -> None:
        with self._health_lock:
            recovered, self._healthy = not self._healthy, True
        if recovered:
            logger.info("token cache %s answers again", type(self.cache).__name__)


@dataclass(frozen=True, slots=True)
class _Wait:
    """One wait for another process's lock: since when, for how long, and whether that bound is
    the call's deadline (then running out is an error) or ``wait_max`` (then we fetch)."""

    started: float
    budget: float
    by_call: bool

    def over(self) -> bool:
        return time.monotonic() - self.started >= self.budget

    def pause(self, delay: float) -> float:
        """``delay``, cut so that the last look falls on the end of the wait."""
        return max(min(delay, self.started + self.budget - time.monotonic()), 0.0)


def _later(first: AccessToken | None, second: AccessToken | None) -> AccessToken | None:
    if first is None or second is None:
        return first or second
    return first if first.expires_on >= second.expires_on else second
