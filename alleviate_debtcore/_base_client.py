"""The base classes of the generated service clients: ``ServiceClient`` (async) and
``SyncServiceClient`` (``DebtCore``'s), which differ only in how ``execute`` waits.

ariadne-codegen copies ``codegen/base_client.py`` into each generated package; that file only
subclasses these, so the logic exists once. Each generated operation has a
private method that checks its arguments (``_arguments``), calls ``execute(...)``, then
``parse_result(ResultModel, response)`` and ``payload(...)``; the public method returns the
payload's data (``_payload.payload_data``) and the ``with_payload`` twin the payload itself.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

import httpx
from pydantic import BaseModel as PydanticBaseModel
from pydantic import JsonValue, ValidationError

from ._models import PayloadModel, UnsetType, field_errors
from ._redaction import Redactor
from ._transport import GraphQLResult, GraphQLTransport, OperationKind, SyncGraphQLTransport
from .errors import GraphQLResponseError, ResponseValidationError

__all__ = ["FAST_PATH_MAX_BYTES", "ServiceClient", "SyncServiceClient", "TimeoutOption"]

ResultT = TypeVar("ResultT", bound=PydanticBaseModel)
PayloadT = TypeVar("PayloadT", bound=PayloadModel | None)

# The per-call ``timeout=`` of every generated method: seconds or an httpx.Timeout.
TimeoutOption = float | httpx.Timeout | None

# Bodies up to this size are validated straight from bytes (one pass, fastest). A larger body
# takes json.loads + model_validate: a failing model_validate_json copies the input into every
# error, which turned a 10 MB body into a 1.5 GB peak.
FAST_PATH_MAX_BYTES = 1 << 20
_LISTED_ERRORS_MAX = 1_000

_OPERATION_KIND = re.compile(r"\s*(query|mutation|subscription)\b")


@functools.lru_cache(maxsize=256)  # the generated documents are constants: one match each
def _operation_kind(query: str) -> OperationKind:
    match = _OPERATION_KIND.match(query)
    if match is None or match.group(1) == "subscription":
        raise ValueError("a Debt Core operation must start with 'query' or 'mutation'")
    return "mutation" if match.group(1) == "mutation" else "query"


def _jsonable(value: Any) -> Any:
    if isinstance(value, PydanticBaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]  # pyright: ignore[reportUnknownVariableType]
    return value


class _Envelope(PydanticBaseModel, Generic[ResultT]):
    data: ResultT | None = None
    errors: list[JsonValue] | None = None


@functools.cache
def _envelope(result_type: type[PydanticBaseModel]) -> type[_Envelope[Any]]:
    """``{data: result_type, errors: [...]}``, built once per result type."""
    return _Envelope[result_type]  # type: ignore[valid-type]


class _ServiceClientBase:
    """What both faces share: reading a response into typed models."""

    def __init__(self, *, service: str, url: str) -> None:
        self.service = service
        self.url = url

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
        # Fast path: one pass from bytes to typed models (pydantic-core parses the JSON itself).
        # Anything unusual (errors, null data, a mismatch, not JSON) takes the careful path below,
        # which decides what to raise.
        content = response.content
        if len(content) <= FAST_PATH_MAX_BYTES:
            try:  # the validator itself: model_validate_json adds a Python frame per call
                envelope = _envelope(result_type).__pydantic_validator__.validate_json(content)
            except ValidationError:
                pass
            else:
                if not envelope.errors and envelope.data is not None:
                    return cast(ResultT, envelope.data)
        if response.errors:
            partial = None
            if response.data is not None:
                # A null where the schema says non-null leaves only the raw data.
                with contextlib.suppress(ValidationError):
                    partial = result_type.model_validate(response.data)
            first = response.errors[0]
            more = f" (and {len(response.errors) - 1} more)" if len(response.errors) > 1 else ""
            code = f" [{first.code}]" if first.code else ""
            # The details are redacted already; the request id may be the server's (a header).
            raise GraphQLResponseError(
                Redactor(response.sent)(
                    f"{response.operation} returned GraphQL errors: {first.message}{code}{more} "
                    f"(request id {response.request_id})"
                ),
                errors=response.errors,
                partial_data=response.data,
                partial=partial,
                service=self.service,
                operation=response.operation,
                request_id=response.request_id,
            )
        try:
            return result_type.model_validate(response.data)
        except ValidationError as exc:
            # Paths and reasons only, and the pydantic error is not chained: its text quotes the
            # values (applicant data) and its line errors hold on to the parsed body.
            # exc.errors() builds a dict per error: for a huge mismatching body (one error per
            # debt) that alone was tens of times the body's size, so only a few are listed.
            count = exc.error_count()
            redact = Redactor(response.sent)
            errors = (
                field_errors(exc, limit=3, redact=redact) if count <= _LISTED_ERRORS_MAX else []
            )
        listed = "; ".join(str(e) for e in errors)
        if count > len(errors):
            listed += f"; and {count - len(errors)} more" if errors else f"{count} mismatches"
        raise ResponseValidationError(
            redact(
                f"{response.operation} on {self.service}: the response does not match the "
                f"generated models ({listed}); the server's schema may have changed: see "
                "`debtcore schema diff`"
            ),
            errors=errors,
            service=self.service,
            operation=response.operation,
            request_id=response.request_id,
        )

    def payload(self, payload: PayloadT, response: GraphQLResult) -> PayloadT:
        """An operation's ``{data, errors}`` payload (``None`` where the schema lets the root
        field be null), stamped with the call's request id and variables (what a
        ``PayloadError`` from it redacts)."""
        if payload is not None:
            payload._stamp(response.request_id, response.sent)  # pyright: ignore[reportPrivateUsage]
        return payload


class ServiceClient(_ServiceClientBase):
    """Sends one service's operations through the shared async transport."""

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


class SyncServiceClient(_ServiceClientBase):
    """Sends one service's operations through the shared sync transport (``DebtCore``)."""

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
