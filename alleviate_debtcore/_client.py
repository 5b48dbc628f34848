"""``AsyncDebtCore``: one object, four typed service clients, one connection pool, one token."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

import httpx

from alleviate_debtcore.auth import (
    AzureCredential,
    ClientSecretCredential,
    EntraAuth,
    SharedTokenCache,
    TokenCache,
    TokenCredential,
    TokenEndpointCredential,
)

from ._environment import SERVICES, Environment, Service
from ._http import DEFAULT_MAX_RESPONSE_SIZE
from ._options import TransportOptions
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._transport import GraphQLTransport, SyncGraphQLTransport
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._base_client import ServiceClient
    from .credit import CreditClient
    from .enrollment import EnrollmentClient
    from .offers import OffersClient
    from .underwriting import UnderwritingClient

__all__ = ["AsyncDebtCore", "DebtCoreCommon"]

ClientT = TypeVar("ClientT", bound="ServiceClient")  # a string: no import at run time
TransportT = TypeVar("TransportT", GraphQLTransport, SyncGraphQLTransport)

ENV_CLIENT_ID = "ALLEVIATE_CLIENT_ID"
ENV_CLIENT_SECRET = "ALLEVIATE_CLIENT_SECRET"
ENV_ENVIRONMENT = "ALLEVIATE_ENVIRONMENT"
ENV_BASE_URL = "ALLEVIATE_BASE_URL"


def resolve_environment(value: str | Environment) -> Environment:
    if isinstance(value, Environment):
        return value
    if isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        return Environment.named(value)
    raise ConfigurationError(
        f"environment must be 'sandbox', 'production' or an Environment, not {type(value).__name__}"
    )


def settings_from_env(environ: Mapping[str, str] | None) -> tuple[str, str, Environment]:
    """``from_env``'s client id, secret and environment (both faces)."""
    env = os.environ if environ is None else environ
    for name in (ENV_CLIENT_ID, ENV_CLIENT_SECRET):
        if not env.get(name):
            raise ConfigurationError(
                f"environment variable {name} is not set; export it with your client app's "
                "credentials (or run `debtcore sandbox`, which prints local ones)"
            )
    base_url = env.get(ENV_BASE_URL)
    try:
        environment = (
            Environment.local(base_url)
            if base_url
            else Environment.named(env.get(ENV_ENVIRONMENT, "sandbox"))
        )
    except ConfigurationError as error:  # say which variable holds the bad value
        variable = ENV_BASE_URL if base_url else ENV_ENVIRONMENT
        raise ConfigurationError(f"{variable}: {error.message}") from None
    return env[ENV_CLIENT_ID], env[ENV_CLIENT_SECRET], environment


def build_auth(
    environment: Environment,
    *,
    client_id: str | None,
    client_secret: str | None,
    credential: TokenCredential | AzureCredential | None,
    auth: httpx.Auth | None,
    token_cache: TokenCache | SharedTokenCache | None,
    retry_policy: RetryPolicy,
    http_client: httpx.AsyncClient | httpx.Client | None = None,
    token_http_client: httpx.AsyncClient | httpx.Client | None = None,
    token_cache_key: str | None = None,
) -> tuple[httpx.Auth, EntraAuth | None]:
    """The auth for every call, and the part of it we own (and so close).

    The caller's ``token_http_client``, else their ``http_client``, carries the token requests
    of ``client_id``/``client_secret``: behind a proxy or TLS inspection, Entra must be reached
    the way the API is. The credential never closes it.
    """
    given = [
        name
        for name, value in (
            ("client_id/client_secret", client_id or client_secret),
            ("credential", credential),
            ("auth", auth),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigurationError(f"pass only one of {', '.join(given)}")
    if token_http_client is not None and (credential is not None or auth is not None):
        raise ConfigurationError(
            "token_http_client goes with client_id/client_secret; give a credential its own "
            "async_client= or sync_client="
        )
    if auth is not None and (token_cache is not None or token_cache_key is not None):
        raise ConfigurationError(
            "token_cache goes with client_id/client_secret or credential; with auth, "
            "pass the cache to your EntraAuth"
        )
    if auth is not None:
        if not isinstance(auth, httpx.Auth):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("auth must be an httpx.Auth (for example an EntraAuth)")
        return auth, None
    if credential is not None:
        if isinstance(credential, TokenEndpointCredential):
            credential.use_default_authority(environment.authority)
        # Handed over: aclose() closes the credential's HTTP clients (it stays usable).
        owned = EntraAuth(
            credential, scope=environment.scope, cache=token_cache, cache_key=token_cache_key
        )
        return owned, owned
    if not client_id or not client_secret:
        missing = "client_id" if not client_id else "client_secret"
        raise ConfigurationError(
            f"{missing} is missing: pass client_id and client_secret (from your Alleviate "
            "account manager), a credential, an auth object, or build the client with from_env()"
        )
    token_client = token_http_client if token_http_client is not None else http_client
    owned = EntraAuth(
        ClientSecretCredential(
            tenant_id=environment.tenant_id,
            client_id=client_id,
            client_secret=client_secret,
            authority=environment.authority,
            retry_policy=retry_policy,  # one policy for the token and the API
            async_client=token_client if isinstance(token_client, httpx.AsyncClient) else None,
            sync_client=token_client if isinstance(token_client, httpx.Client) else None,
        ),
        scope=environment.scope,
        cache=token_cache,
        cache_key=token_cache_key,
    )
    return owned, owned


class DebtCoreCommon(Generic[TransportT]):
    """What ``AsyncDebtCore`` and ``DebtCore`` share: the environment, the auth and its owned
    part, the options, ``with_options()`` and the repr. Each face adds its transport, its typed
    service properties and how it closes."""

    environment: Environment
    auth: httpx.Auth
    _owned_auth: EntraAuth | None
    _closed: bool
    _transport: TransportT

    def _configure(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        credential: TokenCredential | AzureCredential | None,
        token_cache: TokenCache | SharedTokenCache | None,
        auth: httpx.Auth | None,
        environment: str | Environment,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        retry_policy: RetryPolicy | None,
        headers: Mapping[str, str] | None,
        max_response_size: int,
        http_client: httpx.AsyncClient | httpx.Client | None = None,
        token_http_client: httpx.AsyncClient | httpx.Client | None = None,
        token_cache_key: str | None = None,
    ) -> TransportOptions:
        """Resolve the environment and the auth; the options the face's transport takes."""
        self.environment = resolve_environment(environment)
        options = TransportOptions.build(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            headers=headers,
            max_response_size=max_response_size,
        )
        self.auth, self._owned_auth = build_auth(
            self.environment,
            client_id=client_id,
            client_secret=client_secret,
            credential=credential,
            auth=auth,
            token_cache=token_cache,
            token_cache_key=token_cache_key,
            retry_policy=options.retry_policy,  # one policy for the token and the API
            http_client=http_client,
            token_http_client=token_http_client,
        )
        self._closed = False
        return options

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
    ) -> Self:
        """This client with other default ``timeout`` and/or ``max_retries``, sharing its
        connection pool and token. Close the original client; closing this one closes nothing.

        >>> debtcore.with_options(timeout=5, max_retries=0).credit.credit_report(...)
        """
        derived = copy.copy(self)
        for name in SERVICES:  # the copies bind to the new transport on first use
            derived.__dict__.pop(name, None)
        derived._transport = self._transport.with_options(timeout=timeout, max_retries=max_retries)
        derived._owned_auth = None
        derived._closed = True  # nothing of its own to close
        return derived

    def __repr__(self) -> str:
        return f"{type(self).__name__}(environment={self.environment.name!r})"


class AsyncDebtCore(DebtCoreCommon[GraphQLTransport]):
    """The Alleviate Debt Core API: ``credit``, ``underwriting``, ``offers`` and ``enrollment``.

    >>> async with AsyncDebtCore(client_id="...", client_secret="...") as debtcore:
    ...     report = await debtcore.credit.credit_report("cr-abc123def456")

    Every argument is keyword-only. Authenticate with one of:

    - ``client_id``/``client_secret``: the client app's Entra credentials; tokens are fetched,
      cached and refreshed by ``alleviate_debtcore.auth.EntraAuth``, which ``aclose()`` closes.
    - ``credential``: a credential object: ``CertificateCredential``,
      ``ClientAssertionCredential``, ... from ``alleviate_debtcore.auth`` (without an
      ``authority`` of its own, it asks this environment's), or an azure-identity credential;
      ``aclose()`` closes its HTTP clients.
    - ``token_cache``: where tokens fetched for ``client_id``/``client_secret`` or ``credential``
      are kept: in memory by default; a ``FileTokenCache`` or ``RedisTokenCache``
      (``alleviate_debtcore.auth``) shares one token between processes. ``token_cache_key``
      names the principal where the credential does not (``DefaultAzureCredential``, a
      system-assigned managed identity): required with a ``token_cache``; never a secret.
    - ``auth``: any ``httpx.Auth`` (e.g. an ``EntraAuth`` shared by several clients); never
      closed by us. Options:

    - ``environment``: ``"sandbox"`` (default), ``"production"`` or an ``Environment``.
    - ``http_client``: your own ``httpx.AsyncClient`` (proxy, CA, mTLS, transport); we never
      close it. With ``client_id``/``client_secret`` the token requests to Entra ID go through
      it too, unless ``token_http_client`` is given.
    - ``token_http_client``: an ``httpx.AsyncClient`` for the token requests of
      ``client_id``/``client_secret`` only (for example another proxy for Entra ID); never
      closed by us. A ``credential`` takes its own ``async_client=`` instead.
    - ``timeout``: seconds or an ``httpx.Timeout`` for a whole call, token step, retries and
      backoff included (default 30 s, each connect attempt 10 s).
    - ``max_retries``: retries of a failed call where retrying is safe (default 2).
    - ``retry_policy``: a ``RetryPolicy`` (backoff and the longest ``Retry-After`` honoured), for
      API calls and for the token requests of ``client_id``/``client_secret``.
    - ``headers``: extra headers on every call (ours win on a clash).
    - ``max_response_size``: bytes; a larger response is refused unread (default 64 MiB).

    Each method also takes ``timeout=``, ``max_retries=`` and ``extra_headers=`` for one call;
    ``with_options()`` gives a client with other defaults over the same connections.
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        credential: TokenCredential | AzureCredential | None = None,
        token_cache: TokenCache | SharedTokenCache | None = None,
        token_cache_key: str | None = None,
        auth: httpx.Auth | None = None,
        environment: str | Environment = "sandbox",
        http_client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        token_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("http_client must be an httpx.AsyncClient")
        if token_http_client is not None and not isinstance(token_http_client, httpx.AsyncClient):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("token_http_client must be an httpx.AsyncClient")
        options = self._configure(
            client_id=client_id,
            client_secret=client_secret,
            credential=credential,
            token_cache=token_cache,
            auth=auth,
            environment=environment,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            headers=headers,
            max_response_size=max_response_size,
            http_client=http_client,
            token_http_client=token_http_client,
            token_cache_key=token_cache_key,
        )
        self._transport = GraphQLTransport(http_client=http_client, auth=self.auth, options=options)

    # Each service's generated package (hundreds of models for underwriting) is imported on first
    # use, not with alleviate_debtcore: a third of the package's cold import time.
    @cached_property
    def credit(self) -> CreditClient:
        """The Credit Reporting service (``/credit-service/graphql``)."""
        from .credit import CreditClient  # the generated client plus wait_for_credit_report

        return self._connect(CreditClient, "credit")

    @cached_property
    def underwriting(self) -> UnderwritingClient:
        """The Eligibility Review service (``/eligibility-review-service/graphql``)."""
        from .underwriting import UnderwritingClient

        return self._connect(UnderwritingClient, "underwriting")

    @cached_property
    def offers(self) -> OffersClient:
        """The Offer Generation service (``/og-service/graphql``)."""
        from .offers import OffersClient

        return self._connect(OffersClient, "offers")

    @cached_property
    def enrollment(self) -> EnrollmentClient:
        """The Lead Enrollment service (``/enrollment-service/graphql``)."""
        from .enrollment import EnrollmentClient  # plus wait_for_enrollment

        return self._connect(EnrollmentClient, "enrollment")

    def _connect(self, client_class: type[ClientT], service: Service) -> ClientT:
        return client_class(
            service=service, url=self.environment.url(service), transport=self._transport
        )

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        token_cache: TokenCache | SharedTokenCache | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> Self:
        """Build from ``ALLEVIATE_CLIENT_ID``, ``ALLEVIATE_CLIENT_SECRET``,
        ``ALLEVIATE_ENVIRONMENT`` (default ``sandbox``) and ``ALLEVIATE_BASE_URL`` (a local
        server such as ``debtcore sandbox``; it overrides the environment)."""
        client_id, client_secret, environment = settings_from_env(environ)
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            environment=environment,
            token_cache=token_cache,
            http_client=http_client,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            headers=headers,
            max_response_size=max_response_size,
        )

    async def aclose(self) -> None:
        """Close what this client opened: its connection pool (not an ``http_client`` you
        passed) and the token client of an auth built from ``client_id``/``client_secret`` (not
        a ``credential`` or ``auth`` you passed). Works from any event loop. Idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._transport.aclose()
        if self._owned_auth is not None:
            await self._owned_auth.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
