"""HTTP plumbing around the GraphQL services: request IDs, latency, faults, bearer tokens.

A GraphQL request passes, in order: the injected latency, the injected service failures (it is
then not executed), the bearer-token check (401 with ``WWW-Authenticate: Bearer
error="invalid_token"``), and execution. A "lost response" fault executes the request and then
answers 502. Every response carries a fresh ``x-request-id``.

Logging: request bodies and variables are never logged. Ariadne reports every GraphQL error to
its logger, and validation messages can quote variable values (an SSN, a birth date), so the
services use a logger that drops those and logs resolver crashes as type, path and stack only.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
import uuid
from collections.abc import MutableMapping
from typing import Any

from ariadne.asgi import GraphQL
from ariadne.explorer import ExplorerHttp405
from graphql import GraphQLError, GraphQLSchema
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._environment import Service
from ._documents import DocumentCache
from ._resolvers import RequestContext
from ._state import SandboxState
from ._tokens import InvalidTokenError

logger = logging.getLogger("alleviate_debtcore.sandbox")

CLIENT_REQUEST_ID_HEADER = "x-client-request-id"
REQUEST_ID_HEADER = "x-request-id"
_FAULT_CODES = {
    429: ("TOO_MANY_REQUESTS", "Too many requests (injected fault)"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error (injected fault)"),
    502: ("BAD_GATEWAY", "Bad gateway (injected fault)"),
    503: ("SERVICE_UNAVAILABLE", "Service temporarily unavailable (injected fault)"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout (injected fault)"),
}


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """What ariadne may log: never an error message, only where and what kind of failure."""

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        error = msg if isinstance(msg, GraphQLError) else None
        original = error.original_error if error else None
        if (
            error is None
            or not error.path
            or original is None
            or isinstance(original, GraphQLError)
        ):
            # Parsing, validation or variable coercion: the client's mistake, and the message
            # may quote its input.
            self.logger.debug("GraphQL request rejected: %s", type(msg).__name__)
            return
        path = ".".join(str(part) for part in error.path)
        stack = "".join(traceback.format_tb(original.__traceback__))
        self.logger.error("resolver %s raised %s\n%s", path, type(original).__name__, stack)


class RequestIdMiddleware:
    """Outermost layer: the latency fault, and an ``x-request-id`` on every response."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        latency = self.state.faults.latency
        if latency > 0 and scope["path"] != "/healthz":
            await asyncio.sleep(latency)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)


def _graphql_error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers or None)


class ServiceEndpoint:
    """One GraphQL service behind faults and bearer-token checks."""

    def __init__(self, service: Service, schema: GraphQLSchema, state: SandboxState) -> None:
        self.service: Service = service
        self.state = state
        documents = DocumentCache()
        self.graphql = GraphQL(
            schema,
            context_value=self._context,
            query_parser=documents.parse,
            query_validator=documents.validate,
            introspection=True,
            explorer=ExplorerHttp405(),
            logger=RedactingLogger(logging.getLogger("alleviate_debtcore.sandbox.graphql")),
        )

    def _context(self, request: Request, _data: object) -> RequestContext:
        return RequestContext(
            state=self.state,
            service=self.service,
            client_request_id=request.headers.get(CLIENT_REQUEST_ID_HEADER),
        )

    def _token_problem(self, scope: Scope) -> str | None:
        authorization = Headers(scope=scope).get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "No bearer access token was provided"
        try:
            self.state.tokens.verify(token.strip())
        except InvalidTokenError as error:
            return str(error)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.state.count_request(self.service)
        status = self.state.faults.take_service_failure()
        if status is not None:
            code, message = _FAULT_CODES[status]
            retry = {"Retry-After": str(self.state.faults.retry_after)} if status == 429 else {}
            await _graphql_error(status, code, message, **retry)(scope, receive, send)
            return
        problem = self._token_problem(scope)
        if problem is not None:
            challenge = f'Bearer error="invalid_token", error_description="{problem}"'
            response = _graphql_error(
                401, "UNAUTHORIZED", f"UNAUTHORIZED: {problem}", **{"WWW-Authenticate": challenge}
            )
            await response(scope, receive, send)
            return
        if self.state.faults.take_lost_response():
            await self.graphql(scope, receive, _discard)
            code, message = _FAULT_CODES[502]
            await _graphql_error(502, code, message)(scope, receive, send)
            return
        await self.graphql(scope, receive, send)


async def _discard(_message: MutableMapping[str, Any]) -> None:
    """A send() that drops the response: the request ran, the client never hears."""
