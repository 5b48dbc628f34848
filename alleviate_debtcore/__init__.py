"""Typed client for the Alleviate Debt Core GraphQL API.

Start with ``AsyncDebtCore`` (asyncio) or ``DebtCore`` (blocking: the same methods, no ``await``).
The four services' types live in ``alleviate_debtcore.credit``, ``.underwriting``, ``.offers`` and
``.enrollment``; the exceptions in ``alleviate_debtcore.errors``.
"""

import typing as _typing
from os import path as _path

# auth/, generated/ and schemas/ are top-level folders of the repository that install as
# subpackages of this one (pyproject's package-dir). Started from the repository's root, Python
# imports this folder itself, not the installed package: look for them beside it then.
# (os.path, not pathlib: pathlib alone was ~6% of this package's import time.)
if not _path.isdir(_path.join(_path.dirname(__file__), "auth")):
    __path__.append(_path.dirname(_path.dirname(_path.realpath(__file__))))

from . import _httpx_cli  # noqa: F401  # pyright: ignore[reportUnusedImport]  # before httpx
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

if _typing.TYPE_CHECKING:
    from ._version import __version__

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


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata (importlib.metadata) on first use only.
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
