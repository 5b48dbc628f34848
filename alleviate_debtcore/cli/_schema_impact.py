"""Which of our operations a schema change breaks, judged one operation at a time.

An operation is its own document plus only the fragments it reaches. It breaks when:

- it no longer validates against the new schema (a selected field or a passed argument is gone,
  an argument became required, a type it names was renamed, ...);
- a field it selects changed to a type the generated models cannot parse (``Int`` -> ``String``,
  ``String!`` -> ``String``); a renamed object type with the same fields is not such a change;
- a variable it declares can carry a value the new schema rejects: the input types and enums
  reachable from its variable definitions lost a field or an enum value, gained a required
  field without a default, changed a field's type, or dropped the default of a non-null field.

Default value changes that leave the operation valid are reported, not counted as breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    Node,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    Undefined,
    get_named_type,
    is_composite_type,
    is_enum_type,
    is_input_object_type,
    print_ast,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor
from graphql.pyutils import inspect
from graphql.utilities import TypeInfo, TypeInfoVisitor
from graphql.validation import NoUnusedFragmentsRule

__all__ = ["Operation", "Reason", "operation_impact", "operations_in", "printed_default"]

# ariadne-codegen validates with every rule but this one (fragments live in a shared file).
_RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]

# Scalars that accept every value of another one as a variable (new, old): Float takes Int, ID
# takes strings and ints, and the generated client sends IDs as strings.
_INPUT_WIDENINGS = frozenset({("Float", "Int"), ("ID", "Int"), ("ID", "String"), ("String", "ID")})
# Output scalars whose values the old model still parses (old, new): a float field takes ints.
_OUTPUT_NARROWINGS = frozenset({("Float", "Int"), ("ID", "String"), ("String", "ID")})

_REQUIRED_ARGUMENT = re.compile(r"argument '(\w+)' of type '[^']+' is required")


@dataclass(frozen=True)
class Operation:
    """One operation with only the fragments it reaches."""

    name: str
    document: DocumentNode

    @property
    def definition(self) -> OperationDefinitionNode:
        return next(d for d in self.document.definitions if isinstance(d, OperationDefinitionNode))


@dataclass(frozen=True)
class Reason:
    """Why a change touches an operation. ``coordinate`` (``Type.field``, ``Type.field(arg:)``,
    ``Input.field``, ``Enum.VALUE`` or ``Type``) ties it to the change it comes from."""

    coordinate: str | None
    text: str
    breaking: bool = True


def operations_in(document: DocumentNode) -> list[Operation]:
    """Every named operation of ``document``, each with the fragments it reaches."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations: list[Operation] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        reached: dict[str, FragmentDefinitionNode] = {}
        pending: list[Node] = [definition]
        while pending:
            for name in _spread_names(pending.pop()):
                if name not in reached and name in fragments:
                    reached[name] = fragments[name]
                    pending.append(fragments[name])
        name = definition.name.value if definition.name else "<anonymous>"
        operations.append(
            Operation(name, DocumentNode(definitions=(definition, *reached.values())))
        )
    return operations


def _spread_names(node: Node) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


# graphql-core's wrapping types are generic without parameters, so pyright cannot see through
# ``of_type``; the helpers that walk types take ``Any`` (a GraphQL type) instead.
GraphQLType = Any


def _type_of(holder: Any) -> GraphQLType:
    """The type of a field, argument or input field."""
    return holder.type


@dataclass(frozen=True)
class _Resolved:
    parent: str
    field: str
    type: GraphQLType | None


def _resolve_fields(schema: GraphQLSchema, document: DocumentNode) -> dict[int, _Resolved]:
    """Each field node of ``document`` (by identity) resolved against ``schema``."""
    type_info = TypeInfo(schema)
    found: dict[int, _Resolved] = {}

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                definition = type_info.get_field_def()
                field_type = _type_of(definition) if definition is not None else None
                found[id(node)] = _Resolved(parent.name, node.name.value, field_type)

    visit(document, TypeInfoVisitor(type_info, Fields()))
    return found


def _coordinate_of(
    error: GraphQLError, fields: dict[int, _Resolved], arguments: dict[int, str]
) -> str | None:
    """The old-schema coordinate a validation error is about, when it is clear."""
    for node in error.nodes or ():
        if isinstance(node, FieldNode) and id(node) in fields:
            resolved = fields[id(node)]
            coordinate = f"{resolved.parent}.{resolved.field}"
            required = _REQUIRED_ARGUMENT.search(error.message)
            return f"{coordinate}({required[1]}:)" if required else coordinate
        if id(node) in arguments:  # an argument, or the variable passed to it
            return arguments[id(node)]
        if isinstance(node, NamedTypeNode):
            return node.name.value
        if isinstance(node, InlineFragmentNode | FragmentDefinitionNode) and node.type_condition:
            return node.type_condition.name.value
    return None


def _argument_coordinates(document: DocumentNode, fields: dict[int, _Resolved]) -> dict[int, str]:
    found: dict[int, str] = {}

    class Arguments(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            resolved = fields.get(id(node))
            if resolved is not None:
                for argument in node.arguments or ():
                    name = argument.name.value
                    coordinate = f"{resolved.parent}.{resolved.field}({name}:)"
                    found[id(argument)] = found[id(argument.value)] = coordinate

    visit(document, Arguments())
    return found


def _validation(old: GraphQLSchema, new: GraphQLSchema, operation: Operation) -> list[Reason]:
    errors = validate(new, operation.document, _RULES)
    if not errors:
        return []
    fields = _resolve_fields(old, operation.document)
    arguments = _argument_coordinates(operation.document, fields)
    return [Reason(_coordinate_of(e, fields, arguments), e.message) for e in errors]


def _wrapper(type_: GraphQLType) -> str:
    """``!`` for a non-null type, ``[]`` for a list, ``""`` for a named type."""
    if isinstance(type_, GraphQLNonNull):
        return "!"
    return "[]" if isinstance(type_, GraphQLList) else ""


def _inner(type_: GraphQLType) -> GraphQLType:
    return type_.of_type


def _named(type_: GraphQLType) -> GraphQLNamedType:
    return cast(GraphQLNamedType, get_named_type(type_))


def _output_compatible(old: GraphQLType, new: GraphQLType) -> bool:
    """Whether a model generated for ``old`` parses every value of ``new``."""
    if _wrapper(new) == "!":
        new = _inner(new)  # never null is still fine for a nullable field
        if _wrapper(old) == "!":
            old = _inner(old)
    elif _wrapper(old) == "!":
        return False  # may now be null
    if _wrapper(old) == "[]" or _wrapper(new) == "[]":
        return _wrapper(old) == _wrapper(new) and _output_compatible(_inner(old), _inner(new))
    old_named, new_named = _named(old), _named(new)
    if old_named.name == new_named.name:
        return True
    if is_composite_type(old_named) and is_composite_type(new_named):
        return True  # a rename: the selected fields are checked one by one
    if is_enum_type(old_named) and is_enum_type(new_named):
        return True  # generated enums are open: unknown values parse
    return (old_named.name, new_named.name) in _OUTPUT_NARROWINGS


def _output_types(old: GraphQLSchema, new: GraphQLSchema, operation: Operation) -> list[Reason]:
    before = _resolve_fields(old, operation.document)
    after = _resolve_fields(new, operation.document)
    reasons: list[Reason] = []
    for key, was in before.items():
        now = after.get(key)
        if now is None:
            continue
        coordinate = f"{was.parent}.{was.field}"
        if was.field == "__typename":
            if was.parent != now.parent:
                reasons.append(
                    Reason(was.parent, f"selects __typename of {was.parent}, now {now.parent}")
                )
        elif (
            was.type is not None
            and now.type is not None
            and not _output_compatible(was.type, now.type)
        ):
            reasons.append(
                Reason(
                    coordinate,
                    f"selects {coordinate}, which changed type from {was.type} to "
                    f"{now.type}: the generated model cannot parse it",
                )
            )
    return reasons


class _InputComparison:
    """Compares the input types reachable from one operation's variables, old against new."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self._seen: set[tuple[str, str]] = set()

    def named(self, old: GraphQLNamedType, new: GraphQLNamedType) -> None:
        if (old.name, new.name) in self._seen:
            return
        self._seen.add((old.name, new.name))
        if isinstance(old, GraphQLEnumType) and isinstance(new, GraphQLEnumType):
            for value in sorted(set(old.values) - set(new.values)):
                self.reasons.append(
                    Reason(
                        f"{old.name}.{value}",
                        f"enum value {old.name}.{value} was removed; a variable may send it",
                    )
                )
        elif isinstance(old, GraphQLInputObjectType) and isinstance(new, GraphQLInputObjectType):
            self._input_object(old, new)

    def _input_object(self, old: GraphQLInputObjectType, new: GraphQLInputObjectType) -> None:
        for name, field in old.fields.items():
            coordinate = f"{old.name}.{name}"
            now = new.fields.get(name)
            if now is None:
                self.reasons.append(
                    Reason(coordinate, f"input field {coordinate} was removed; a variable sends it")
                )
                continue
            has_default = now.default_value is not Undefined
            problem = self.value(_type_of(field), _type_of(now), has_default=has_default)
            if problem:
                self.reasons.append(Reason(coordinate, f"input field {coordinate} {problem}"))
            elif isinstance(_type_of(now), GraphQLNonNull) and not has_default:
                if field.default_value is not Undefined:
                    self.reasons.append(
                        Reason(
                            coordinate,
                            f"input field {coordinate} lost its default "
                            f"{printed_default(field)}: omitting it is now "
                            "an error",
                        )
                    )
            elif printed_default(field) != printed_default(now) != "(none)":
                self.reasons.append(
                    Reason(
                        coordinate,
                        f"input field {coordinate} default changed from "
                        f"{printed_default(field)} to "
                        f"{printed_default(now)}",
                        breaking=False,
                    )
                )
        for name, field in new.fields.items():
            required = isinstance(_type_of(field), GraphQLNonNull)
            if name not in old.fields and required and field.default_value is Undefined:
                self.reasons.append(
                    Reason(
                        f"{old.name}.{name}",
                        f"required input field {old.name}.{name} ({_type_of(field)}) was added "
                        "without a default; our variables do not send it",
                    )
                )

    def value(self, old: GraphQLType, new: GraphQLType, *, has_default: bool = False) -> str | None:
        """Why a value valid for ``old`` may be rejected by ``new``; None when it is accepted."""
        changed = f"changed type from {old} to {new}"
        if _wrapper(new) == "!":
            if _wrapper(old) != "!" and not has_default:
                return f"{changed}: omitting it or sending null is now an error"
            new = _inner(new)
        if _wrapper(old) == "!":
            old = _inner(old)
        if _wrapper(new) == "[]":
            # A single value is coerced to a one-item list.
            inner = _inner(old) if _wrapper(old) == "[]" else old
            return changed if self.value(inner, _inner(new)) else None
        if _wrapper(old) == "[]":
            return changed
        old_named, new_named = _named(old), _named(new)
        if old_named.name == new_named.name:
            self.named(old_named, new_named)
            return None
        same_kind = (is_input_object_type(old_named) and is_input_object_type(new_named)) or (
            is_enum_type(old_named) and is_enum_type(new_named)
        )
        if same_kind:  # a renamed input type: variables carry no type names, compare the shape
            self.named(old_named, new_named)
            return None
        if is_enum_type(old_named) and new_named.name in ("String", "ID"):
            return None  # enum values travel as strings
        widened = (new_named.name, old_named.name) in _INPUT_WIDENINGS
        scalars = isinstance(old_named, GraphQLScalarType) and isinstance(
            new_named, GraphQLScalarType
        )
        return None if scalars and widened else changed


def printed_default(value: GraphQLArgument | GraphQLInputField) -> str:
    """A default value as the SDL writes it; ``(none)`` without one."""
    if value.default_value is Undefined:
        return "(none)"
    node = value.ast_node
    if node is not None and node.default_value is not None:
        return print_ast(node.default_value)
    return inspect(value.default_value)


def _named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return cast(NamedTypeNode, node).name.value


def _variables(old: GraphQLSchema, new: GraphQLSchema, operation: Operation) -> list[Reason]:
    comparison = _InputComparison()
    for variable in operation.definition.variable_definitions or ():
        name = _named_type(variable.type)
        before, after = old.get_type(name), new.get_type(name)
        if before is not None and after is not None:  # a missing type fails validation
            comparison.named(before, after)
    return comparison.reasons


def operation_impact(old: GraphQLSchema, new: GraphQLSchema, operation: Operation) -> list[Reason]:
    """Every way the change from ``old`` to ``new`` touches ``operation``, without duplicates."""
    reasons = [
        *_validation(old, new, operation),
        *_output_types(old, new, operation),
        *_variables(old, new, operation),
    ]
    return list(dict.fromkeys(reasons))
