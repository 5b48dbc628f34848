"""Schema-conformant responses for any operation: execute it against the SDL with made-up values.

The docs' example responses cover only part of each selection; these cover all of it, once with
every nullable field set and once with every nullable field null.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    graphql_sync,
)

ROOT = Path(__file__).resolve().parents[2]

SCALARS: dict[str, Any] = {
    "String": "text",
    "ID": "019c3042-f0d7-7f9d-8c02-02090ab253bd",
    "Int": 7,
    "Float": 1234.5,
    "Boolean": True,
    "Date": "2025-01-15T10:30:00.000Z",
    "JSON": {"nested": [1, "two", None]},
}


@cache
def load_schema(service: str) -> GraphQLSchema:
    return build_schema((ROOT / "schemas" / f"{service}.graphql").read_text())


def _value(type_: GraphQLOutputType, nullable_as_null: bool) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, False)  # type: ignore[arg-type]
    if nullable_as_null:
        return None
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, False), _value(type_.of_type, False)]  # type: ignore[arg-type]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    if isinstance(type_, GraphQLObjectType):
        return {}
    raise TypeError(f"unexpected output type {type_}")


def fabricate(
    schema: GraphQLSchema,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    nullable_as_null: bool = False,
) -> dict[str, Any]:
    """The ``data`` a server following ``schema`` could answer for ``document``."""

    def resolve(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
        return _value(info.return_type, nullable_as_null)

    result = graphql_sync(
        schema, document, variable_values=variables or {}, field_resolver=resolve, root_value={}
    )
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data
