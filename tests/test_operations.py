"""Guards for the GraphQL operation documents in queries/<service>/.

ariadne-codegen turns every operation in queries/<service>/ into one client method, so these tests
pin down what those documents must be: one operation per root field, named after it, with the
field's arguments as variables, selecting the whole payload except the elements the SDL marks
`# docs only:` (the live server may lack them), covering every docs example, and valid against the
service schema. Only graphql-core and the files are used; nothing touches the network.

The docs examples are copied into tests/fixtures/examples/ (from the API fact sheet).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    TokenKind,
    VariableNode,
    build_schema,
    get_named_type,
    is_enum_type,
    is_object_type,
    parse,
    print_ast,
    validate,
)
from graphql.language import Node

from alleviate_debtcore import SERVICES

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
QUERIES = REPO / "queries"
FRAGMENTS_FILE = "fragments.graphql"

EXAMPLES_DIR = Path(__file__).parent / "fixtures" / "examples"
# Examples folder -> service. `_not_service_specific/` is an illustration, not an operation.
EXAMPLE_FOLDERS = {
    "credit": "credit",
    "underwriting": "underwriting",
    "offer": "offers",
    "enrollment": "enrollment",
}

DOCS_ONLY_MARK = re.compile(r"^\s*#\s*docs only:")


# --------------------------------------------------------------------------------------------
# Docs-only detection: our own parse of the SDL comments, shared with nothing else.
# --------------------------------------------------------------------------------------------


def _has_docs_only_comment(node: Node) -> bool:
    """True when the comment lines directly above `node` (or its description) hold the mark.

    A definition's location starts at its description, if any. The lexer keeps comments in the
    token chain, so walk back over the comment tokens on the lines right above the start.
    """
    assert node.loc is not None
    line = node.loc.start_token.line
    token = node.loc.start_token.prev
    while token is not None and token.kind == TokenKind.COMMENT and token.line == line - 1:
        if DOCS_ONLY_MARK.match("#" + (token.value or "")):
            return True
        line = token.line
        token = token.prev
    return False


def docs_only_elements(sdl: str) -> set[str]:
    """Schema coordinates marked `# docs only:`: 'Type', 'Type.field', 'Type.field(arg:)'."""
    found: set[str] = set()
    for definition in parse(sdl).definitions:
        type_name = getattr(definition, "name", None)
        if type_name is None:
            continue
        if _has_docs_only_comment(definition):
            found.add(type_name.value)
        members = list(getattr(definition, "fields", None) or [])
        members += list(getattr(definition, "values", None) or [])
        for member in members:
            coordinate = f"{type_name.value}.{member.name.value}"
            if _has_docs_only_comment(member):
                found.add(coordinate)
            for argument in getattr(member, "arguments", None) or []:
                if _has_docs_only_comment(argument):
                    found.add(f"{coordinate}({argument.name.value}:)")
    return found


# --------------------------------------------------------------------------------------------
# Loading a service: schema, docs-only set and the query folder.
# --------------------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    sdl: str
    schema: GraphQLSchema
    docs_only: set[str]
    texts: dict[str, str]
    files: dict[str, DocumentNode]
    document: DocumentNode
    operations: dict[str, OperationDefinitionNode] = field(default_factory=dict)
    operation_files: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)

    def root_fields(self) -> dict[str, tuple[OperationType, GraphQLField]]:
        roots: dict[str, tuple[OperationType, GraphQLField]] = {}
        for op_type, root in (
            (OperationType.QUERY, self.schema.query_type),
            (OperationType.MUTATION, self.schema.mutation_type),
        ):
            if root is not None:
                for name, root_field in root.fields.items():
                    roots[name] = (op_type, root_field)
        return roots

    def root_type(self, op_type: OperationType) -> GraphQLObjectType:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
        }[op_type]
        assert root is not None, f"{self.name}: no {op_type.value} type"
        return root

    def object_type(self, name: str) -> GraphQLObjectType:
        named = self.schema.get_type(name)
        assert is_object_type(named), f"{self.name}: {name} is not an object type"
        assert isinstance(named, GraphQLObjectType)
        return named

    def is_docs_only(self, parent: str, field_name: str, type_name: str) -> bool:
        return f"{parent}.{field_name}" in self.docs_only or type_name in self.docs_only


@functools.cache
def load(service: str) -> Service:
    sdl = (SCHEMAS / f"{service}.graphql").read_text(encoding="utf-8")
    folder = QUERIES / service
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.graphql"))}
    files = {name: parse(text) for name, text in texts.items()}
    # ariadne-codegen reads the folder as one document set.
    document = parse("\n".join(texts.values()))
    svc = Service(service, sdl, build_schema(sdl), docs_only_elements(sdl), texts, files, document)
    for file_name, doc in files.items():
        for definition in doc.definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, f"{service}/{file_name}: anonymous operation"
                svc.operations[definition.name.value] = definition
                svc.operation_files[definition.name.value] = file_name
            elif isinstance(definition, FragmentDefinitionNode):
                svc.fragments[definition.name.value] = definition
    return svc


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def root_field_node(op: OperationDefinitionNode) -> FieldNode:
    (node,) = op.selection_set.selections
    assert isinstance(node, FieldNode)
    return node


# --------------------------------------------------------------------------------------------
# Walking selections.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """One selected field: its path of field names from the root field, and its coordinate."""

    path: tuple[str, ...]
    parent: str
    field: str
    type_name: str


def walk(
    svc: Service,
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
    prefix: tuple[str, ...] = (),
) -> Iterator[Selected]:
    """Every field selected under `selection_set`, fragments expanded."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            named: GraphQLNamedType = get_named_type(parent.fields[name].type)
            path = (*prefix, name)
            yield Selected(path, parent.name, name, named.name)
            if selection.selection_set is not None:
                yield from walk(
                    svc, selection.selection_set, svc.object_type(named.name), fragments, path
                )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            condition = svc.object_type(fragment.type_condition.name.value)
            yield from walk(svc, fragment.selection_set, condition, fragments, prefix)
        elif isinstance(selection, InlineFragmentNode):
            condition = (
                parent
                if selection.type_condition is None
                else svc.object_type(selection.type_condition.name.value)
            )
            yield from walk(svc, selection.selection_set, condition, fragments, prefix)


def selected_in(
    svc: Service, op: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[Selected]:
    return list(walk(svc, op.selection_set, svc.root_type(op.operation), fragments))


def full_shape(svc: Service, root_field: str, op_type: OperationType) -> set[tuple[str, ...]]:
    """Paths of the complete selection of a root field: every field below it, recursively,
    except docs-only ones; a field leading back to a type already on the path is not followed."""
    paths: set[tuple[str, ...]] = set()

    def expand(t: GraphQLObjectType, prefix: tuple[str, ...], seen: tuple[str, ...]) -> None:
        for name, sub in t.fields.items():
            named = get_named_type(sub.type)
            if svc.is_docs_only(t.name, name, named.name):
                continue
            if is_object_type(named):
                if named.name in seen:
                    continue
                paths.add((*prefix, name))
                expand(svc.object_type(named.name), (*prefix, name), (*seen, named.name))
            else:
                paths.add((*prefix, name))

    root = svc.root_type(op_type)
    payload = get_named_type(root.fields[root_field].type)
    paths.add((root_field,))
    if is_object_type(payload):
        expand(svc.object_type(payload.name), (root_field,), (payload.name,))
    return paths


def field_sites(
    svc: Service, selection_set: SelectionSetNode, parent: GraphQLObjectType
) -> Iterator[tuple[str, SelectionSetNode]]:
    """(object type, its selection set) for every field node written in the text; fragment
    spreads are not followed, so a fragment's body counts once wherever it is used."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.selection_set is not None:
            named = get_named_type(parent.fields[selection.name.value].type)
            yield named.name, selection.selection_set
            yield from field_sites(svc, selection.selection_set, svc.object_type(named.name))
        elif isinstance(selection, InlineFragmentNode):
            condition = (
                parent
                if selection.type_condition is None
                else svc.object_type(selection.type_condition.name.value)
            )
            yield from field_sites(svc, selection.selection_set, condition)


def clash_types(svc: Service) -> dict[str, str]:
    """Object types with an enum field named like an operation of the service.

    ariadne-codegen writes an operation's result classes into one module that also imports the
    enums its inline fields use; an enum named like the operation (EnrollmentStatus) is then
    shadowed by the operation's result class. Such types must be selected through a fragment.
    """
    op_names = {pascal(name) for name in svc.root_fields()}
    found: dict[str, str] = {}
    for named in svc.schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for sub in named.fields.values():
                enum = get_named_type(sub.type)
                if is_enum_type(enum) and enum.name in op_names:
                    found[named.name] = enum.name
    return found


# --------------------------------------------------------------------------------------------
# Tests per service.
# --------------------------------------------------------------------------------------------

service_param = pytest.mark.parametrize("service", SERVICES)


@service_param
def test_folder_layout(service: str) -> None:
    svc = load(service)
    assert svc.texts, f"queries/{service}/ holds no .graphql files"
    for file_name, doc in svc.files.items():
        if file_name == FRAGMENTS_FILE:
            assert all(isinstance(d, FragmentDefinitionNode) for d in doc.definitions), (
                f"{service}/{file_name} must hold fragments only"
            )
            continue
        assert len(doc.definitions) == 1, f"{service}/{file_name}: one operation per file"
        (op,) = doc.definitions
        assert isinstance(op, OperationDefinitionNode), f"{service}/{file_name}: not an operation"
        assert op.name is not None
        assert file_name == f"{op.name.value}.graphql", f"{service}/{file_name}: name mismatch"


@service_param
def test_one_operation_per_root_field(service: str) -> None:
    svc = load(service)
    roots = svc.root_fields()
    assert set(svc.operations) == {pascal(name) for name in roots}
    for name, (op_type, _) in roots.items():
        op = svc.operations[pascal(name)]
        assert op.operation == op_type, f"{op.name and op.name.value}: wrong operation type"
        assert root_field_node(op).name.value == name
        assert root_field_node(op).alias is None


@service_param
def test_variables_are_the_root_field_arguments(service: str) -> None:
    svc = load(service)
    for name, (_, root_field) in svc.root_fields().items():
        op = svc.operations[pascal(name)]
        variables = [
            (v.variable.name.value, print_ast(v.type)) for v in op.variable_definitions or ()
        ]
        arguments = [(arg, str(a.type)) for arg, a in root_field.args.items()]
        assert variables == arguments, f"{pascal(name)}: variables differ from arguments"
        assert all(v.default_value is None for v in op.variable_definitions or ())
        passed = {
            a.name.value: a.value.name.value
            for a in root_field_node(op).arguments or ()
            if isinstance(a.value, VariableNode)
        }
        assert len(passed) == len(root_field_node(op).arguments or ())
        assert passed == {arg: arg for arg in root_field.args}, f"{pascal(name)}: arguments"


@service_param
def test_documents_validate(service: str) -> None:
    svc = load(service)
    errors = validate(svc.schema, svc.document)
    assert not errors, "\n".join(str(e) for e in errors)


@service_param
def test_docs_only_marks_are_all_detected(service: str) -> None:
    svc = load(service)
    marks = sum(1 for line in svc.sdl.splitlines() if DOCS_ONLY_MARK.match(line))
    assert len(svc.docs_only) == marks, (
        f"{service}: {marks} '# docs only:' comments, but elements found: {sorted(svc.docs_only)}"
    )
    for coordinate in svc.docs_only:
        type_name, _, member = coordinate.partition(".")
        named = svc.schema.get_type(type_name)
        assert named is not None, coordinate
        if member:
            members = getattr(named, "fields", None) or getattr(named, "values", None) or {}
            assert member.split("(")[0] in members, coordinate


@service_param
def test_no_docs_only_element_is_selected(service: str) -> None:
    svc = load(service)
    for op_name, op in svc.operations.items():
        for sel in selected_in(svc, op, svc.fragments):
            assert not svc.is_docs_only(sel.parent, sel.field, sel.type_name), (
                f"{op_name} selects docs-only {sel.parent}.{sel.field} at {'.'.join(sel.path)}"
            )


@service_param
def test_payloads_are_selected_completely(service: str) -> None:
    """data and errors of every payload: every field, recursively, down to scalars and enums."""
    svc = load(service)
    for name, (op_type, _) in svc.root_fields().items():
        op = svc.operations[pascal(name)]
        selected = selected_in(svc, op, svc.fragments)
        parents = {sel.path[:-1] for sel in selected}
        for sel in selected:
            has_children = sel.path in parents
            leaf = not is_object_type(svc.schema.get_type(sel.type_name))
            assert has_children != leaf, f"{pascal(name)}: {'.'.join(sel.path)}"
        ours = {sel.path for sel in selected}
        expected = full_shape(svc, name, op_type)
        missing = sorted(".".join(p) for p in expected - ours)
        assert not missing, f"{pascal(name)} does not select: {missing}"
        assert ours == expected, f"{pascal(name)} selects extra: {sorted(ours - expected)}"
        assert {p[1] for p in ours if len(p) > 1} >= {"data", "errors"}


@service_param
def test_fragment_names(service: str) -> None:
    svc = load(service)
    type_names = set(svc.schema.type_map)
    names = [
        d.name.value
        for doc in svc.files.values()
        for d in doc.definitions
        if isinstance(d, FragmentDefinitionNode)
    ]
    assert len(names) == len(set(names)), f"{service}: duplicate fragment names"
    for name, fragment in svc.fragments.items():
        assert name not in type_names, f"{service}: fragment {name} is a schema type name"
        assert name == f"{fragment.type_condition.name.value}Fields", name


@service_param
def test_fragments_exactly_for_shared_shapes(service: str) -> None:
    """A type selected at two or more places goes through its `<Type>Fields` fragment; a type
    selected once is written inline (except the enum-name clash, see clash_types)."""
    svc = load(service)
    sites: dict[str, list[SelectionSetNode]] = defaultdict(list)
    for op in svc.operations.values():
        for type_name, sel_set in field_sites(svc, op.selection_set, svc.root_type(op.operation)):
            sites[type_name].append(sel_set)
    for fragment in svc.fragments.values():
        condition = svc.object_type(fragment.type_condition.name.value)
        for type_name, sel_set in field_sites(svc, fragment.selection_set, condition):
            sites[type_name].append(sel_set)
    must_share = clash_types(svc)
    for type_name, sel_sets in sites.items():
        spread_only = [
            len(s.selections) == 1
            and isinstance(s.selections[0], FragmentSpreadNode)
            and s.selections[0].name.value == f"{type_name}Fields"
            for s in sel_sets
        ]
        if len(sel_sets) >= 2 or type_name in must_share:
            assert all(spread_only), f"{service}: select {type_name} via ...{type_name}Fields"
        else:
            assert not any(spread_only), f"{service}: {type_name}Fields is used only once"


@service_param
def test_no_enum_shadowed_by_operation_result(service: str) -> None:
    svc = load(service)
    for op_name, op in svc.operations.items():
        # Fields written in the operation itself, fragment bodies excluded.
        for sel in _inline_fields(svc, op):
            if not is_enum_type(svc.schema.get_type(sel.type_name)):
                continue
            assert sel.type_name != op_name, (
                f"{op_name}: enum {sel.type_name} selected inline at {'.'.join(sel.path)}; "
                "select it through a fragment"
            )


def _inline_fields(svc: Service, op: OperationDefinitionNode) -> Iterator[Selected]:
    def go(
        selection_set: SelectionSetNode, parent: GraphQLObjectType, prefix: tuple[str, ...]
    ) -> Iterator[Selected]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                named = get_named_type(parent.fields[name].type)
                yield Selected((*prefix, name), parent.name, name, named.name)
                if selection.selection_set is not None:
                    yield from go(
                        selection.selection_set, svc.object_type(named.name), (*prefix, name)
                    )

    return go(op.selection_set, svc.root_type(op.operation), ())


@service_param
def test_files_start_with_a_comment(service: str) -> None:
    svc = load(service)
    roots = svc.root_fields()
    for file_name, text in svc.texts.items():
        assert text.startswith("# "), f"{service}/{file_name}: start with a '#' comment"
        assert "\t" not in text and text.endswith("\n"), f"{service}/{file_name}: formatting"
        assert not any(line != line.rstrip() for line in text.splitlines()), file_name
    for name, (_, root_field) in roots.items():
        text = svc.texts[f"{pascal(name)}.graphql"]
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        if root_field.deprecation_reason:
            replacements = [n for n in roots if n != name and n in root_field.deprecation_reason]
            assert replacements, f"{name}: deprecation names no replacement"
            assert f"Deprecated: use {replacements[0]}" in header, f"{pascal(name)}: header"
        else:
            assert "Deprecated" not in header, f"{pascal(name)}: not deprecated"


# --------------------------------------------------------------------------------------------
# Docs examples.
# --------------------------------------------------------------------------------------------


def _example_params() -> list[ParameterSet]:
    return [
        pytest.param(path, id=f"{folder}/{path.name}")
        for folder in EXAMPLE_FOLDERS
        for path in sorted((EXAMPLES_DIR / folder).glob("*.graphql"))
    ]


def test_examples_are_present() -> None:
    for folder in EXAMPLE_FOLDERS:
        assert list((EXAMPLES_DIR / folder).glob("*.graphql")), f"no examples in {folder}/"


@pytest.mark.parametrize("example", _example_params())
def test_example_is_covered(example: Path) -> None:
    svc = load(EXAMPLE_FOLDERS[example.parent.name])
    doc = parse(example.read_text(encoding="utf-8"))
    errors = validate(svc.schema, doc)
    assert not errors, f"{example.name} does not validate: {errors}"
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    for op in (d for d in doc.definitions if isinstance(d, OperationDefinitionNode)):
        for top in op.selection_set.selections:
            assert isinstance(top, FieldNode)
            root_field = top.name.value
            ours = svc.operations[pascal(root_field)]
            assert root_field_node(ours).name.value == root_field
            wanted: set[tuple[str, ...]] = set()
            dropped: list[tuple[str, ...]] = []
            for sel in walk(svc, op.selection_set, svc.root_type(op.operation), fragments):
                if sel.path[0] != root_field:
                    continue
                if svc.is_docs_only(sel.parent, sel.field, sel.type_name) or any(
                    sel.path[: len(d)] == d for d in dropped
                ):
                    dropped.append(sel.path)
                    continue
                wanted.add(sel.path)
            have = {sel.path for sel in selected_in(svc, ours, svc.fragments)}
            missing = sorted(".".join(p) for p in wanted - have)
            assert not missing, f"{example.name}: {pascal(root_field)} lacks {missing}"
