"""Shared values and helpers for the token cache tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from alleviate_debtcore.auth import AccessToken, ClientSecretCredential, EntraAuth
from alleviate_debtcore.auth._cache import token_cache_key
from alleviate_debtcore.sandbox import SandboxServer

CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"
TENANT = "8797fa3f-ba90-4187-97fb-6ab892ea9035"
SCOPE = "api://aba793eb-f395-4f86-be59-7a7d0c1bfdb0/.default"
KEY = token_cache_key(("https://login.microsoftonline.com", TENANT, CLIENT_ID), SCOPE)
OTHER_KEY = token_cache_key(("https://login.microsoftonline.com", TENANT, "other-client"), SCOPE)
TOKEN_VALUE = "eyJhbGciOiJSUzI1NiJ9.cached-token-payload.c2lnbmF0dXJl"


def token(value: str = TOKEN_VALUE, *, now: float, life: float = 3600.0) -> AccessToken:
    return AccessToken(value, expires_on=now + life, refresh_on=now + life - 300)


def make_auth(server: SandboxServer, cache: Any, **kwargs: Any) -> EntraAuth:
    """An EntraAuth for the sandbox's default registration, without token-request retries."""
    environment = server.environment
    credential = ClientSecretCredential(
        tenant_id=environment.tenant_id,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authority=environment.authority,
        max_retries=0,
    )
    return EntraAuth(
        credential, scope=environment.scope, cache=cache, _jitter=lambda: 0.0, **kwargs
    )


def token_requests(server: SandboxServer) -> int:
    return server.state.http_requests["token"]


class Clock:
    """Epoch seconds: real time plus an offset the test moves."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.offset = 0.0

    def __call__(self) -> float:
        return self._now() + self.offset


def log_texts(records: list[logging.LogRecord]) -> str:
    return "\n".join(record.getMessage() for record in records)


def exception_texts(exc: BaseException) -> str:
    """str and repr of an exception and of everything chained to it."""
    texts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(texts) < 20:
        texts += [str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


class Recording:
    """A SharedTokenCache that forwards to another one and records which methods were called."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def _forward(self, name: str, *args: Any) -> Any:
        self.calls.append(name)
        return getattr(self.inner, name)(*args)

    def load(self, key: str) -> Any:
        return self._forward("load", key)

    def save(self, key: str, token: AccessToken) -> None:
        self._forward("save", key, token)

    def discard(self, key: str, token: AccessToken) -> None:
        self._forward("discard", key, token)

    def lock(self, key: str) -> Any:
        return self._forward("lock", key)

    def unlock(self, key: str, owner: str) -> None:
        self._forward("unlock", key, owner)

    async def aload(self, key: str) -> Any:
        return await self._forward("aload", key)

    async def asave(self, key: str, token: AccessToken) -> None:
        await self._forward("asave", key, token)

    async def adiscard(self, key: str, token: AccessToken) -> None:
        await self._forward("adiscard", key, token)

    async def alock(self, key: str) -> Any:
        return await self._forward("alock", key)

    async def aunlock(self, key: str, owner: str) -> None:
        await self._forward("aunlock", key, owner)
