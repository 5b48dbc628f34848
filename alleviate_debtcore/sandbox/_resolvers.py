"""Root resolvers per service: registration, execution records and the payload envelope.

Each service module registers one function per root field with ``@resolvers.query(name)`` or
``@resolvers.mutation(name)``; the function takes the request context and the field's arguments
(a dict keyed as in the schema) and returns data, a ``Payload``, or raises ``BusinessError``.
``bind`` refuses a schema with a root field that has no resolver (or the reverse), so every
operation of every service is answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLType,
    get_named_type,
)

from .._environment import Service
from ._payload_envelope import BusinessError, ErrorShape, JsonDict, Payload, envelope
from ._state import Execution, OperationType, SandboxState

Resolver = Callable[["RequestContext", JsonDict], object]


@dataclass(frozen=True)
class RequestContext:
    """The GraphQL context of one request."""

    state: SandboxState
    service: Service
    client_request_id: str | None


def _object_type(type_: GraphQLType) -> GraphQLObjectType:
    named = cast(GraphQLType, get_named_type(type_))
    assert isinstance(named, GraphQLObjectType), named
    return named


def _error_shape(payload_type: GraphQLType) -> ErrorShape:
    item = _object_type(_object_type(payload_type).fields["errors"].type)
    return ErrorShape(
        # GraphQL prints a list type as [T] (String, String!, [String], [String]!).
        message_is_list=str(item.fields["message"].type).startswith("["),
        has_debt_id="debtId" in item.fields,
    )


class ServiceResolvers:
    """The root resolvers of one service."""

    def __init__(self, service: Service) -> None:
        self.service: Service = service
        self._resolvers: dict[tuple[OperationType, str], Resolver] = {}

    def _register(self, kind: OperationType, name: str) -> Callable[[Resolver], Resolver]:
        def decorator(function: Resolver) -> Resolver:
            if (kind, name) in self._resolvers:
                raise ValueError(f"{self.service}: {kind} {name} registered twice")
            self._resolvers[kind, name] = function
            return function

        return decorator

    @classmethod
    def combine(cls, service: Service, *parts: ServiceResolvers) -> ServiceResolvers:
        """One service's resolvers gathered from the modules that each register some."""
        combined = cls(service)
        for part in parts:
            if part.service != service:
                raise ValueError(f"{part.service} resolvers cannot serve {service}")
            for (kind, name), function in part._resolvers.items():
                combined._register(kind, name)(function)
        return combined

    def query(self, name: str) -> Callable[[Resolver], Resolver]:
        return self._register("query", name)

    def mutation(self, name: str) -> Callable[[Resolver], Resolver]:
        return self._register("mutation", name)

    def bind(self, schema: GraphQLSchema) -> None:
        """Attach the resolvers to the schema's Query and Mutation fields."""
        roots: dict[OperationType, GraphQLObjectType | None] = {
            "query": schema.query_type,
            "mutation": schema.mutation_type,
        }
        expected = {(kind, name) for kind, root in roots.items() if root for name in root.fields}
        missing = expected - self._resolvers.keys()
        unknown = self._resolvers.keys() - expected
        if missing or unknown:
            raise ValueError(
                f"{self.service}: resolvers missing for {sorted(missing)}, "
                f"not in the schema: {sorted(unknown)}"
            )
        for (kind, name), function in self._resolvers.items():
            root = roots[kind]
            assert root is not None
            field = root.fields[name]
            field.resolve = self._wrap(kind, name, function, _error_shape(field.type))

    def _wrap(
        self, kind: OperationType, name: str, function: Resolver, shape: ErrorShape
    ) -> Callable[..., JsonDict]:
        service = self.service

        def resolve(_root: object, info: GraphQLResolveInfo, **args: Any) -> JsonDict:
            context: RequestContext = info.context
            context.state.executions.record(
                Execution(service, kind, name, context.client_request_id)
            )
            try:
                result = function(context, args)
            except BusinessError as error:
                result = Payload(None, error.problems)
            return envelope(result, shape)

        return resolve
