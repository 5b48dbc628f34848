"""Microsoft Entra ID client-credentials authentication for the Debt Core API.

``ClientSecretCredential``, ``CertificateCredential`` and ``ClientAssertionCredential`` fetch
tokens from Entra ID; ``EntraAuth`` is the ``httpx.Auth`` that caches them, refreshes them before
they expire and replays a request once after a 401, and also takes azure-identity credentials as
they are. Logs go to the ``alleviate_debtcore.auth`` logger and never contain secrets or tokens.

Token caches: ``InMemoryTokenCache`` (the default, one process), ``FileTokenCache`` (the processes
of one machine) and ``RedisTokenCache`` (processes anywhere); the shared ones let one process fetch
the token that all of them use.
"""

import logging
from typing import TYPE_CHECKING, Any

if __name__ != "alleviate_debtcore.auth":
    # Imported as the repository's top-level folder: a second copy of every class would follow.
    raise ImportError("auth/ installs as alleviate_debtcore.auth: import it by that name")

from ._azure import AzureCredential, AzureCredentialAdapter
from ._cache import InMemoryTokenCache, SharedTokenCache, TokenCache
from ._credential import ClientSecretCredential, TokenCredential, TokenEndpointCredential
from ._entra_auth import EntraAuth
from ._token import AccessToken

if TYPE_CHECKING:
    from ._assertion import ClientAssertionCredential
    from ._certificate import CertificateCredential
    from ._file_cache import FileTokenCache
    from ._redis_cache import RedisTokenCache

# What a client with a secret never needs is imported on first use (cold import time).
_LAZY = {
    "ClientAssertionCredential": "._assertion",
    "CertificateCredential": "._certificate",
    "FileTokenCache": "._file_cache",
    "RedisTokenCache": "._redis_cache",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AccessToken",
    "AzureCredential",
    "AzureCredentialAdapter",
    "CertificateCredential",
    "ClientAssertionCredential",
    "ClientSecretCredential",
    "EntraAuth",
    "FileTokenCache",
    "InMemoryTokenCache",
    "RedisTokenCache",
    "SharedTokenCache",
    "TokenCache",
    "TokenCredential",
    "TokenEndpointCredential",
]

# Silent unless the application configures logging.
logging.getLogger("alleviate_debtcore.auth").addHandler(logging.NullHandler())
