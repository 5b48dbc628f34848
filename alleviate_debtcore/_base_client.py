"""The base class of the four generated service clients.

ariadne-codegen copies ``codegen/base_client.py`` into each generated package; that file only
subclasses ``ServiceClient`` here, so the logic exists once. Generated methods call
``execute(...)`` and then ``parse_result(ResultModel, response)``.
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

from ._models import UnsetType
from ._transport import GraphQLResult, GraphQLTransport, OperationKind
from .errors import GraphQLResponseError, ResponseValidationError

__all__ = ["ServiceClient"]

ResultT = TypeVar("ResultT", bound=PydanticBaseModel)

_OPERATION_KIND = re.compile(r"\s*(query|mutation|subscription)\b")


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


def _validation_summary(exc: ValidationError, limit: int = 3) -> str:
    # Locations and reasons only: pydantic's default text quotes the offending values, which may
    # be applicant data.
    parts = [
        f"{'.'.join(str(p) for p in error['loc']) or '<root>'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)[:limit]
    ]
    more = exc.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class _Envelope(PydanticBaseModel, Generic[ResultT]):
    data: ResultT | None = None
    errors: list[JsonValue] | None = None


@functools.cache
def _envelope(result_type: type[PydanticBaseModel]) -> type[_Envelope[Any]]:
    """``{data: result_type, errors: [...]}``, built once per result type."""
    return _Envelope[result_type]  # type: ignore[valid-type]


class ServiceClient:
    """Sends one service's operations through the shared transport."""

    def __init__(self, *, service: str, url: str, transport: GraphQLTransport) -> None:
        self.service = service
        self.url = url
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
        defaults for this call only; every generated method accepts them as keywords."""
        return await self.transport.send(
            service=self.service,
            url=self.url,
            query=query,
            operation_name=operation_name,
            variables={
                name: _jsonable(value)
                for name, value in (variables or {}).items()
                if not isinstance(value, UnsetType)
            },
            kind=_operation_kind(query),
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
        )

    def parse_result(self, result_type: type[ResultT], response: GraphQLResult) -> ResultT:
        """The response's ``data`` as ``result_type``; raise on GraphQL errors or a mismatch."""
        # Fast path: one pass from bytes to typed models (pydantic-core parses the JSON itself).
        # Anything unusual (errors, null data, a mismatch, not JSON) takes the careful path below,
        # which decides what to raise.
        with contextlib.suppress(ValidationError):
            envelope = _envelope(result_type).model_validate_json(response.content)
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
            raise GraphQLResponseError(
                f"{response.operation} returned GraphQL errors: {first.message}{code}{more} "
                f"(request id {response.request_id})",
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
            raise ResponseValidationError(
                f"{response.operation} on {self.service}: the response does not match the "
                f"generated models ({_validation_summary(exc)}); the server's schema may have "
                "changed: see `debtcore schema diff`",
                service=self.service,
                operation=response.operation,
                request_id=response.request_id,
            ) from exc
