"""Where tokens are kept between requests: the two cache protocols and the in-memory default.

``TokenCache`` is a store private to the process (or as quick as one): ``EntraAuth`` reads it on
every request. ``SharedTokenCache`` is a store that processes share (``FileTokenCache``,
``RedisTokenCache``): ``EntraAuth`` keeps the token in memory, goes to the store only when it has
no token or its token is due, and takes the store's lock so that one process fetches for all.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from alleviate_debtcore._fork import on_fork_in_child

from ._token import AccessToken

__all__ = [
    "InMemoryTokenCache",
    "SharedTokenCache",
    "TokenCache",
    "hashed_cache_key",
    "token_cache_key",
]


def token_cache_key(parts: Iterable[str], scope: str) -> str:
    """The cache key for a credential identity (authority, tenant, client id) and a scope.

    A compact JSON array: unambiguous whatever the parts contain, and readable in a shared store.
    """
    return json.dumps([*parts, scope], separators=(",", ":"))


def hashed_cache_key(key: str) -> str:
    """A :func:`token_cache_key` as a shared store names it: SHA-256 hex, so that the store's
    keys reveal neither the tenant, the client id nor the scope."""
    return hashlib.sha256(key.encode()).hexdigest()


@runtime_checkable
class TokenCache(Protocol):
    """A token store keyed by :func:`token_cache_key` strings.

    Methods are synchronous and are called on every request, on the event loop by the async flow,
    so they must be quick (an in-process dict). Implementations must be thread-safe. For a store
    that processes share (a file, Redis), implement :class:`SharedTokenCache` instead.
    """

    def get(self, key: str) -> AccessToken | None:
        """The stored token, or None. Expired tokens may be returned: the caller checks."""
        ...

    def set(self, key: str, token: AccessToken) -> None:
        """Store ``token``, replacing any token under ``key``."""
        ...

    def remove(self, key: str) -> None:
        """Forget the token under ``key``; no error when there is none."""
        ...


@runtime_checkable
class SharedTokenCache(Protocol):
    """A token store shared by processes, with a lock per key for cross-process single flight.

    Sync methods serve ``httpx.Client`` (and the sync client), ``a``-prefixed ones the async flow:
    they must not block the event loop. Keys are :func:`token_cache_key` strings; implementations
    store them hashed (:func:`hashed_cache_key`). Failures raise
    :class:`~alleviate_debtcore.errors.TokenCacheError`, which ``EntraAuth`` logs and works around
    by fetching its own token.

    The lock: ``lock`` returns an owner id when it took the lock for ``key``, None when another
    process holds it; ``unlock`` releases it only for that owner. The holder fetches and stores
    a token; the others re-read the store until the token appears or the lock is free again.
    """

    def load(self, key: str) -> AccessToken | None:
        """The stored token, or None; expired tokens are never returned."""
        ...

    def save(self, key: str, token: AccessToken) -> None:
        """Store ``token`` under ``key`` until it expires."""
        ...

    def discard(self, key: str, token: AccessToken) -> None:
        """Forget the entry under ``key`` if it still holds ``token`` (a token the API refused)."""
        ...

    def lock(self, key: str) -> str | None:
        """Take the refresh lock for ``key`` without waiting: an owner id, or None if held."""
        ...

    def unlock(self, key: str, owner: str) -> None:
        """Release the refresh lock if ``owner`` still holds it."""
        ...

    async def aload(self, key: str) -> AccessToken | None:
        """:meth:`load` for the async flow."""
        ...

    async def asave(self, key: str, token: AccessToken) -> None:
        """:meth:`save` for the async flow."""
        ...

    async def adiscard(self, key: str, token: AccessToken) -> None:
        """:meth:`discard` for the async flow."""
        ...

    async def alock(self, key: str) -> str | None:
        """:meth:`lock` for the async flow."""
        ...

    async def aunlock(self, key: str, owner: str) -> None:
        """:meth:`unlock` for the async flow."""
        ...


class InMemoryTokenCache:
    """The default :class:`TokenCache`: a dict behind a lock, private to the process."""

    __slots__ = ("__weakref__", "_lock", "_tokens")

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()
        on_fork_in_child(self, InMemoryTokenCache._reset_after_fork)

    def _reset_after_fork(self) -> None:
        self._lock = threading.Lock()  # a parent thread may have held it; the tokens stay valid

    def get(self, key: str) -> AccessToken | None:
        with self._lock:
            return self._tokens.get(key)

    def set(self, key: str, token: AccessToken) -> None:
        with self._lock:
            self._tokens[key] = token

    def remove(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)

    def __repr__(self) -> str:
        return f"InMemoryTokenCache(entries={len(self)})"
