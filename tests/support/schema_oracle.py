"""Ground truth for the schema-diff corpus, computed without the code under test.

An operation breaks under NEW when:

1. its document, with only the fragments it uses (graphql-core's ``separate_operations``), does
   not validate against NEW;
2. variable values it can send, built from OLD, are rejected by NEW (graphql-core's own variable
   coercion, ``get_variable_values``). The values: a minimal one (required fields only) and full
   ones (every input field set, every enum value used by one of them);
3. a field it selects resolves in NEW to a type whose values the model generated from OLD does
   not accept (null where OLD promised non-null, another scalar, list vs single value).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    get_named_type,
    is_composite_type,
    is_enum_type,
    parse,
    specified_rules,
    type_from_ast,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values
from graphql.language import Visitor
from graphql.utilities import TypeInfo, TypeInfoVisitor, separate_operations
from graphql.validation import NoUnusedFragmentsRule

RULES = [r for r in specified_rules if r is not NoUnusedFragmentsRule]
SCALAR_SAMPLES: dict[str, Any] = {
    "String": "text",
    "ID": "id-1",
    "Int": 7,
    "Float": 7.5,
    "Boolean": True,
    "Date": "2025-01-15",
    "JSON": {"key": "value"},
}
DEPTH = 4


@cache
def operations(queries: Path) -> dict[str, Any]:
    text = "\n".join(p.read_text() for p in sorted(queries.glob("*.graphql")))
    return separate_operations(parse(text))


def _sample(type_: Any, choice: int, depth: int, full: bool) -> Any:
    """A value for ``type_``; ``choice`` picks among enum values, ``full`` sets optional fields."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type, choice, depth, full)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type, choice, depth, full)]
    if isinstance(type_, GraphQLEnumType):
        names = list(type_.values)
        return names[choice % len(names)]
    if isinstance(type_, GraphQLScalarType):
        return SCALAR_SAMPLES.get(type_.name, "text")
    assert isinstance(type_, GraphQLInputObjectType)
    value: dict[str, Any] = {}
    for name, field in type_.fields.items():
        required = isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        if required or (full and depth < DEPTH):
            value[name] = _sample(field.type, choice, depth + 1, full)
    return value


def _enum_sizes(type_: Any, seen: set[str]) -> int:
    named = get_named_type(type_)
    if named.name in seen:
        return 1
    seen.add(named.name)
    if isinstance(named, GraphQLEnumType):
        return len(named.values)
    if isinstance(named, GraphQLInputObjectType):
        return max([1, *(_enum_sizes(f.type, seen) for f in named.fields.values())])
    return 1


def _variable_samples(old: GraphQLSchema, operation: OperationDefinitionNode) -> list[dict]:
    definitions = operation.variable_definitions or ()
    types = {d.variable.name.value: type_from_ast(old, d.type) for d in definitions}
    minimal = {
        name: _sample(t, 0, 0, full=False)
        for name, t in types.items()
        if isinstance(t, GraphQLNonNull)
    }
    choices = max([1, *(_enum_sizes(t, set()) for t in types.values())])
    full = [
        {name: _sample(t, choice, 0, full=True) for name, t in types.items()}
        for choice in range(choices)
    ]
    samples = [minimal, *full]
    for sample in samples:  # the samples are valid for OLD, or the oracle is wrong
        assert not isinstance(get_variable_values(old, definitions, sample), list)
    return samples


def _accepts(old: Any, new: Any) -> bool:
    """Whether a model generated for field type ``old`` accepts every value of ``new``."""
    if isinstance(old, GraphQLNonNull) != isinstance(new, GraphQLNonNull):
        return isinstance(new, GraphQLNonNull) and _accepts(old, new.of_type)
    if isinstance(old, GraphQLNonNull):
        return _accepts(old.of_type, new.of_type)
    if isinstance(old, GraphQLList) or isinstance(new, GraphQLList):
        both = isinstance(old, GraphQLList) and isinstance(new, GraphQLList)
        return both and _accepts(old.of_type, new.of_type)
    if old.name == new.name:
        return True
    # Renamed object types: their fields are judged one by one; enums are open in our models.
    composite = is_composite_type(old) and is_composite_type(new)
    enums = is_enum_type(old) and is_enum_type(new)
    return composite or enums or (old.name, new.name) == ("Float", "Int")


def _field_types(schema: GraphQLSchema, document: Any) -> dict[int, Any]:
    info = TypeInfo(schema)
    found: dict[int, Any] = {}

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            definition = info.get_field_def()
            if definition is not None and node.name.value != "__typename":
                found[id(node)] = definition.type

    visit(document, TypeInfoVisitor(info, Collect()))
    return found


def broken_operations(old: GraphQLSchema, new: GraphQLSchema, queries: Path) -> set[str]:
    broken: set[str] = set()
    for name, document in operations(queries).items():
        if validate(new, document, RULES):
            broken.add(name)
            continue
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        definitions = operation.variable_definitions or ()
        if any(
            isinstance(get_variable_values(new, definitions, sample), list)
            for sample in _variable_samples(old, operation)
        ):
            broken.add(name)
            continue
        before, after = _field_types(old, document), _field_types(new, document)
        if any(not _accepts(t, after[key]) for key, t in before.items() if key in after):
            broken.add(name)
    return broken
