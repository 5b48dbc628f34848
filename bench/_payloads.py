# graphql-core's wrapping types (GraphQLList, GraphQLNonNull) are unparameterised generics.
# pyright: reportUnknownMemberType=false
"""Schema-conformant response bodies for any operation, with realistic, varied values.

The document is executed against the service's SDL with a resolver that makes up a value for
every selected field (the idea of tests/support/fabricate.py). Values vary with the field's path, so
strings, dates and amounts are not one repeated constant that would flatter a parser's caches;
every nullable field is set, the upper bound of what a server sends for a selection.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    graphql_sync,  # pyright: ignore[reportUnknownVariableType]
)

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
DEFAULT_LIST_LENGTH = 2


@cache
def service_schema(service: str) -> GraphQLSchema:
    sdl = resources.files("alleviate_debtcore.schemas").joinpath(f"{service}.graphql").read_text()
    return build_schema(sdl)


def _seed(info: GraphQLResolveInfo) -> int:
    return zlib.crc32(repr(info.path.as_list()).encode())


def _scalar(name: str, field: str, seed: int) -> Any:
    if name == "Float":
        return round(100 + (seed % 5_000_000) / 100, 2)
    if name == "Int":
        return seed % 1000
    if name == "Boolean":
        return seed % 2 == 0
    if name == "ID":
        return f"{seed:08x}-f0d7-7f9d-8c02-{seed % 10**12:012d}"
    if name == "Date":
        moment = _EPOCH + timedelta(minutes=seed % 3_000_000)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if name == "JSON":
        return {"field": field, "value": seed % 1000, "flags": [True, None]}
    return f"{field} {seed % 100_000}"  # String and any other scalar


def _value(type_: object, info: GraphQLResolveInfo, lengths: Mapping[str, int]) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(cast(object, type_.of_type), info, lengths)
    if isinstance(type_, GraphQLList):
        item = cast(object, type_.of_type)
        if isinstance(item, GraphQLNonNull):
            item = cast(object, item.of_type)
        count = lengths.get(info.field_name, DEFAULT_LIST_LENGTH)
        if isinstance(item, GraphQLObjectType):
            return [{} for _ in range(count)]  # children are resolved field by field
        return [_value(item, info, lengths) for _ in range(count)]
    seed = _seed(info)
    if isinstance(type_, GraphQLEnumType):
        values = list(type_.values)
        return values[seed % len(values)]
    if isinstance(type_, GraphQLScalarType):
        return _scalar(type_.name, info.field_name, seed)
    if isinstance(type_, GraphQLObjectType):
        return {}
    raise TypeError(f"unexpected output type {type_}")


def fabricate_data(
    service: str,
    document: str,
    variables: Mapping[str, Any] | None = None,
    *,
    list_lengths: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The ``data`` a server following the service's SDL could answer for ``document``.

    ``list_lengths`` sets the length of lists by field name (e.g. ``{"debts": 500}``); other
    lists have two items.
    """
    lengths = dict(list_lengths or {})

    def resolve(_source: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
        return _value(cast(object, info.return_type), info, lengths)

    result = graphql_sync(
        service_schema(service),
        document,
        variable_values=dict(variables or {}),
        field_resolver=resolve,
        root_value={},
    )
    if result.errors or result.data is None:
        raise RuntimeError(f"could not fabricate a response: {result.errors}")
    return result.data


def response_body(data: Mapping[str, Any]) -> bytes:
    """A GraphQL HTTP response body, compact as servers send it."""
    return json.dumps({"data": data}, separators=(",", ":")).encode()
