"""HTTP plumbing around the GraphQL services: request IDs, latency, faults, bearer tokens, limits.

A GraphQL request passes, in order: the injected latency, the injected service failures (it is
then not executed), the bearer-token check (401 with ``WWW-Authenticate: Bearer
error="invalid_token"``), the request limits (``_limits``: 413 or 400, Apollo-style), the request
log, a fault scripted for its operation (``_scenarios``), and execution. A "lost response" fault
executes the request and then answers 502. Every response carries an ``x-request-id``, derived
from the sandbox's sequence so that runs repeat.

Logging: request bodies and variables are never logged. Ariadne reports every GraphQL error to
its logger, and validation messages can quote variable values (an SSN, a birth date), so the
services use a logger that drops those and logs resolver crashes as type, path and stack only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import MutableMapping
from typing import Any, cast

from ariadne.asgi import GraphQL
from ariadne.explorer import ExplorerHttp405
from graphql import FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._environment import Service
from ._documents import shared_cache
from ._limits import (
    DocumentLimitError,
    RequestLimits,
    RequestTooLargeError,
    json_depth_exceeds,
    read_body,
)
from ._resolvers import RequestContext
from ._scenarios import OperationFault
from ._state import ReceivedRequest, SandboxState, redact
from ._token_issuer import InvalidTokenError

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
        request_id = self.state.new_id("x-request-id")
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

    def __init__(
        self,
        service: Service,
        schema: GraphQLSchema,
        state: SandboxState,
        limits: RequestLimits | None = None,
    ) -> None:
        self.service: Service = service
        self.state = state
        self.limits = limits or RequestLimits()
        self.documents = shared_cache(service, self.limits)
        self.graphql = GraphQL(
            schema,
            context_value=self._context,
            query_parser=self.documents.parse,
            query_validator=self.documents.validate,
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
        try:
            body = await read_body(scope, receive, self.limits.max_body_bytes)
        except RequestTooLargeError:
            message = f"Request body exceeds {self.limits.max_body_bytes} bytes"
            await _graphql_error(413, "PAYLOAD_TOO_LARGE", message)(scope, receive, send)
            return
        try:
            names = self._inspect(scope, body)
        except DocumentLimitError as error:
            await _graphql_error(400, "GRAPHQL_VALIDATION_FAILED", error.message)(
                scope, receive, send
            )
            return
        except _TooDeepError:
            message = f"Request JSON nests deeper than {self.limits.max_json_depth} levels"
            await _graphql_error(400, "BAD_REQUEST", message)(scope, receive, send)
            return
        replay = _replay(body)
        fault = self.state.scenarios.take_fault(names)
        if fault is not None and fault.latency > 0:
            await asyncio.sleep(fault.latency)
        if fault is not None and await self._answer_fault(fault, scope, replay, send):
            return
        if self.state.faults.take_lost_response():
            await self._lose_response(scope, replay, send)
            return
        await self.graphql(scope, replay, send)

    def _inspect(self, scope: Scope, body: bytes) -> tuple[str, ...]:
        """Check the request against the limits and log it; its operation name and root fields.

        A body that is not a GraphQL request at all is left to ariadne, which explains why.
        """
        try:
            data = json.loads(body)
        except RecursionError:
            raise _TooDeepError from None
        except ValueError:
            return ()
        if json_depth_exceeds(data, self.limits.max_json_depth):
            raise _TooDeepError
        if not isinstance(data, dict):
            return ()
        request = cast(dict[str, Any], data)
        query, operation_name = request.get("query"), request.get("operationName")
        variables = request.get("variables")
        if not isinstance(query, str):
            return ()
        try:
            document = self.documents.parse(None, {"query": query})
        except DocumentLimitError:
            raise
        except GraphQLError:  # a syntax error: ariadne answers it
            document = None
        operations = [
            node
            for node in (document.definitions if document else ())
            if isinstance(node, OperationDefinitionNode)
            and (
                not isinstance(operation_name, str)
                or getattr(node.name, "value", None) == operation_name
            )
        ]
        fields = tuple(
            selection.name.value
            for selection in (operations[0].selection_set.selections if operations else ())
            if isinstance(selection, FieldNode)
        )
        name = operation_name if isinstance(operation_name, str) else None
        self.state.requests.record(
            ReceivedRequest(
                service=self.service,
                operation_name=name,
                fields=fields,
                variables=redact(variables) if isinstance(variables, dict) else {},  # pyright: ignore[reportUnknownArgumentType]
                client_request_id=Headers(scope=scope).get(CLIENT_REQUEST_ID_HEADER),
            )
        )
        return (*fields, name) if name else fields

    async def _answer_fault(
        self, fault: OperationFault, scope: Scope, receive: Receive, send: Send
    ) -> bool:
        """Answer the scripted fault; False when it only added latency."""
        if fault.status is not None:
            code, message = _FAULT_CODES.get(
                fault.status, ("INJECTED_FAULT", f"HTTP {fault.status} (injected fault)")
            )
            retry_after = fault.retry_after if fault.retry_after is not None else None
            if fault.status == 429 and retry_after is None:
                retry_after = self.state.faults.retry_after
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            await _graphql_error(fault.status, code, message, **headers)(scope, receive, send)
            return True
        if fault.graphql_error is not None:
            body = {
                "data": None,
                "errors": [
                    {"message": fault.graphql_error, "extensions": {"code": fault.error_code}}
                ],
            }
            await JSONResponse(body)(scope, receive, send)
            return True
        if fault.lost_response:
            await self._lose_response(scope, receive, send)
            return True
        return False

    async def _lose_response(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.graphql(scope, receive, _discard)
        code, message = _FAULT_CODES[502]
        await _graphql_error(502, code, message)(scope, receive, send)


class _TooDeepError(Exception):
    """The request JSON nests deeper than the limit."""


def _replay(body: bytes) -> Receive:
    """A receive() that hands the already-read body over again, for ariadne."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _discard(_message: MutableMapping[str, Any]) -> None:
    """A send() that drops the response: the request ran, the client never hears."""
