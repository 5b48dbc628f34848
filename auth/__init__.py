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

if __name__ != "alleviate_debtcore.auth":
    # Imported as the repository's top-level folder: a second copy of every class would follow.
    raise ImportError("auth/ installs as alleviate_debtcore.auth: import it by that name")

from ._assertion import ClientAssertionCredential
from ._azure import AzureCredential, AzureCredentialAdapter
from ._cache import InMemoryTokenCache, SharedTokenCache, TokenCache
from ._certificate import CertificateCredential
from ._credential import ClientSecretCredential, TokenCredential, TokenEndpointCredential
from ._entra_auth import EntraAuth
from ._file_cache import FileTokenCache
from ._redis_cache import RedisTokenCache
from ._token import AccessToken

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
