"""``create_app``: the sandbox as one Starlette ASGI app.

Routes: ``POST /{tenant}/oauth2/v2.0/token`` (Entra-style client credentials) with its OIDC
discovery documents, the four GraphQL services at their real paths (underwriting also at the
legacy path), ``GET /healthz`` and a ``GET /`` index of the endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from .._environment import (
    ALLEVIATE_TENANT_ID,
    LEGACY_UNDERWRITING_PATH,
    SANDBOX_APP_ID,
    SERVICE_PATHS,
    SERVICES,
    token_url,
)
from ._constants import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME,
    SANDBOX_REQ_ORG_ID,
)
from ._executable_schemas import executable_schema
from ._faults import Faults
from ._fixtures import load_docs_fixtures
from ._graphql_endpoint import RequestIdMiddleware, ServiceEndpoint
from ._limits import RequestLimits
from ._state import SandboxState
from ._token_endpoint import token_routes
from ._token_issuer import TokenIssuer


class SandboxApp(Starlette):
    """The sandbox's ASGI app; ``app.sandbox`` (also ``app.state.sandbox``) is its state."""

    def __init__(self, state: SandboxState, routes: list[Route]) -> None:
        super().__init__(routes=routes)
        self.state.sandbox = state
        self._sandbox = state

    @property
    def sandbox(self) -> SandboxState:
        return self._sandbox

    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's error middleware, so even a crash's 500 gets an x-request-id.
        return RequestIdMiddleware(super().build_middleware_stack(), self._sandbox)


async def _health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _index(request: Request) -> JSONResponse:
    state: SandboxState = request.app.state.sandbox
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "name": "Alleviate Debt Core local sandbox",
            "token_url": token_url(base, state.tokens.tenant_id),
            "scope": state.tokens.scope,
            "services": {service: base + SERVICE_PATHS[service] for service in SERVICES},
            "legacy_underwriting": base + LEGACY_UNDERWRITING_PATH,
        }
    )


def create_app(
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
    faults: Faults | None = None,
    tenant_id: str = ALLEVIATE_TENANT_ID,
    app_id: str = SANDBOX_APP_ID,
    clock: Callable[[], datetime] | None = None,
    docs_fixtures: bool = True,
    limits: RequestLimits | None = None,
) -> SandboxApp:
    """A fresh sandbox with its own state, signing key and fault switches.

    ``clock`` (UTC ``datetime``; default: the wall clock) stamps records and anchors the
    first-payment-date window and the SMS lock-out; tokens always use the wall clock.
    ``docs_fixtures`` preloads the records the docs' examples use (see ``_fixtures``).
    ``limits`` caps request bodies and documents (``RequestLimits``' defaults otherwise).
    """
    state = SandboxState(
        tokens=TokenIssuer(
            client_id=client_id,
            client_secret=client_secret,
            lifetime=token_lifetime,
            tenant_id=tenant_id,
            app_id=app_id,
        ),
        faults=faults or Faults(),
        req_org_id=SANDBOX_REQ_ORG_ID,
        clock=clock,
    )
    if docs_fixtures:
        load_docs_fixtures(state)
    routes = [
        Route("/", _index, methods=["GET"]),
        Route("/healthz", _health, methods=["GET"]),
        *token_routes(),
    ]
    for service in SERVICES:
        routes.append(
            Route(
                SERVICE_PATHS[service],
                ServiceEndpoint(service, executable_schema(service), state, limits),
            )
        )
    routes.append(
        Route(
            LEGACY_UNDERWRITING_PATH,
            ServiceEndpoint("underwriting", executable_schema("underwriting"), state, limits),
        )
    )
    return SandboxApp(state, routes)
