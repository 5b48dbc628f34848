"""Credentials: the protocol EntraAuth needs, and the client-credentials flow against Entra ID.

``TokenEndpointCredential`` holds what every confidential client shares (token request, retries,
error classification, its own HTTP clients); each credential only says how the client proves
its identity (a secret here; a certificate or a client assertion in their own modules).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Protocol, TypedDict, Unpack, runtime_checkable
from urllib.parse import urlsplit

import httpx

from alleviate_debtcore._deadline import Deadline, current_deadline
from alleviate_debtcore._environment import is_loopback, token_url
from alleviate_debtcore._event_loops import LoopBoundAsyncClient
from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore._http import BodyTooLarge, connection_refused, send_async, send_sync
from alleviate_debtcore._retry import RetryPolicy, next_delay, validate_max_retries
from alleviate_debtcore.errors import (
    ConfigurationError,
    MalformedTokenResponseError,
    TokenEndpointError,
)

from ._response import RetryableTokenError, read_token_response
from ._token import AccessToken

__all__ = [
    "DEFAULT_AUTHORITY",
    "ClientSecretCredential",
    "CredentialOptions",
    "TokenCredential",
    "TokenEndpointCredential",
    "authority_from_env",
    "require_env",
    "validate_scope",
]

logger = logging.getLogger("alleviate_debtcore.auth")

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"

# Clients a forked child inherited and must neither use nor close (see _forget_connections).
_INHERITED: list[object] = []
# A token response is a few KB; anything far larger is not Entra ID answering.
_MAX_TOKEN_RESPONSE_SIZE: Final = 1024 * 1024


@functools.cache  # on the first token request: importlib.metadata and platform cost import time
def _library_headers() -> Mapping[str, str]:
    """Entra logs which library asked (MSAL sends the same headers); never anything secret."""
    import platform

    from alleviate_debtcore._version import __version__

    return {
        "x-client-SKU": "alleviate-debtcore",
        "x-client-Ver": __version__,
        "x-client-OS": platform.system().lower() or "unknown",
    }


@runtime_checkable
class TokenCredential(Protocol):
    """Anything that can fetch access tokens for a scope.

    ``cache_key_parts`` names the identity the tokens belong to (for example authority, tenant
    and client id); with the scope it forms the token cache key, so it must differ between
    identities and must not contain secrets.

    Optional, looked up by ``EntraAuth``: ``token_rejected(token)``, called after the API
    answered 401 to ``token`` (a credential with a cache of its own must not return it again),
    and ``schedules_own_refresh = True`` when ``refresh_on`` is the credential's own schedule, to
    which ``EntraAuth`` adds no margin.
    """

    @property
    def cache_key_parts(self) -> tuple[str, ...]:
        """The identity the tokens belong to, without secrets."""
        ...

    async def get_token(self, scope: str) -> AccessToken:
        """Fetch a new token for ``scope`` without blocking the event loop."""
        ...

    def get_token_sync(self, scope: str) -> AccessToken:
        """Fetch a new token for ``scope``, blocking."""
        ...

    async def aclose(self) -> None:
        """Release what ``get_token`` opened."""
        ...

    def close(self) -> None:
        """Release what ``get_token_sync`` opened."""
        ...


def validate_scope(scope: object) -> str:
    """``scope`` if it is a client-credentials scope (``<resource>/.default``), else raise."""
    if (
        not isinstance(scope, str)
        or not scope.endswith("/.default")
        or any(char.isspace() for char in scope)
    ):
        raise ConfigurationError(
            "The token scope must be a single resource's .default scope, "
            "api://<Debt Core app id>/.default"
        )
    return scope


class _Secret:
    """Holds the client secret so that no repr, traceback or debugger shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'**********'"


class CredentialOptions(TypedDict, total=False):
    """The options every credential of this package takes besides its identity (keyword-only)."""

    authority: str | None
    timeout: float
    max_retries: int
    retry_policy: RetryPolicy | None
    async_client: httpx.AsyncClient | None
    sync_client: httpx.Client | None
    _clock: Callable[[], float]
    _sleep: Callable[[float], None]
    _async_sleep: Callable[[float], Awaitable[None]]
    _random: Callable[[], float]


class TokenEndpointCredential:
    """Client-credentials grant against Microsoft Entra ID; each subclass says how the client
    proves who it is (a secret, a certificate, a federated assertion).

    Each ``get_token`` call requests a new token (``EntraAuth`` does the caching), through this
    credential's own HTTP client: ``async_client`` / ``sync_client`` when given (never closed
    here), otherwise clients created on first use and closed by ``aclose()`` / ``close()``.
    Transient failures (429, 408, 5xx, ``temporarily_unavailable``, connection errors and
    timeouts) are retried ``max_retries`` times with the API client's backoff and ``Retry-After``
    rules (``retry_policy``, the same ``RetryPolicy``); configuration errors raise
    ``InvalidCredentialsError`` at once. ``timeout`` bounds each attempt; inside an API call,
    the call's own timeout bounds all of them, waits included.

    The owned async client follows the caller across event loops (one at a time): it is closed
    on its loop when that loop shuts down, and a later loop gets a new one. A forked child drops
    the owned clients it inherited (never closing them) and opens its own on first use.

    A loopback authority (``127.0.0.0/8``, ``::1``, ``localhost``) that refuses the connection is
    not retried: nothing listens there, and the error says the local sandbox may not be running.

    ``authority`` defaults to Entra ID (``https://login.microsoftonline.com``); a credential
    created without one and given to ``AsyncDebtCore`` uses that client's environment's authority
    (the local sandbox's, for ``Environment.local(url)``).
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        authority: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        retry_policy: RetryPolicy | None = None,
        async_client: httpx.AsyncClient | None = None,
        sync_client: httpx.Client | None = None,
        _clock: Callable[[], float] = time.time,
        _sleep: Callable[[float], None] = time.sleep,
        _async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        _random: Callable[[], float] = random.random,
    ) -> None:
        self._tenant_id = _require_id("tenant_id", tenant_id)
        self._client_id = _require_id("client_id", client_id)
        self._authority_given = authority is not None
        self._authority = _normalize_authority(authority or DEFAULT_AUTHORITY)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)  # pyright: ignore[reportUnnecessaryIsInstance]
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigurationError("timeout must be a positive number of seconds")
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("retry_policy must be an alleviate_debtcore.RetryPolicy")
        if async_client is not None and not isinstance(async_client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("async_client must be an httpx.AsyncClient")
        if sync_client is not None and not isinstance(sync_client, httpx.Client):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("sync_client must be an httpx.Client")
        self._timeout = httpx.Timeout(timeout)
        self._max_retries = validate_max_retries(max_retries)
        self._retry_policy = retry_policy or RetryPolicy()
        self._token_url = token_url(self._authority, self._tenant_id)
        self._given_async_client = async_client
        self._async_pool = self._new_async_pool()
        self._sync_client = sync_client
        self._owns_sync = sync_client is None
        self._client_lock = threading.Lock()
        self._clock = _clock
        self._sleep = _sleep
        self._async_sleep = _async_sleep
        self._random = _random
        on_fork_in_child(self, TokenEndpointCredential._forget_connections)

    def _client_authentication(self) -> dict[str, str]:
        """The form fields that prove the client's identity; called once per token request."""
        raise NotImplementedError

    def use_default_authority(self, authority: str) -> None:
        """Ask ``authority`` for tokens unless one was given at construction.

        ``AsyncDebtCore`` calls this with its environment's authority. Raises
        ``ConfigurationError`` when the credential is already bound to another authority.
        """
        normalized = _normalize_authority(authority)
        if self._authority_given:
            if normalized != self._authority:
                raise ConfigurationError(
                    f"this credential asks {self._authority} for tokens, not {normalized}: "
                    "use a separate credential for each environment"
                )
            return
        self._authority, self._authority_given = normalized, True
        self._token_url = token_url(self._authority, self._tenant_id)

    @property
    def cache_key_parts(self) -> tuple[str, ...]:
        """``(authority, tenant_id, client_id)``."""
        return (self._authority, self._tenant_id, self._client_id)

    @property
    def token_url(self) -> str:
        """The token endpoint this credential posts to."""
        return self._token_url

    @property
    def _loopback(self) -> bool:
        return is_loopback(urlsplit(self._authority).hostname or "")

    async def get_token(self, scope: str) -> AccessToken:
        validate_scope(scope)
        client = await self._get_async_client()
        deadline = current_deadline.get()
        attempts = self._max_retries + 1
        request_id = str(uuid.uuid4())
        for attempt in range(1, attempts + 1):
            request = self._build_request(client, scope, request_id, deadline)
            sent_at, started = self._clock(), time.monotonic()
            try:
                response = await send_async(
                    client,
                    request,
                    auth=None,
                    max_size=_MAX_TOKEN_RESPONSE_SIZE,
                    follow_redirects=False,
                )
            except BodyTooLarge:
                raise self._too_large() from None
            except RuntimeError:
                # httpx's "Cannot send a request, as the client has been closed": an injected
                # client (the caller's http_client) closed under us.
                if client.is_closed:
                    raise self._closed_client() from None
                raise
            except httpx.RequestError as exc:
                error, retry_after = self._request_error(exc), None
            else:
                try:
                    return self._accept(response, sent_at, started, attempt, request_id)
                except RetryableTokenError as retryable:
                    error, retry_after = retryable.error, retryable.retry_after
            delay = self._next_delay(
                error, retry_after, attempt, attempts, started, request_id, deadline
            )
            await self._async_sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_token_sync(self, scope: str) -> AccessToken:
        validate_scope(scope)
        client = self._get_sync_client()
        deadline = current_deadline.get()
        attempts = self._max_retries + 1
        request_id = str(uuid.uuid4())
        for attempt in range(1, attempts + 1):
            request = self._build_request(client, scope, request_id, deadline)
            sent_at, started = self._clock(), time.monotonic()
            try:
                response = send_sync(
                    client,
                    request,
                    auth=None,
                    max_size=_MAX_TOKEN_RESPONSE_SIZE,
                    deadline=deadline,
                    follow_redirects=False,
                )
            except BodyTooLarge:
                raise self._too_large() from None
            except RuntimeError:
                # httpx's "Cannot send a request, as the client has been closed": an injected
                # client (the caller's http_client) closed under us.
                if client.is_closed:
                    raise self._closed_client() from None
                raise
            except httpx.RequestError as exc:
                error, retry_after = self._request_error(exc), None
            else:
                try:
                    return self._accept(response, sent_at, started, attempt, request_id)
                except RetryableTokenError as retryable:
                    error, retry_after = retryable.error, retryable.retry_after
            delay = self._next_delay(
                error, retry_after, attempt, attempts, started, request_id, deadline
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the AsyncClient this credential created (from any event loop); an injected
        one is left open. The credential stays usable: a later call opens a new client."""
        with self._client_lock:
            pool, self._async_pool = self._async_pool, self._new_async_pool()
        if pool is not None:
            await pool.aclose()

    def close(self) -> None:
        """Close the Client this credential created; an injected one is left open."""
        with self._client_lock:
            client = self._sync_client
            if self._owns_sync:
                self._sync_client = None
        if client is not None and self._owns_sync:
            client.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(authority={self._authority!r}, "
            f"tenant_id={self._tenant_id!r}, client_id={self._client_id!r})"
        )

    # --- one attempt --------------------------------------------------------------------------

    def _build_request(
        self,
        client: httpx.AsyncClient | httpx.Client,
        scope: str,
        request_id: str,
        deadline: Deadline | None,
    ) -> httpx.Request:
        request = client.build_request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                **self._client_authentication(),
                "scope": scope,
            },
            headers={
                **_library_headers(),
                "Accept": "application/json",
                # Entra logs this id and echoes it back: quote it in support tickets.
                "client-request-id": request_id,
                "return-client-request-id": "true",
            },
            timeout=self._timeout if deadline is None else deadline.clip(self._timeout),
        )
        # An injected client may carry the API's default headers: the bearer token stays there.
        request.headers.pop("Authorization", None)
        return request

    def _accept(
        self,
        response: httpx.Response,
        sent_at: float,
        started: float,
        attempt: int,
        request_id: str,
    ) -> AccessToken:
        elapsed = time.monotonic() - started
        try:
            token = read_token_response(response, sent_at=sent_at)
        except RetryableTokenError:
            raise
        except Exception as exc:
            logger.warning(
                "token request failed: HTTP %s, %s, oauth_error=%s, aadsts=%s, trace_id=%s, "
                "client_request_id=%s, attempt %d, %.3f s",
                response.status_code,
                type(exc).__name__,
                getattr(exc, "oauth_error", None),
                getattr(exc, "aadsts_code", None),
                getattr(exc, "trace_id", None),
                request_id,
                attempt,
                elapsed,
            )
            raise
        logger.info(
            "token acquired for client_id=%s tenant=%s in %.3f s (attempt %d), expires in %.0f s",
            self._client_id,
            self._tenant_id,
            elapsed,
            attempt,
            token.expires_on - sent_at,
        )
        return token

    def _request_error(self, exc: httpx.RequestError) -> TokenEndpointError:
        """The error for a request that got no usable response; raised now unless transient."""
        if isinstance(exc, httpx.TimeoutException):
            what = "timed out"
        elif isinstance(exc, httpx.TransportError):
            what = "could not be reached"
        else:
            what = "sent a response that could not be read"
        if isinstance(exc, httpx.ConnectError) and self._loopback and connection_refused(exc):
            # Nothing listens on this machine's port: retrying cannot start it. A loopback
            # authority is almost always the local sandbox.
            error = TokenEndpointError(
                f"The token endpoint at {self._authority} refused the connection: nothing is "
                "listening there. If it is the local sandbox, it may not be running: start it "
                "with `debtcore sandbox` (and check the port in the URL)"
            )
            error.__cause__ = exc
            raise error
        error = TokenEndpointError(
            f"The Entra ID token endpoint {what} ({type(exc).__name__}); check network access "
            f"to {self._authority}"
        )
        error.__cause__ = exc
        if not isinstance(exc, httpx.TransportError):
            raise error
        return error

    def _closed_client(self) -> ConfigurationError:
        # As the API transport says of a closed http_client: the caller's client, their fix.
        return ConfigurationError(
            f"the HTTP client {type(self).__name__} sends token requests through is closed "
            "(an http_client, token_http_client, async_client or sync_client you passed); "
            "pass an open one"
        )

    def _too_large(self) -> MalformedTokenResponseError:
        return MalformedTokenResponseError(
            f"The token endpoint answered with a body over {_MAX_TOKEN_RESPONSE_SIZE} bytes; "
            "check the authority URL (a proxy may be answering instead of Entra ID)."
        )

    def _next_delay(
        self,
        error: TokenEndpointError,
        retry_after: float | None,
        attempt: int,
        attempts: int,
        started: float,
        request_id: str,
        deadline: Deadline | None,
    ) -> float:
        """The wait before the next attempt; raises ``error`` when no attempt is left (retries
        used up, a ``Retry-After`` too long, or the API call's timeout reached)."""
        elapsed = time.monotonic() - started
        codes = f"HTTP {error.status_code}, oauth_error={error.oauth_error}"
        if error.status_code is None:
            codes = type(error.__cause__).__name__
        delay = next_delay(
            policy=self._retry_policy,
            retryable=True,
            retry_number=attempt - 1,
            max_retries=attempts - 1,
            retry_after=retry_after,
            remaining=deadline.remaining() if deadline is not None else None,
            jitter=self._random,
        )
        if delay is None:
            logger.warning(
                "token request failed after %d attempt(s): %s, aadsts=%s, trace_id=%s, "
                "client_request_id=%s, %.3f s",
                attempt,
                codes,
                error.aadsts_code,
                error.trace_id,
                request_id,
                elapsed,
            )
            raise error
        logger.info(
            "token request attempt %d/%d failed (%s, %.3f s); retrying in %.2f s",
            attempt,
            attempts,
            codes,
            elapsed,
            delay,
        )
        return delay

    # --- clients ------------------------------------------------------------------------------

    def _forget_connections(self) -> None:
        """In a forked child: drop the clients we own, whose pooled connections are the
        parent's (a shared keep-alive socket interleaves both processes' token responses), and
        the lock another parent thread may have held. Nothing is closed: that could reach the
        parent's peer. The old clients are kept referenced so that no finalizer of theirs runs
        on the parent's event loop. Injected clients are the caller's to manage."""
        self._client_lock = threading.Lock()
        if self._owns_sync and self._sync_client is not None:
            _INHERITED.append(self._sync_client)
            self._sync_client = None
        if self._async_pool is not None:
            _INHERITED.append(self._async_pool)
            self._async_pool = self._new_async_pool()

    def _new_async_pool(self) -> LoopBoundAsyncClient | None:
        if self._given_async_client is not None:
            return None
        timeout = self._timeout
        return LoopBoundAsyncClient(
            lambda: httpx.AsyncClient(timeout=timeout, follow_redirects=False),
            owner="ClientSecretCredential",
        )

    @property
    def _async_client(self) -> httpx.AsyncClient | None:
        """The AsyncClient in use (the injected one, or ours once opened)."""
        if self._given_async_client is not None:
            return self._given_async_client
        return self._async_pool.client if self._async_pool is not None else None

    async def _get_async_client(self) -> httpx.AsyncClient:
        if self._given_async_client is not None:
            return self._given_async_client
        pool = self._async_pool
        assert pool is not None
        return await pool.get()

    def _get_sync_client(self) -> httpx.Client:
        with self._client_lock:
            if self._sync_client is None:
                self._sync_client = httpx.Client(timeout=self._timeout, follow_redirects=False)
            return self._sync_client


class ClientSecretCredential(TokenEndpointCredential):
    """Client-credentials grant with a client secret, sent in the form body.

    Takes the options of :class:`TokenEndpointCredential` (``authority``, ``timeout``,
    ``max_retries``, ``retry_policy``, ``async_client``, ``sync_client``).
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        **options: Unpack[CredentialOptions],
    ) -> None:
        secret = _Secret(_require_secret(client_secret))
        super().__init__(tenant_id=tenant_id, client_id=client_id, **options)
        self._secret = secret

    @classmethod
    def from_env(
        cls, *, environ: Mapping[str, str] | None = None, **options: Unpack[CredentialOptions]
    ) -> ClientSecretCredential:
        """From ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``, ``AZURE_CLIENT_SECRET`` and, when set,
        ``AZURE_AUTHORITY_HOST`` (azure-identity's names)."""
        env = os.environ if environ is None else environ
        merged: CredentialOptions = {**authority_from_env(env), **options}
        return cls(
            tenant_id=require_env(env, "AZURE_TENANT_ID"),
            client_id=require_env(env, "AZURE_CLIENT_ID"),
            client_secret=require_env(env, "AZURE_CLIENT_SECRET"),
            **merged,
        )

    def _client_authentication(self) -> dict[str, str]:
        return {"client_secret": self._secret.reveal()}


def require_env(env: Mapping[str, str], name: str) -> str:
    """The variable's value; ``ConfigurationError`` naming it (never its value) when unset."""
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def authority_from_env(env: Mapping[str, str]) -> CredentialOptions:
    """``{"authority": AZURE_AUTHORITY_HOST}`` when that variable is set, else nothing."""
    host = env.get("AZURE_AUTHORITY_HOST", "").strip()
    return {"authority": host} if host else {}


def _require_id(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} is empty")
    if value != value.strip() or any(char in value for char in "/?#\\ "):
        raise ConfigurationError(f"{name} contains spaces or URL characters")
    return value


def _require_secret(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            "client_secret is empty: set ALLEVIATE_CLIENT_SECRET to the secret's Value"
        )
    return value


def _normalize_authority(authority: object) -> str:
    if not isinstance(authority, str):
        raise ConfigurationError("authority must be a URL string")
    parts = urlsplit(authority.strip())
    host = (parts.hostname or "").lower()
    # The secret travels in the body: plain HTTP only to this machine (a local sandbox).
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
        raise ConfigurationError(
            f"authority must be an https:// URL (got {authority!r}), e.g. {DEFAULT_AUTHORITY}"
        )
    if not host or parts.query or parts.fragment:
        raise ConfigurationError(f"authority is not a valid URL: {authority!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"
