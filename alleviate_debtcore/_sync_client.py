"""``DebtCore``: ``AsyncDebtCore``'s blocking twin, for Django, Flask, scripts and notebooks.

Same constructor, ``from_env()``, ``with_options()``, services and methods; the calls block
instead of being awaited. It builds its auth, options and environment with ``AsyncDebtCore``'s
helpers and sends through ``SyncGraphQLTransport``, which takes the async transport's decisions
(retries, deadlines, response reading). One instance serves many threads: they share its
connection pool and its token (one token request however many threads start cold).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

from alleviate_debtcore.auth import AzureCredential, SharedTokenCache, TokenCache, TokenCredential

from ._client import DebtCoreCommon, settings_from_env
from ._environment import Environment, Service
from ._http import DEFAULT_MAX_RESPONSE_SIZE
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._transport import SyncGraphQLTransport
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._base_client import SyncServiceClient
    from .credit import SyncCreditClient
    from .enrollment import SyncEnrollmentClient
    from .offers import SyncOffersClient
    from .underwriting import SyncUnderwritingClient

__all__ = ["DebtCore"]

ClientT = TypeVar("ClientT", bound="SyncServiceClient")  # a string: no import at run time


class DebtCore(DebtCoreCommon[SyncGraphQLTransport]):
    """The Alleviate Debt Core API, blocking: ``credit``, ``underwriting``, ``offers`` and
    ``enrollment``.

    >>> with DebtCore(client_id="...", client_secret="...") as debtcore:
    ...     report = debtcore.credit.credit_report("cr-abc123def456")

    The arguments are ``AsyncDebtCore``'s (see there), except that ``http_client`` is an
    ``httpx.Client``: ``client_id``/``client_secret``, ``credential`` or ``auth``;
    ``token_cache``, ``environment``, ``http_client`` (with ``client_id``/``client_secret`` it
    carries the token requests too), ``token_http_client`` (an ``httpx.Client`` for the token
    requests only), ``timeout`` (the whole call, token step and retries included),
    ``max_retries``, ``retry_policy``, ``headers`` and ``max_response_size``. Every method
    takes ``timeout=``, ``max_retries=`` and ``extra_headers=`` for one call;
    ``with_options()`` gives a client with other defaults over the same connections. Safe to
    share between threads.
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
        http_client: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        token_http_client: httpx.Client | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError(
                "http_client must be an httpx.Client (an httpx.AsyncClient goes to AsyncDebtCore)"
            )
        if token_http_client is not None and not isinstance(token_http_client, httpx.Client):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError(
                "token_http_client must be an httpx.Client (an httpx.AsyncClient goes to "
                "AsyncDebtCore)"
            )
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
        self._transport = SyncGraphQLTransport(
            http_client=http_client, auth=self.auth, options=options
        )

    # Imported on first use, as AsyncDebtCore does (the generated packages are large).
    @cached_property
    def credit(self) -> SyncCreditClient:
        """The Credit Reporting service (``/credit-service/graphql``)."""
        from .credit import SyncCreditClient  # the generated client plus wait_for_credit_report

        return self._connect(SyncCreditClient, "credit")

    @cached_property
    def underwriting(self) -> SyncUnderwritingClient:
        """The Eligibility Review service (``/eligibility-review-service/graphql``)."""
        from .underwriting import SyncUnderwritingClient

        return self._connect(SyncUnderwritingClient, "underwriting")

    @cached_property
    def offers(self) -> SyncOffersClient:
        """The Offer Generation service (``/og-service/graphql``)."""
        from .offers import SyncOffersClient

        return self._connect(SyncOffersClient, "offers")

    @cached_property
    def enrollment(self) -> SyncEnrollmentClient:
        """The Lead Enrollment service (``/enrollment-service/graphql``)."""
        from .enrollment import SyncEnrollmentClient  # plus wait_for_enrollment

        return self._connect(SyncEnrollmentClient, "enrollment")

    def _connect(self, client_class: type[ClientT], service: Service) -> ClientT:
        # Two threads reaching a service first may each build one: both use the same transport.
        return client_class(
            service=service, url=self.environment.url(service), transport=self._transport
        )

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        token_cache: TokenCache | SharedTokenCache | None = None,
        http_client: httpx.Client | None = None,
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

    def close(self) -> None:
        """Close what this client opened: its connection pool (not an ``http_client`` you
        passed) and the token client of an auth it built (from ``client_id``/``client_secret``
        or a ``credential``; not an ``auth`` you passed). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._transport.close()
        if self._owned_auth is not None:
            self._owned_auth.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
