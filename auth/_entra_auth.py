"""``httpx.Auth`` adding Entra ID bearer tokens: cached, refreshed early, fetched once."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, cast

import httpx

from alleviate_debtcore._deadline import (
    DeadlineAware,
    begin_token_step,
    end_token_step,
    leave_token_step,
    token_wait_ran_out,
    wait_budget,
    waiting_for,
)
from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore.errors import ConfigurationError, CredentialError

from ._azure import AzureCredential, AzureCredentialAdapter, cache_key_for, is_azure_credential
from ._cache import InMemoryTokenCache, SharedTokenCache, TokenCache
from ._credential import TokenCredential, validate_scope
from ._token import AccessToken

if TYPE_CHECKING:
    from ._shared_flight import SharedFlight

__all__ = ["EntraAuth"]

logger = logging.getLogger("alleviate_debtcore.auth")

# azure-core draws 0-60 s per token so that many processes do not refresh in the same second.
_JITTER_MAX = 60.0
# After a failed proactive refresh, the still-valid token is used this long before trying again.
_REFRESH_RETRY_DELAY = 30.0
# While another process refreshes the shared token, the due one serves this long between looks.
_PEER_RECHECK_DELAY = 1.0
# What a call waits for behind the fetch lock (TokenWaitTimeoutError.waited_for).
_THREAD_FETCH = "another thread's token request for this client"
_TASK_FETCH = "another task's token request for this client"


class EntraAuth(httpx.Auth, DeadlineAware):
    """Bearer-token auth for ``httpx.Client`` and ``httpx.AsyncClient``.

    - One token serves every request until it is due: ``refresh_on`` from the issuer's
      ``refresh_in``, or earlier, when the time left is ``min(refresh_margin + jitter,
      lifetime / 2)`` with a per-token jitter of 0-60 s.
    - One fetch at a time, per event loop and across threads; a due but valid token keeps serving
      other requests while one of them refreshes it.
    - A failed refresh keeps the valid token (WARNING logged, retried 30 s later); only a missing
      or expired token lets the error reach the caller.
    - A 401 from the API drops the rejected token and replays the request once with a new token.
    - ``cache``: a :class:`TokenCache` (read on every request; default: in memory), or a
      :class:`SharedTokenCache` such as ``FileTokenCache`` or ``RedisTokenCache``: the token is
      kept in memory too, the store is read only when it is missing or due, and one process
      fetches for all under the store's lock. A store that fails is logged (WARNING) and worked
      around: the process fetches its own token.

    ``credential`` is one of this package's credentials, any ``TokenCredential``, or an
    azure-core credential (``azure.identity`` or ``azure.identity.aio``) used as it is: then
    refreshes follow its own schedule (``refresh_on``, or 300 s before expiry, plus jitter) and a
    401 asks it for a token that bypasses its cache (see ``AzureCredentialAdapter``).
    """

    requires_request_body = True  # so a 401 can replay a streamed body

    def __init__(
        self,
        credential: TokenCredential | AzureCredential,
        *,
        scope: str,
        refresh_margin: float = 300.0,
        cache: TokenCache | SharedTokenCache | None = None,
        cache_key: str | None = None,
        _clock: Callable[[], float] = time.time,
        _jitter: Callable[[], float] | None = None,
        _refresh_retry_delay: float = _REFRESH_RETRY_DELAY,
    ) -> None:
        if refresh_margin < 0:
            raise ConfigurationError("refresh_margin must be 0 or more seconds")
        self._credential: TokenCredential = (
            AzureCredentialAdapter(credential)
            if is_azure_credential(credential)
            else cast("TokenCredential", credential)
        )
        self._scope = validate_scope(scope)
        self._refresh_margin = float(refresh_margin)
        # The principal's identity (never the object's id), plus cache_key; see cache_key_for.
        self._key = cache_key_for(
            self._credential, scope, cache_key=cache_key, shared=cache is not None
        )
        # With a shared store, self._cache is this process's copy of the store's token.
        self._shared: SharedFlight | None = None
        if isinstance(cache, SharedTokenCache):
            from ._shared_flight import SharedFlight  # only with a shared cache

            self._shared = SharedFlight(cache, self._key, clock=_clock)
            cache = None
        self._cache: TokenCache = cache if cache is not None else InMemoryTokenCache()
        self._clock = _clock
        self._jitter = _jitter if _jitter is not None else _random_jitter
        self._refresh_retry_delay = _refresh_retry_delay
        # Guards the shared state below and makes "drop the token if it is the rejected one"
        # atomic; held only around cache calls, never across a token request.
        self._state_lock = threading.Lock()
        self._thread_fetch_lock = threading.Lock()
        # An asyncio.Lock belongs to one event loop: one per loop, forgotten with the loop.
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._next_refresh_attempt = 0.0
        self._fetch_count = 0
        self._last_failure: tuple[int, Exception] | None = None
        on_fork_in_child(self, EntraAuth._after_fork)

    @property
    def scope(self) -> str:
        """The scope tokens are requested for."""
        return self._scope

    @property
    def cache_key(self) -> str:
        """The key this auth's token lives under in the cache."""
        return self._key

    # --- httpx flows --------------------------------------------------------------------------

    # Each flow reports its token step to the call's deadline itself (DeadlineAware): a cached
    # token, the common case, involves no token step and no wrapping generator.

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        token = self._ready()
        if token is None:
            deadline = begin_token_step()
            token = self.get_token_sync()
            leave_token_step(deadline, request)
        _authorize(request, token)
        response = yield request
        if response.status_code == 401:
            deadline = begin_token_step()
            fresh = self._renew_sync(token)
            if fresh is None:
                end_token_step(deadline)
                return
            leave_token_step(deadline, request)
            _authorize(request, fresh)
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        token = self._ready()
        if token is None:
            deadline = begin_token_step()
            token = await self.get_token()
            leave_token_step(deadline, request)
        _authorize(request, token)
        response = yield request
        if response.status_code == 401:
            deadline = begin_token_step()
            fresh = await self._renew_async(token)
            if fresh is None:
                end_token_step(deadline)
                return
            leave_token_step(deadline, request)
            _authorize(request, fresh)
            yield request

    def _ready(self) -> AccessToken | None:
        """The cached token when it needs no fetch or refresh (no token step), else None."""
        token, due = self._lookup()
        return token if token is not None and not due else None

    # --- tokens -------------------------------------------------------------------------------

    async def get_token(self) -> AccessToken:
        """The cached token, fetched or refreshed first when needed (the async flow's path)."""
        token, due = self._lookup()
        if token is not None and not due:
            return token
        seen = self._fetch_count
        lock = self._loop_lock()
        if token is not None and lock.locked():
            return token  # another task is refreshing it: don't queue behind the refresh
        await self._wait_for_task_fetch(lock)
        try:
            token, due = self._lookup()
            if token is not None and not due:
                return token
            if token is None:
                self._raise_failure_since(seen)
            owner = None
            if self._shared is not None:
                flight = await self._shared.abegin(token)
                if not flight.fetch:
                    return self._adopt(flight.token, token)
                owner, token = flight.owner, flight.fallback
            stored = None
            try:
                requested_at, started = self._clock(), time.monotonic()
                try:
                    fresh = await self._credential.get_token(self._scope)
                except Exception as exc:
                    kept = self._fall_back(exc, token, started)
                    if kept is None:
                        raise
                    return kept
                stored = self._store(fresh, requested_at, started, token)
                return stored
            finally:
                if self._shared is not None:
                    # Publish before unlocking, so that waiting processes find the new token.
                    await self._shared.aend(owner, stored)
        finally:
            lock.release()

    def get_token_sync(self) -> AccessToken:
        """The cached token, fetched or refreshed first when needed (the sync flow's path)."""
        token, due = self._lookup()
        if token is not None and not due:
            return token
        seen = self._fetch_count
        if token is None:
            self._wait_for_thread_fetch()
        elif not self._thread_fetch_lock.acquire(blocking=False):
            return token  # another thread is refreshing it
        try:
            token, due = self._lookup()
            if token is not None and not due:
                return token
            if token is None:
                self._raise_failure_since(seen)
            owner = None
            if self._shared is not None:
                flight = self._shared.begin(token)
                if not flight.fetch:
                    return self._adopt(flight.token, token)
                owner, token = flight.owner, flight.fallback
            stored = None
            try:
                requested_at, started = self._clock(), time.monotonic()
                try:
                    fresh = self._credential.get_token_sync(self._scope)
                except Exception as exc:
                    kept = self._fall_back(exc, token, started)
                    if kept is None:
                        raise
                    return kept
                stored = self._store(fresh, requested_at, started, token)
                return stored
            finally:
                if self._shared is not None:
                    self._shared.end(owner, stored)
        finally:
            self._thread_fetch_lock.release()

    async def _wait_for_task_fetch(self, lock: asyncio.Lock) -> None:
        """Take this loop's fetch lock within the call's time left; running out (here, or in
        the call's own timeout) is a ``TokenWaitTimeoutError`` naming the wait."""
        if not lock.locked():
            await lock.acquire()  # free: no wait to bound (and no timer to arm)
            return
        with waiting_for(_TASK_FETCH) as deadline:
            try:
                async with asyncio.timeout(wait_budget()):
                    await lock.acquire()
            except TimeoutError:
                if deadline is None:  # pragma: no cover - wait_budget() is None without one
                    raise
                raise token_wait_ran_out(deadline) from None

    def _wait_for_thread_fetch(self) -> None:
        """Take the fetch lock within the call's time left, or raise ``TokenWaitTimeoutError``:
        the thread holding it may be stuck on a stalled token endpoint."""
        if self._thread_fetch_lock.acquire(blocking=False):
            return
        with waiting_for(_THREAD_FETCH) as deadline:
            budget = wait_budget()
            if budget is None:
                self._thread_fetch_lock.acquire()
            elif not self._thread_fetch_lock.acquire(timeout=budget):
                assert deadline is not None  # a budget comes from the call's deadline
                raise token_wait_ran_out(deadline)

    async def _renew_async(self, rejected: AccessToken) -> AccessToken | None:
        self._drop_if_current(rejected)
        if self._shared is not None:
            await self._shared.adiscard(rejected)
        fresh = await self.get_token()
        return None if fresh.token == rejected.token else fresh

    def _renew_sync(self, rejected: AccessToken) -> AccessToken | None:
        self._drop_if_current(rejected)
        if self._shared is not None:
            self._shared.discard(rejected)
        fresh = self.get_token_sync()
        return None if fresh.token == rejected.token else fresh

    def _lookup(self) -> tuple[AccessToken | None, bool]:
        """The usable cached token (None if missing or expired), and whether to refresh it now."""
        now = self._clock()
        token = self._cache.get(self._key)
        if token is None or token.is_expired(now):
            return None, True
        # After a failed refresh the valid token is not due again until the back-off ends.
        return token, token.is_due(now) and now >= self._next_refresh_attempt

    def _drop_if_current(self, rejected: AccessToken) -> None:
        """Forget the token the API rejected, unless another request already replaced it."""
        with self._state_lock:
            current = self._cache.get(self._key)
            if current is not None and current.token == rejected.token:
                self._cache.remove(self._key)
                logger.info("the API rejected the access token (401); fetching a new one")
        # A credential with a cache of its own must not hand the rejected token back.
        token_rejected = getattr(self._credential, "token_rejected", None)
        if callable(token_rejected):
            token_rejected(rejected)

    def _raise_failure_since(self, seen: int) -> None:
        """With no usable token, share the failure of a fetch that ended while we waited."""
        with self._state_lock:
            failure = self._last_failure
        if failure is not None and failure[0] > seen:
            raise failure[1]

    def _store(
        self,
        token: AccessToken,
        requested_at: float,
        started: float,
        previous: AccessToken | None,
    ) -> AccessToken:
        # Expiry counts from when we asked, so the lifetime here errs on the short side.
        lifetime = max(token.expires_on - requested_at, 0.0)
        jitter = min(max(self._jitter(), 0.0), _JITTER_MAX)
        if getattr(self._credential, "schedules_own_refresh", False):
            # Its cache renews only from refresh_on on: jitter later, never earlier.
            due = token.refresh_on + min(jitter, max(token.expires_on - token.refresh_on, 0) / 2)
        else:
            margin = min(self._refresh_margin + jitter, lifetime / 2)
            due = min(token.refresh_on, token.expires_on - margin)
        stored = dataclasses.replace(token, refresh_on=due)
        unchanged = previous is not None and previous.token == token.token
        with self._state_lock:
            self._cache.set(self._key, stored)
            self._fetch_count += 1
            self._last_failure = None
            # A credential with its own cache may hand the same token back: try again later.
            self._next_refresh_attempt = (
                self._clock() + self._refresh_retry_delay if unchanged else 0.0
            )
        if unchanged:
            logger.info(
                "the credential returned the current token again; next refresh attempt in %.0f s",
                self._refresh_retry_delay,
            )
            return stored
        logger.info(
            "%s token in %.3f s for scope %s; refresh in %.0f s, expires in %.0f s",
            "refreshed" if previous is not None else "acquired",
            time.monotonic() - started,
            self._scope,
            due - requested_at,
            token.expires_on - requested_at,
        )
        return stored

    def _adopt(self, shared: AccessToken | None, current: AccessToken | None) -> AccessToken:
        """Use the shared store's token, or keep ``current`` while another process refreshes."""
        now = self._clock()
        token = shared if shared is not None else current
        assert token is not None  # SharedFlight keeps current only when it is valid
        with self._state_lock:
            if shared is not None:
                self._cache.set(self._key, shared)
                self._fetch_count += 1
                self._last_failure = None
            # A due token means another process is refreshing it: look again in a moment.
            self._next_refresh_attempt = now + _PEER_RECHECK_DELAY if token.is_due(now) else 0.0
        if shared is not None and (current is None or current.token != shared.token):
            logger.info(
                "using the token another process stored in the shared cache; expires in %.0f s",
                shared.expires_on - now,
            )
        return token

    def _fall_back(
        self, exc: Exception, current: AccessToken | None, started: float
    ) -> AccessToken | None:
        """After a failed fetch: ``current`` while it is still valid, else None (re-raise)."""
        now = self._clock()
        with self._state_lock:
            self._fetch_count += 1
            if current is None or current.is_expired(now):
                # Callers that waited on this fetch get its error rather than a fetch each.
                self._last_failure = (self._fetch_count, exc)
                return None
            self._next_refresh_attempt = now + self._refresh_retry_delay
            if self._shared is not None:
                self._cache.set(self._key, current)  # it may be the store's, new to this process
        logger.warning(
            "token refresh failed after %.3f s (%s); still using the current token, which "
            "expires in %.0f s; next attempt in %.0f s",
            time.monotonic() - started,
            _describe(exc),
            current.expires_on - now,
            self._refresh_retry_delay,
        )
        return current

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._state_lock:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    # --- lifecycle ----------------------------------------------------------------------------

    def _after_fork(self) -> None:
        """In a forked child: new locks (a parent thread may have held one at the fork; its
        fetch will never finish here), no event-loop locks and no in-flight state. The cached
        token is kept: it is the same identity's, valid in any process (the in-memory cache
        renews its own lock: InMemoryTokenCache._reset_after_fork)."""
        self._state_lock = threading.Lock()
        self._thread_fetch_lock = threading.Lock()
        self._loop_locks = weakref.WeakKeyDictionary()
        self._last_failure = None
        self._next_refresh_attempt = 0.0

    async def aclose(self) -> None:
        """Close the credential's own async HTTP client."""
        await self._credential.aclose()

    def close(self) -> None:
        """Close the credential's own sync HTTP client."""
        self._credential.close()

    def __repr__(self) -> str:
        cache = f", cache={self._shared.cache!r}" if self._shared is not None else ""
        return (
            f"EntraAuth(credential={self._credential!r}, scope={self._scope!r}, "
            f"refresh_margin={self._refresh_margin!r}{cache})"
        )


def _authorize(request: httpx.Request, token: AccessToken) -> None:
    request.headers["Authorization"] = f"Bearer {token.token}"


def _random_jitter() -> float:
    return random.uniform(0.0, _JITTER_MAX)


def _describe(exc: Exception) -> str:
    # Codes only: a foreign credential's message could quote anything.
    if isinstance(exc, CredentialError):
        codes = [
            code
            for code in (
                f"HTTP {exc.status_code}" if exc.status_code else None,
                exc.oauth_error,
                exc.aadsts_code,
                f"trace_id={exc.trace_id}" if exc.trace_id else None,
            )
            if code
        ]
        return ", ".join([type(exc).__name__, *codes])
    return type(exc).__name__
