"""azure-identity (azure-core) credentials used as they are, without importing azure-core.

Any object with azure-core's ``get_token_info(*scopes, options=...)`` (``SupportsTokenInfo``)
or ``get_token(*scopes, claims=...)`` (``TokenCredential``), sync or async
(``azure.identity.aio``), works: managed identity, workload identity, ``DefaultAzureCredential``.

Two things line up with azure-identity's own token cache:

- Refresh timing: azure-identity hands out a new token only once its ``refresh_on`` has passed or
  less than 300 s remain (and at most every 30 s). ``EntraAuth`` therefore refreshes a foreign
  credential's token at that point (plus jitter), not earlier, so a refresh really is one.
- 401 replay: after the API rejects a token, the next request passes a claims challenge
  (``{"access_token": {"nbf": {"essential": true, "value": "<now>"}}}``, the form Entra's own
  CAE challenges take). azure-identity documents that a request with claims bypasses its cache
  (``AadClient`` and MSAL's ``claims_challenge``), so the token is really new.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, cast, runtime_checkable

from alleviate_debtcore.errors import ConfigurationError, CredentialError

from ._token import AccessToken

__all__ = [
    "AZURE_REFRESH_OFFSET",
    "AzureCredential",
    "AzureCredentialAdapter",
    "is_azure_credential",
]

# azure-identity's DEFAULT_REFRESH_OFFSET: a token with less left than this is renewed.
AZURE_REFRESH_OFFSET = 300.0


@runtime_checkable
class _SupportsGetToken(Protocol):
    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


@runtime_checkable
class _SupportsGetTokenInfo(Protocol):
    def get_token_info(self, *scopes: str, options: Any = None) -> Any: ...


# What ``EntraAuth`` and ``AsyncDebtCore(credential=...)`` accept from azure-core, duck-typed.
AzureCredential = _SupportsGetToken | _SupportsGetTokenInfo


def is_azure_credential(credential: object) -> bool:
    """True for an azure-core style credential that is not one of this package's."""
    if hasattr(credential, "get_token_sync") and hasattr(credential, "cache_key_parts"):
        return False
    return callable(getattr(credential, "get_token_info", None)) or callable(
        getattr(credential, "get_token", None)
    )


class AzureCredentialAdapter:
    """Presents an azure-core credential as this package's ``TokenCredential``.

    The wrapped credential is the caller's: ``close``/``aclose`` leave it open.
    """

    # Tells EntraAuth that refresh_on is the credential's own schedule: add no margin to it.
    schedules_own_refresh = True

    def __init__(self, credential: object) -> None:
        if not is_azure_credential(credential):
            raise ConfigurationError(
                "credential must be one of alleviate_debtcore.auth's credentials or an "
                "azure-core TokenCredential / AsyncTokenCredential (get_token or get_token_info)"
            )
        self._credential = credential
        info: object = getattr(credential, "get_token_info", None)
        self._uses_info = callable(info)
        method: object = info if self._uses_info else getattr(credential, "get_token", None)
        self._method = cast("Callable[..., Any]", method)
        self._is_async = inspect.iscoroutinefunction(self._method)
        self._lock = threading.Lock()
        self._challenge: str | None = None

    @property
    def credential(self) -> object:
        """The azure-core credential this adapter calls."""
        return self._credential

    @property
    def cache_key_parts(self) -> tuple[str, ...]:
        # The credential object is the identity: its own cache is per object too.
        kind = type(self._credential)
        return ("azure-core", f"{kind.__module__}.{kind.__qualname__}", hex(id(self._credential)))

    def token_rejected(self, token: AccessToken) -> None:
        """The API answered 401 to ``token``: the next request bypasses the credential's cache."""
        claims = {"access_token": {"nbf": {"essential": True, "value": str(int(time.time()))}}}
        with self._lock:
            self._challenge = json.dumps(claims, separators=(",", ":"))

    async def get_token(self, scope: str) -> AccessToken:
        args, kwargs, challenge = self._call(scope)
        if self._is_async:
            result = await self._method(*args, **kwargs)
        else:
            # A sync credential does blocking I/O: keep it off the event loop.
            result = await asyncio.to_thread(self._method, *args, **kwargs)
        return self._accept(result, challenge)

    def get_token_sync(self, scope: str) -> AccessToken:
        if self._is_async:
            raise ConfigurationError(
                f"{type(self._credential).__name__} is an async credential "
                "(azure.identity.aio): use it with AsyncDebtCore or httpx.AsyncClient, or use "
                "the sync credential from azure.identity with a sync client"
            )
        args, kwargs, challenge = self._call(scope)
        return self._accept(self._method(*args, **kwargs), challenge)

    async def aclose(self) -> None:
        """Nothing to release: the wrapped credential belongs to the caller."""

    def close(self) -> None:
        """Nothing to release: the wrapped credential belongs to the caller."""

    def __repr__(self) -> str:
        return f"AzureCredentialAdapter({type(self._credential).__name__})"

    def _call(self, scope: str) -> tuple[tuple[str, ...], dict[str, Any], str | None]:
        with self._lock:
            challenge = self._challenge
        if self._uses_info:
            options = {"claims": challenge} if challenge else None
            return (scope,), {"options": options}, challenge
        return (scope,), ({"claims": challenge} if challenge else {}), challenge

    def _accept(self, result: object, challenge: str | None) -> AccessToken:
        token = getattr(result, "token", None)
        expires_on = getattr(result, "expires_on", None)
        if not isinstance(token, str) or not token or not _is_time(expires_on):
            raise CredentialError(
                f"{type(self._credential).__name__} returned no usable access token"
            )
        expires = float(cast("float", expires_on))
        refresh_on = getattr(result, "refresh_on", None)
        due = float(cast("float", refresh_on)) if _is_time(refresh_on) else 0.0
        if not 0 < due < expires:
            due = expires - AZURE_REFRESH_OFFSET
        if challenge is not None:
            with self._lock:
                if self._challenge == challenge:
                    self._challenge = None
        return AccessToken(token=token, expires_on=expires, refresh_on=due)


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
