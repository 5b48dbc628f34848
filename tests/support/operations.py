"""The generated operations as data (service, method, document, variables) for parametrizing."""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    type_from_ast,
)
from pydantic import BaseModel

from tests.support.fabricate import ROOT, SCALARS, load_schema

from alleviate_debtcore import SERVICES
from alleviate_debtcore._client import AsyncDebtCore

EXAMPLE_FOLDERS = {
    "credit": "credit",
    "underwriting": "underwriting",
    "offers": "offer",
    "enrollment": "enrollment",
}
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"


@dataclass(frozen=True)
class Operation:
    service: str
    name: str  # GraphQL operation name, e.g. CheckApplicantEligibilityV2
    method: str  # generated method, e.g. check_applicant_eligibility_v2
    kind: str  # query | mutation
    definition: OperationDefinitionNode

    def __str__(self) -> str:
        return f"{self.service}.{self.method}"


def snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def operations() -> Iterator[Operation]:
    for service in SERVICES:
        for path in sorted((ROOT / "queries" / service).glob("*.graphql")):
            for definition in parse(path.read_text()).definitions:
                if isinstance(definition, OperationDefinitionNode) and definition.name:
                    name = definition.name.value
                    yield Operation(
                        service, name, snake(name), definition.operation.value, definition
                    )


def example_variables(op: Operation) -> dict[str, Any] | None:
    """The docs example's variables for this operation, when the examples have some."""
    folder = EXAMPLES / EXAMPLE_FOLDERS[op.service]
    for path in sorted(folder.glob(f"{op.name}.variables*.json")):
        return json.loads(path.read_text())
    return None


def _fabricate_input(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _fabricate_input(type_.of_type)  # type: ignore[arg-type]
    if isinstance(type_, GraphQLList):
        return [_fabricate_input(type_.of_type)]  # type: ignore[arg-type]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return "2025-01-15" if type_.name == "Date" else SCALARS[type_.name]
    assert isinstance(type_, GraphQLInputObjectType)
    return {
        name: _fabricate_input(field.type)
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull)
    }


def required_variables(op: Operation, schema: GraphQLSchema) -> dict[str, Any]:
    """Made-up values for the operation's required variables (examples do not cover all)."""
    values: dict[str, Any] = {}
    for var in op.definition.variable_definitions:
        type_ = type_from_ast(schema, var.type)
        if isinstance(type_, GraphQLNonNull):
            values[var.variable.name.value] = _fabricate_input(type_)  # type: ignore[arg-type]
    return values


def variables_for(op: Operation) -> dict[str, Any]:
    example = example_variables(op)
    schema = load_schema(op.service)
    if example is None:
        return required_variables(op, schema)
    # Two docs examples omit a field the schema requires (examples/README.md): fill it in.
    merged = _merge_required(required_variables(op, schema), example)
    return merged


def _merge_required(required: Any, example: Any) -> Any:
    if isinstance(required, dict) and isinstance(example, dict):
        out = dict(example)
        for key, value in required.items():
            out[key] = _merge_required(value, example[key]) if key in example else value
        return out
    return example


def method_of(debtcore: AsyncDebtCore, op: Operation) -> Callable[..., Any]:
    """The operation's ``with_payload`` twin: it returns the whole typed payload."""
    return getattr(getattr(debtcore, op.service).with_payload, op.method)


def method_kwargs(method: Callable[..., Any], variables: dict[str, Any]) -> dict[str, Any]:
    """Turn GraphQL variables into the method's keyword arguments: input objects as models,
    enums as members (the model form; tests/test_surface.py covers dicts and flattening)."""
    hints = typing.get_type_hints(method)
    params = inspect.signature(method).parameters
    kwargs: dict[str, Any] = {}
    for name, value in variables.items():
        param = snake(name)
        assert param in params, f"{method.__name__} has no parameter {param}"
        kwargs[param] = _coerce(hints[param], value)
    return kwargs


def _coerce(hint: Any, value: Any) -> Any:
    for arg in typing.get_args(hint) or (hint,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg.model_validate(value)
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg(value)
        origin = typing.get_origin(arg)
        if origin is list:
            (item,) = typing.get_args(arg)
            return [_coerce(item, v) for v in value]
    return value
