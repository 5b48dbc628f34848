"""Where tokens are kept between requests: a small protocol and the in-memory default."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from ._token import AccessToken

__all__ = ["InMemoryTokenCache", "TokenCache", "token_cache_key"]


def token_cache_key(parts: Iterable[str], scope: str) -> str:
    """The cache key for a credential identity (authority, tenant, client id) and a scope.

    A compact JSON array: unambiguous whatever the parts contain, and readable in a shared store.
    """
    return json.dumps([*parts, scope], separators=(",", ":"))


@runtime_checkable
class TokenCache(Protocol):
    """A token store keyed by :func:`token_cache_key` strings.

    Methods are synchronous and are called on the event loop by the async flow, so they must be
    quick (an in-process dict, a local file or a fast shared store). Implementations must be
    thread-safe. A store shared across processes lets them share one token per identity and scope.
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


class InMemoryTokenCache:
    """The default :class:`TokenCache`: a dict behind a lock, private to the process."""

    __slots__ = ("_lock", "_tokens")

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

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
