"""The bench's auth: the client's real EntraAuth + ClientSecretCredential, on a local endpoint.

Every arm of a comparison shares one ``EntraAuth`` with a warm token cache, so each pays the same
per-request auth cost (cache lookup, body read, ``Authorization`` header) that production pays.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from alleviate_debtcore import Environment
from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth
from alleviate_debtcore.testing import InProcessTransport

from ._apps import ASGIApp

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
# Nothing listens here: in-process clients route it to an ASGI app, never to the network.
IN_PROCESS_ENVIRONMENT = Environment.local("http://127.0.0.1:9")

AUTH_DESCRIPTION = (
    "EntraAuth + ClientSecretCredential with a warm token cache, one instance shared by every "
    "arm: the same per-request auth cost on each side"
)


@dataclass(frozen=True, slots=True)
class InProcessAuth:
    """EntraAuth fetching tokens from an in-process ASGI token endpoint."""

    auth: EntraAuth
    token_http: httpx.AsyncClient

    @classmethod
    def create(cls, token_app: ASGIApp, environment: Environment) -> InProcessAuth:
        token_http = httpx.AsyncClient(transport=InProcessTransport(token_app))
        credential = ClientSecretCredential(
            tenant_id=environment.tenant_id,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            authority=environment.authority,
            async_client=token_http,
        )
        return cls(EntraAuth(credential, scope=environment.scope), token_http)

    async def warm(self) -> None:
        await self.auth.get_token()

    async def aclose(self) -> None:
        await self.auth.aclose()
        await self.token_http.aclose()  # injected clients are left open by the credential
