"""Where the four services and the token endpoint live: sandbox, production, or a local server."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import ClassVar, Final, Literal, get_args
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = ["SERVICES", "Environment", "Service", "is_loopback", "token_url"]

Service = Literal["credit", "underwriting", "offers", "enrollment"]
SERVICES: Final[tuple[Service, ...]] = get_args(Service)

ENTRA_AUTHORITY: Final = "https://login.microsoftonline.com"
# One tenant for both environments: the docs' sandbox column has a typo digit (reference.md §2).
ALLEVIATE_TENANT_ID: Final = "8797fa3f-ba90-4187-97fb-6ab892ea9035"
SANDBOX_APP_ID: Final = "aba793eb-f395-4f86-be59-7a7d0c1bfdb0"
PRODUCTION_APP_ID: Final = "9060a1d0-da3b-4676-ad64-ff64465cce41"

SERVICE_PATHS: Final[Mapping[Service, str]] = MappingProxyType(
    {
        "credit": "/credit-service/graphql",
        "underwriting": "/eligibility-review-service/graphql",
        "offers": "/og-service/graphql",
        "enrollment": "/enrollment-service/graphql",
    }
)
# The documented pre-2026-03 path of the eligibility service; may no longer answer.
LEGACY_UNDERWRITING_PATH: Final = "/underwriting-service/graphql"


def token_url(authority: str, tenant_id: str) -> str:
    """Entra ID's v2 token endpoint for a tenant (the one place this formula lives)."""
    return f"{authority.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"


def _check_guid(what: str, value: str) -> str:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ConfigurationError(
            f"{what} must be a GUID like 8797fa3f-ba90-4187-97fb-6ab892ea9035; got {value!r}"
        ) from None
    if len(value) != 36:  # uuid.UUID also accepts braces, urn: prefixes and bare hex
        raise ConfigurationError(f"{what} must be a GUID in 8-4-4-4-12 form; got {value!r}")
    return value


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: the only place plain http:// is acceptable."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(what: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{what} must be an absolute http(s) URL like https://host; got {value!r}"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{what} uses plain http:// for {parts.hostname!r}; only loopback hosts "
            "(127.0.0.1, ::1, localhost) may skip TLS"
        )
    return value.rstrip("/")


@dataclass(frozen=True, slots=True)
class Environment:
    """A Debt Core deployment: its token authority, tenant, app id and service URLs.

    Use ``Environment.SANDBOX``, ``Environment.PRODUCTION`` or ``Environment.local(url)``.
    Values are validated at construction.
    """

    name: str
    api_base_url: str
    tenant_id: str = ALLEVIATE_TENANT_ID
    app_id: str = SANDBOX_APP_ID
    authority: str = ENTRA_AUTHORITY
    service_paths: Mapping[Service, str] = field(default_factory=lambda: SERVICE_PATHS)

    SANDBOX: ClassVar[Environment]
    PRODUCTION: ClassVar[Environment]

    def __post_init__(self) -> None:
        _check_guid("tenant_id", self.tenant_id)
        _check_guid("app_id", self.app_id)
        object.__setattr__(self, "api_base_url", _check_url("api_base_url", self.api_base_url))
        object.__setattr__(self, "authority", _check_url("authority", self.authority))
        missing = [s for s in SERVICES if s not in self.service_paths]
        if missing:
            raise ConfigurationError(f"service_paths lacks {', '.join(missing)}")
        for service, path in self.service_paths.items():
            if not path.startswith("/"):
                raise ConfigurationError(f"service path for {service} must start with '/'")
        object.__setattr__(self, "service_paths", MappingProxyType(dict(self.service_paths)))

    @property
    def scope(self) -> str:
        """The OAuth scope for client credentials: ``api://{app_id}/.default``."""
        return f"api://{self.app_id}/.default"

    @property
    def token_url(self) -> str:
        """Where client-credentials tokens for this environment come from."""
        return token_url(self.authority, self.tenant_id)

    def url(self, service: Service) -> str:
        """The GraphQL endpoint of one service."""
        return self.api_base_url + self.service_paths[service]

    def with_legacy_underwriting(self) -> Environment:
        """The same environment with underwriting at the documented legacy path."""
        return replace(
            self, service_paths={**self.service_paths, "underwriting": LEGACY_UNDERWRITING_PATH}
        )

    @classmethod
    def local(
        cls,
        base_url: str,
        *,
        tenant_id: str = ALLEVIATE_TENANT_ID,
        app_id: str = SANDBOX_APP_ID,
    ) -> Environment:
        """A local server (e.g. ``debtcore sandbox``) that serves both the token endpoint and the
        four services under one base URL."""
        return cls(
            name="local",
            api_base_url=base_url,
            tenant_id=tenant_id,
            app_id=app_id,
            authority=base_url,
        )

    @classmethod
    def named(cls, name: str) -> Environment:
        """``"sandbox"`` or ``"production"`` (case-insensitive)."""
        known = {"sandbox": cls.SANDBOX, "production": cls.PRODUCTION}
        try:
            return known[name.strip().lower()]
        except KeyError:
            raise ConfigurationError(
                f"unknown environment {name!r}: use 'sandbox', 'production' or an Environment"
            ) from None


Environment.SANDBOX = Environment(
    name="sandbox", api_base_url="https://debt-core-api-sandbox.alleviate.com"
)
Environment.PRODUCTION = Environment(
    name="production",
    api_base_url="https://debt-core-api.alleviate.com",
    app_id=PRODUCTION_APP_ID,
)
