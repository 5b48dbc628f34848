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

Cache keys name the principal, never the object (``id()`` values are reused, and a forked
child's objects sit at its parent's addresses): see :func:`credential_identity`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore.errors import ConfigurationError, CredentialError

from ._cache import token_cache_key
from ._token import AccessToken, token_value_problem

if TYPE_CHECKING:
    from ._credential import TokenCredential

__all__ = [
    "AZURE_REFRESH_OFFSET",
    "AzureCredential",
    "AzureCredentialAdapter",
    "cache_key_for",
    "credential_identity",
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

# azure-identity's app credentials: one principal per (authority, tenant, client id), whatever
# the secret, certificate or assertion. OnBehalfOfCredential is not here: its tokens belong to
# the user whose assertion it holds, and that assertion is a secret.
_APP_CREDENTIALS = frozenset(
    {
        "ClientSecretCredential",
        "CertificateCredential",
        "ClientAssertionCredential",
        "WorkloadIdentityCredential",
    }
)
# How a user-assigned managed identity is named, in azure-identity's and MSAL's configurations.
_MANAGED_IDENTITY_IDS = {
    "client_id": "client_id",
    "object_id": "object_id",
    "resource_id": "resource_id",
    "mi_res_id": "resource_id",
    "msi_res_id": "resource_id",
}
_MSAL_ID_TYPES = {"ClientId": "client_id", "ObjectId": "object_id", "ResourceId": "resource_id"}


def is_azure_credential(credential: object) -> bool:
    """True for an azure-core style credential that is not one of this package's."""
    if hasattr(credential, "get_token_sync") and hasattr(credential, "cache_key_parts"):
        return False
    return callable(getattr(credential, "get_token_info", None)) or callable(
        getattr(credential, "get_token", None)
    )


def credential_identity(credential: object) -> tuple[str, ...] | None:
    """What names the principal an azure-identity credential signs in as, or None if unknown.

    ``(class, authority, tenant, client id)`` for the app credentials (client secret,
    certificate, client assertion, workload identity), ``(class, "managed-identity", id)`` for a
    user-assigned managed identity. None for everything else: a system-assigned managed identity
    (the host's: another machine is another principal), chains (``DefaultAzureCredential``),
    user sign-ins, on-behalf-of, subclasses and look-alikes. Read from azure-identity's private
    attributes, so defensively: anything missing or odd gives None, never a wrong identity.
    Secrets (client secret, certificate, assertion) are never part of it.
    """
    kind = type(credential)
    module = kind.__module__
    if not module.startswith("azure.identity."):
        return None
    flavour = "azure.identity.aio" if module.startswith("azure.identity.aio.") else "azure.identity"
    name = f"{flavour}.{kind.__name__}"
    if kind.__name__ in _APP_CREDENTIALS:
        authority, tenant, client = (
            _text_attribute(credential, attribute)
            for attribute in ("_authority", "_tenant_id", "_client_id")
        )
        if authority is None or tenant is None or client is None:
            return None
        return (name, authority.rstrip("/").lower(), tenant.lower(), client)
    if kind.__name__ == "ManagedIdentityCredential":
        ids = _managed_identity_ids(getattr(credential, "_credential", None))
        if len(ids) == 1:
            ((id_kind, value),) = ids
            return (name, "managed-identity", f"{id_kind}={value}")
    return None


def cache_key_for(
    credential: TokenCredential, scope: str, *, cache_key: str | None, shared: bool
) -> str:
    """``EntraAuth``'s cache key: the credential's identity, the user's ``cache_key`` (added to
    it: two identities never share a key, whatever the user passes) and the scope.

    An azure-core credential with no readable identity gets a key unique to its adapter, or,
    for a cache the caller passed in (``shared``), the user's ``cache_key``; without one it is
    refused: a cache shared on a guess could hand one tenant's token to another.
    """
    if cache_key is not None and (not isinstance(cache_key, str) or not cache_key.strip()):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ConfigurationError("token_cache_key must be a non-empty str naming the principal")
    parts = tuple(credential.cache_key_parts)
    if isinstance(credential, AzureCredentialAdapter) and credential.identity is None:
        if cache_key is not None:
            parts = credential.kind_parts
        elif shared:
            raise ConfigurationError(
                f"{type(credential.credential).__name__} does not say which principal it signs in "
                "as, so its tokens cannot go in a token_cache shared by other credentials: pass "
                "token_cache_key= (EntraAuth: cache_key=), a name unique to that principal such "
                "as '<tenant id>/<client id>', never a secret"
            )
    if cache_key is not None:
        parts = (*parts, "token_cache_key", cache_key)
    return token_cache_key(parts, scope)


class AzureCredentialAdapter:
    """Presents an azure-core credential as this package's ``TokenCredential``.

    The wrapped credential is the caller's: ``close``/``aclose`` leave it open. Its cache key is
    :func:`credential_identity` when that is known, else one unique to this adapter.
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
        self._identity = credential_identity(credential)
        # Never id(): ids are reused once an object is gone, and repeat in a forked child.
        self._instance = uuid.uuid4().hex
        on_fork_in_child(self, AzureCredentialAdapter._reset_after_fork)

    def _reset_after_fork(self) -> None:
        self._lock = threading.Lock()  # a parent thread may have held it

    @property
    def credential(self) -> object:
        """The azure-core credential this adapter calls."""
        return self._credential

    @property
    def identity(self) -> tuple[str, ...] | None:
        """The principal's :func:`credential_identity`, or None when it cannot be read."""
        return self._identity

    @property
    def kind_parts(self) -> tuple[str, ...]:
        kind = type(self._credential)
        return ("azure-core", f"{kind.__module__}.{kind.__qualname__}")

    @property
    def cache_key_parts(self) -> tuple[str, ...]:
        if self._identity is not None:
            return ("azure-core", *self._identity)
        # Nothing names the principal: a key no other adapter has, so nothing is shared.
        return (*self.kind_parts, "instance", self._instance)

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
        problem = token_value_problem(token)
        if problem is not None or not _is_time(expires_on):
            raise CredentialError(
                f"{type(self._credential).__name__} returned no usable access token"
                + (f" ({problem})" if problem else "")
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
        return AccessToken(token=cast("str", token), expires_on=expires, refresh_on=due)


def _text_attribute(credential: object, name: str) -> str | None:
    """``name`` on the credential or on its token client (where aio credentials keep it)."""
    for holder in (credential, getattr(credential, "_client", None)):
        value = getattr(holder, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _managed_identity_ids(inner: object) -> set[tuple[str, str]]:
    """The user-assigned identity's ids found in the inner credential's configuration."""
    found: set[tuple[str, str]] = set()
    holders = [inner, getattr(inner, "_client", None), getattr(inner, "_msal_client", None)]
    for holder in holders:
        for attribute in ("_config", "_settings", "_identity_config"):
            config = getattr(holder, attribute, None)
            if isinstance(config, dict):
                found |= _ids_in(cast("dict[str, object]", config))
        msal = getattr(holder, "_managed_identity", None)
        if isinstance(msal, dict):
            fields = cast("dict[str, object]", msal)
            id_kind = _MSAL_ID_TYPES.get(str(fields.get("ManagedIdentityIdType")))
            value = fields.get("Id")
            if id_kind is not None and isinstance(value, str) and value:
                found.add((id_kind, value))
    return found


def _ids_in(config: dict[str, object]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for key, id_kind in _MANAGED_IDENTITY_IDS.items():
        value = config.get(key)
        if isinstance(value, str) and value:
            found.add((id_kind, value))
    nested = config.get("identity_config")
    if isinstance(nested, dict):
        found |= _ids_in(cast("dict[str, object]", nested))
    return found


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
