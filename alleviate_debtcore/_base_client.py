"""The runtime of the generated service clients: ``ServiceClient`` (async) and
``SyncServiceClient`` (``DebtCore``'s), which differ only in how they wait, ``Operation`` (what
each generated operation sends) and the ``with_payload`` binding.

A generated method checks its arguments (``_arguments``) and hands ``_call`` its operation and
variables; ``_call`` sends them (``execute``), reads the answer into the operation's models and
returns the payload's data (``_graphql_response``). ``with_payload`` is a ``PayloadView``: the
same methods, run with a ``_call`` that returns the whole payload.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Coroutine, Mapping
from typing import (
    Any,
    Concatenate,
    Final,
    Generic,
    Literal,
    Optional,
    ParamSpec,
    TypeVar,
    overload,
)

import httpx
from pydantic import BaseModel as PydanticBaseModel

from ._graphql_response import FAST_PATH_MAX_BYTES, parse_result, payload_data
from ._models import PayloadModel, UnsetType
from ._transport import GraphQLResult, GraphQLTransport, OperationKind, SyncGraphQLTransport

__all__ = [
    "FAST_PATH_MAX_BYTES",
    "Operation",
    "PayloadView",
    "ServiceClient",
    "SyncServiceClient",
    "TimeoutOption",
    "document",
    "payload_method",
    "sync_payload_method",
]

ResultT = TypeVar("ResultT", bound=PydanticBaseModel)
PayloadT = TypeVar("PayloadT", bound=PayloadModel | None)
P = ParamSpec("P")
R = TypeVar("R")

# The per-call ``timeout=`` of every generated method: seconds or an httpx.Timeout.
TimeoutOption = float | httpx.Timeout | None

_OPERATION_KIND = re.compile(r"\s*(query|mutation|subscription)\b")
_OPERATION_NAME = re.compile(r"\s*(?:query|mutation)\s+(\w+)")


@functools.lru_cache(maxsize=256)  # the generated documents are constants: one match each
def _operation_kind(query: str) -> OperationKind:
    match = _OPERATION_KIND.match(query)
    if match is None or match.group(1) == "subscription":
        raise ValueError("a Debt Core operation must start with 'query' or 'mutation'")
    return "mutation" if match.group(1) == "mutation" else "query"


_SPREAD = re.compile(r"\.\.\.(\w+)")  # ``...Name``; an inline fragment is ``... on Type``


def document(operation: str, fragments: Mapping[str, str]) -> str:
    """``operation`` followed by every fragment it uses, directly or through another, by name
    (as ariadne-codegen writes a document): what is sent and what operations.json hashes."""
    used: set[str] = set()
    pending = _SPREAD.findall(operation)
    while pending:
        name = pending.pop()
        if name not in used:
            used.add(name)
            pending += _SPREAD.findall(fragments[name])
    return "\n\n".join([operation, *(fragments[name] for name in sorted(used))])


class Operation(Generic[ResultT]):
    """One generated operation: its document (the operation and the fragments it uses, each
    fragment stored once per service in ``generated/<service>/_operations.py``), its name, and
    how its answer is read: into ``result_type``, whose ``field`` is the ``{data, errors}``
    payload."""

    __slots__ = ("document", "field", "name", "result_type")

    def __init__(
        self, result_type: type[ResultT], field: str, operation: str, fragments: Mapping[str, str]
    ) -> None:
        self.result_type: Final = result_type
        self.field: Final = field
        self.document: Final = document(operation, fragments)
        _operation_kind(self.document)  # a subscription or a typo fails at import, not per call
        match = _OPERATION_NAME.match(self.document)
        assert match is not None, "a generated operation has a name"
        self.name: Final = match.group(1)

    def __repr__(self) -> str:
        return f"Operation({self.name})"


def _jsonable(value: Any) -> Any:
    if isinstance(value, PydanticBaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]  # pyright: ignore[reportUnknownVariableType]
    return value


class _ServiceClientCommon:
    """What both faces of a service client share: where they send and how they read."""

    def __init__(self, *, service: str, url: str) -> None:
        self.service = service
        self.url = url

    def _payload(self, operation: Operation[Any], response: GraphQLResult) -> Any:
        """``operation``'s payload in ``response``, stamped with the call's request id and
        variables (what its errors report and redact)."""
        payload = getattr(
            parse_result(operation.result_type, response, self.service), operation.field
        )
        if payload is not None:  # null where the schema lets the root field be
            payload._stamp(response.request_id, response.sent)
        return payload

    def _send_arguments(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The transport's ``send`` arguments for one operation (the same for both faces)."""
        return {
            "service": self.service,
            "url": self.url,
            "query": query,
            "operation_name": operation_name,
            "variables": {
                name: _jsonable(value)
                for name, value in (variables or {}).items()
                if not isinstance(value, UnsetType)
            },
            "kind": _operation_kind(query),
            "timeout": timeout,
            "max_retries": max_retries,
            "headers": headers,
        }

    def parse_result(self, result_type: type[ResultT], response: GraphQLResult) -> ResultT:
        """The response's ``data`` as ``result_type``; raise on GraphQL errors or a mismatch."""
        return parse_result(result_type, response, self.service)

    def payload(self, payload: PayloadT, response: GraphQLResult) -> PayloadT:
        """An operation's payload, stamped with the call's request id and variables."""
        if payload is not None:
            payload._stamp(response.request_id, response.sent)  # pyright: ignore[reportPrivateUsage]
        return payload


class ServiceClient(_ServiceClientCommon):
    """The base of each service's generated async client: sends its operations through the
    shared async transport."""

    def __init__(self, *, service: str, url: str, transport: GraphQLTransport) -> None:
        super().__init__(service=service, url=url)
        self.transport = transport

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GraphQLResult:
        """Send an operation. ``timeout``, ``max_retries`` and ``headers`` override the client's
        defaults for this call only (the generated methods' ``timeout=``, ``max_retries=`` and
        ``extra_headers=``)."""
        return await self.transport.send(
            **self._send_arguments(query, operation_name, variables, timeout, max_retries, headers)
        )

    async def _call(
        self,
        operation: Operation[Any],
        variables: Mapping[str, Any],
        timeout: TimeoutOption,
        max_retries: int | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        """Send ``operation`` and return its payload's data (``PayloadError`` without any)."""
        return payload_data(
            await self._call_for_payload(operation, variables, timeout, max_retries, headers)
        )

    async def _call_for_payload(
        self,
        operation: Operation[Any],
        variables: Mapping[str, Any],
        timeout: TimeoutOption,
        max_retries: int | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        """Send ``operation`` and return its whole payload (``with_payload``, the pagers)."""
        response = await self.execute(
            operation.document,
            operation.name,
            variables,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )
        return self._payload(operation, response)


class SyncServiceClient(_ServiceClientCommon):
    """The base of each service's generated sync client (``DebtCore``'s): sends its operations
    through the shared sync transport."""

    def __init__(self, *, service: str, url: str, transport: SyncGraphQLTransport) -> None:
        super().__init__(service=service, url=url)
        self.transport = transport

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GraphQLResult:
        """The blocking twin of ``ServiceClient.execute``."""
        return self.transport.send(
            **self._send_arguments(query, operation_name, variables, timeout, max_retries, headers)
        )

    def _call(
        self,
        operation: Operation[Any],
        variables: Mapping[str, Any],
        timeout: TimeoutOption,
        max_retries: int | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        """The blocking twin of ``ServiceClient._call``."""
        return payload_data(
            self._call_for_payload(operation, variables, timeout, max_retries, headers)
        )

    def _call_for_payload(
        self,
        operation: Operation[Any],
        variables: Mapping[str, Any],
        timeout: TimeoutOption,
        max_retries: int | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        """The blocking twin of ``ServiceClient._call_for_payload``."""
        response = self.execute(
            operation.document,
            operation.name,
            variables,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )
        return self._payload(operation, response)


class PayloadView:
    """A service client's ``with_payload``: its methods, each returning the whole payload.

    The methods are the client's own code (``payload_method``); they call ``self._call``, which
    here is the client's ``_call_for_payload``: no second implementation, no extra frame."""

    __slots__ = ("_call", "_call_for_payload")
    _call: Callable[..., Any]
    _call_for_payload: Callable[..., Any]

    def __init__(self, client: ServiceClient | SyncServiceClient) -> None:
        call = client._call_for_payload  # pyright: ignore[reportPrivateUsage]
        self._call = self._call_for_payload = call


def _rebind(method: Callable[..., Any], payload: type[Any], nullable: bool) -> Any:
    """A twin of ``method`` for ``<Client>WithPayload``: the same code (no wrapper, no extra
    call), its own name and return annotation (the payload), for ``inspect`` and ``help()``."""
    name = method.__name__.lstrip("_")  # a pager's payload fetcher, ``_credit_reports``
    owner = method.__qualname__.rpartition(".")[0] + "WithPayload"
    twin = types.FunctionType(
        method.__code__, method.__globals__, name, method.__defaults__, method.__closure__
    )
    twin.__kwdefaults__ = method.__kwdefaults__
    returns = Optional[payload] if nullable else payload  # noqa: UP045  # as the signatures spell it
    twin.__annotations__ = {**method.__annotations__, "return": returns}
    twin.__doc__ = method.__doc__
    twin.__qualname__ = f"{owner}.{name}"
    twin.__module__ = method.__module__
    return twin


# The bindings are typed with a ParamSpec: pyright keeps every overload of the method (its
# positional and keyword forms) and only the return type becomes the payload's.
@overload
def payload_method(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, Any]],
    payload: type[R],
    *,
    nullable: Literal[False] = False,
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]: ...
@overload
def payload_method(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, Any]],
    payload: type[R],
    *,
    nullable: Literal[True],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R | None]]: ...
def payload_method(
    method: Callable[..., Any], payload: type[Any], *, nullable: bool = False
) -> Any:
    """``with_payload.<method>`` of an async client: ``method``'s code, returning ``payload``
    (``None`` too where the schema lets the root field be null)."""
    return _rebind(method, payload, nullable)


@overload
def sync_payload_method(
    method: Callable[Concatenate[Any, P], Any],
    payload: type[R],
    *,
    nullable: Literal[False] = False,
) -> Callable[Concatenate[Any, P], R]: ...
@overload
def sync_payload_method(
    method: Callable[Concatenate[Any, P], Any],
    payload: type[R],
    *,
    nullable: Literal[True],
) -> Callable[Concatenate[Any, P], R | None]: ...
def sync_payload_method(
    method: Callable[..., Any], payload: type[Any], *, nullable: bool = False
) -> Any:
    """``payload_method`` for the sync face."""
    return _rebind(method, payload, nullable)
