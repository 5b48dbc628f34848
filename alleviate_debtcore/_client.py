"""``AsyncDebtCore``: one object, four typed service clients, one connection pool, one token."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

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

from ._environment import Environment, Service
from ._transport import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, GraphQLTransport
from .errors import ConfigurationError

if TYPE_CHECKING:
    from alleviate_debtcore.generated.credit import CreditClient
    from alleviate_debtcore.generated.enrollment import EnrollmentClient
    from alleviate_debtcore.generated.offers import OffersClient
    from alleviate_debtcore.generated.underwriting import UnderwritingClient

    from ._base_client import ServiceClient

__all__ = ["AsyncDebtCore"]

ClientT = TypeVar("ClientT", bound="ServiceClient")  # a string: no import at run time

ENV_CLIENT_ID = "ALLEVIATE_CLIENT_ID"
ENV_CLIENT_SECRET = "ALLEVIATE_CLIENT_SECRET"
ENV_ENVIRONMENT = "ALLEVIATE_ENVIRONMENT"
ENV_BASE_URL = "ALLEVIATE_BASE_URL"


def _environment(value: str | Environment) -> Environment:
    if isinstance(value, Environment):
        return value
    if isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        return Environment.named(value)
    raise ConfigurationError(
        f"environment must be 'sandbox', 'production' or an Environment, not {type(value).__name__}"
    )


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


class AsyncDebtCore:
    """The Alleviate Debt Core API: ``credit``, ``underwriting``, ``offers`` and ``enrollment``.

    >>> async with AsyncDebtCore(client_id="...", client_secret="...") as debtcore:
    ...     result = await debtcore.credit.credit_report(input=GetCreditReportInput(id="..."))

    Every argument is keyword-only:

    - ``client_id``/``client_secret``: the client app's Entra credentials; tokens are fetched,
      cached and refreshed by ``alleviate_debtcore.auth.EntraAuth``.
    - ``credential``: instead, a credential object: ``CertificateCredential``,
      ``ClientAssertionCredential``, ... from ``alleviate_debtcore.auth`` (without an
      ``authority`` of its own, it asks this environment's), or an azure-identity credential.
    - ``token_cache``: where tokens fetched for ``client_id``/``client_secret`` or ``credential``
      are kept: in memory by default; a ``FileTokenCache`` or ``RedisTokenCache``
      (``alleviate_debtcore.auth``) shares one token between processes.
    - ``auth``: any ``httpx.Auth`` instead (e.g. ``EntraAuth`` with a shared token cache).
    - ``environment``: ``"sandbox"`` (default), ``"production"`` or an ``Environment``.
    - ``http_client``: your own ``httpx.AsyncClient``; we never close it.
    - ``timeout``: seconds or an ``httpx.Timeout`` (default 30 s, 10 s to connect).
    - ``max_retries``: retries of a failed call where retrying is safe (default 2).
    - ``headers``: extra headers on every call (ours win on a clash).

    Each generated method also takes ``timeout=``, ``max_retries=`` and ``headers=`` for one call.
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        environment: str | Environment = "sandbox",
        credential: TokenCredential | AzureCredential | None = None,
        token_cache: TokenCache | SharedTokenCache | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.environment = _environment(environment)
        given = [
            name
            for name, value in (
                ("auth", auth),
                ("credential", credential),
                ("client_id/client_secret", client_id or client_secret),
            )
            if value is not None
        ]
        if len(given) > 1:
            raise ConfigurationError(f"pass either {given[0]} or {given[1]}, not both")
        if auth is not None and token_cache is not None:
            raise ConfigurationError(
                "token_cache goes with client_id/client_secret or credential; with auth, "
                "pass the cache to your EntraAuth"
            )
        self._owned_auth: EntraAuth | None = None
        if credential is not None:
            if isinstance(credential, TokenEndpointCredential):
                credential.use_default_authority(self.environment.authority)
            auth = self._owned_auth = EntraAuth(
                credential, scope=self.environment.scope, cache=token_cache
            )
        elif auth is None:
            if not client_id or not client_secret:
                missing = "client_id" if not client_id else "client_secret"
                raise ConfigurationError(
                    f"{missing} is missing: pass client_id and client_secret (from your Alleviate "
                    "account manager), an auth object, or use AsyncDebtCore.from_env()"
                )
            auth = EntraAuth(
                ClientSecretCredential(
                    tenant_id=self.environment.tenant_id,
                    client_id=client_id,
                    client_secret=client_secret,
                    authority=self.environment.authority,
                ),
                scope=self.environment.scope,
                cache=token_cache,
            )
            self._owned_auth = auth
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        self.auth = auth
        self._owns_http_client = http_client is None
        self._closed = False
        client = http_client if http_client is not None else httpx.AsyncClient()
        self._transport = GraphQLTransport(
            http_client=client,
            auth=auth,
            headers=headers,
            timeout=_timeout(timeout),
            max_retries=max_retries,
        )

    # Each service's generated package (hundreds of models for underwriting) is imported on first
    # use, not with alleviate_debtcore: a third of the package's cold import time.
    @cached_property
    def credit(self) -> CreditClient:
        """The Credit Reporting service (``/credit-service/graphql``)."""
        from alleviate_debtcore.generated.credit import CreditClient

        return self._connect(CreditClient, "credit")

    @cached_property
    def underwriting(self) -> UnderwritingClient:
        """The Eligibility Review service (``/eligibility-review-service/graphql``)."""
        from alleviate_debtcore.generated.underwriting import UnderwritingClient

        return self._connect(UnderwritingClient, "underwriting")

    @cached_property
    def offers(self) -> OffersClient:
        """The Offer Generation service (``/og-service/graphql``)."""
        from alleviate_debtcore.generated.offers import OffersClient

        return self._connect(OffersClient, "offers")

    @cached_property
    def enrollment(self) -> EnrollmentClient:
        """The Lead Enrollment service (``/enrollment-service/graphql``)."""
        from alleviate_debtcore.generated.enrollment import EnrollmentClient

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
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """Build from ``ALLEVIATE_CLIENT_ID``, ``ALLEVIATE_CLIENT_SECRET``,
        ``ALLEVIATE_ENVIRONMENT`` (default ``sandbox``) and ``ALLEVIATE_BASE_URL`` (a local
        server such as ``debtcore sandbox``; it overrides the environment)."""
        env = os.environ if environ is None else environ
        for name in (ENV_CLIENT_ID, ENV_CLIENT_SECRET):
            if not env.get(name):
                raise ConfigurationError(
                    f"environment variable {name} is not set; export it with your client app's "
                    "credentials (or run `debtcore sandbox`, which prints local ones)"
                )
        base_url = env.get(ENV_BASE_URL)
        environment: str | Environment = (
            Environment.local(base_url) if base_url else env.get(ENV_ENVIRONMENT, "sandbox")
        )
        return cls(
            client_id=env[ENV_CLIENT_ID],
            client_secret=env[ENV_CLIENT_SECRET],
            environment=environment,
            token_cache=token_cache,
            http_client=http_client,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )

    async def aclose(self) -> None:
        """Close the connection pool (unless it is yours) and the token client. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http_client:
            await self._transport.http_client.aclose()
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

    def __repr__(self) -> str:
        return f"AsyncDebtCore(environment={self.environment.name!r})"
