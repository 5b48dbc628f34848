"""Typed client for the Alleviate Debt Core GraphQL API.

Start with ``AsyncDebtCore`` (asyncio) or ``DebtCore`` (blocking: the same methods, no ``await``).
The four services' types live in ``alleviate_debtcore.credit``, ``.underwriting``, ``.offers`` and
``.enrollment``; the exceptions in ``alleviate_debtcore.errors``.
"""

from pathlib import Path as _Path

# auth/, generated/ and schemas/ are top-level folders of the repository that install as
# subpackages of this one (pyproject's package-dir). Started from the repository's root, Python
# imports this folder itself, not the installed package: look for them beside it then.
if not (_Path(__file__).parent / "auth").is_dir():
    __path__.append(str(_Path(__file__).resolve().parent.parent))

from ._client import AsyncDebtCore
from ._environment import SERVICES, Environment, Service
from ._http import DEFAULT_MAX_RESPONSE_SIZE
from ._logging import configure_logging_from_env
from ._models import OpenStrEnum
from ._options import DEFAULT_TIMEOUT
from ._pagination import AsyncPager, Page, SyncPager
from ._payload import unwrap
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._sync_client import DebtCore
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    CredentialError,
    DebtCoreError,
    EndpointNotFoundError,
    EventLoopError,
    FieldError,
    GraphQLResponseError,
    InputValidationError,
    InternalServerError,
    InvalidCredentialsError,
    MalformedTokenResponseError,
    NotFoundError,
    PaginationError,
    PayloadError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ResponseValidationError,
    SchemaToolError,
    TokenCacheError,
    TokenEndpointError,
    TokenWaitTimeoutError,
    UnprocessableEntityError,
    WaitTimeoutError,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "SERVICES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncDebtCore",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "CredentialError",
    "DebtCore",
    "DebtCoreError",
    "EndpointNotFoundError",
    "Environment",
    "EventLoopError",
    "FieldError",
    "GraphQLResponseError",
    "InputValidationError",
    "InternalServerError",
    "InvalidCredentialsError",
    "MalformedTokenResponseError",
    "NotFoundError",
    "OpenStrEnum",
    "Page",
    "PaginationError",
    "PayloadError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "SchemaToolError",
    "Service",
    "SyncPager",
    "TokenCacheError",
    "TokenEndpointError",
    "TokenWaitTimeoutError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "__version__",
    "unwrap",
]

configure_logging_from_env()
