"""The four executable schemas: the shipped SDL with the sandbox's resolvers bound to it.

Resolvers find the sandbox state through the GraphQL context, so one schema object per service
serves every app in the process and is built once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

from ariadne import make_executable_schema
from graphql import GraphQLEnumType, GraphQLSchema

from .._environment import SERVICES, Service
from . import _credit, _enrollment, _offers, _underwriting
from ._resolvers import ServiceResolvers

SCHEMA_FILES: Mapping[Service, str] = MappingProxyType({s: f"{s}.graphql" for s in SERVICES})
_RESOLVERS: Mapping[Service, ServiceResolvers] = MappingProxyType(
    {m.resolvers.service: m.resolvers for m in (_credit, _underwriting, _offers, _enrollment)}
)


def load_sdl(service: Service) -> str:
    """The service's SDL as shipped in ``alleviate_debtcore.schemas``."""
    files = resources.files("alleviate_debtcore.schemas")
    return files.joinpath(SCHEMA_FILES[service]).read_text(encoding="utf-8")


def _undo_enum_parse_patch(schema: GraphQLSchema) -> None:
    """Give enums back graphql-core's own ``parse_value``.

    ariadne 1.1 wraps it with a one-argument function, but graphql-core 3.2.14 calls it with two
    (``hide_suggestions``), so every enum sent in ``variables`` failed coercion. The wrapper only
    matters for Python ``Enum`` bindings, which the sandbox does not use.
    """
    for named_type in schema.type_map.values():
        if isinstance(named_type, GraphQLEnumType) and "parse_value" in vars(named_type):
            delattr(named_type, "parse_value")


@functools.cache
def executable_schema(service: Service) -> GraphQLSchema:
    schema = make_executable_schema(load_sdl(service))
    _undo_enum_parse_patch(schema)
    _RESOLVERS[service].bind(schema)
    if service == "underwriting":
        _underwriting.bind_check_flags(schema)
    return schema
