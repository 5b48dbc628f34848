# pyright: basic
# (ariadne-codegen ships no type information)
"""ariadne-codegen plugin: the naming, typing and wiring rules of our generated packages.

ariadne-codegen calls these hooks while it builds each service package. What they change, and why:

- Method and field names: ``checkApplicantEligibilityV2`` becomes ``check_applicant_eligibility_v2``
  and ``epFee1Amount`` ``ep_fee1_amount`` (the default casing splits digits off: ``_v_2``).
- Result classes: an operation's classes are named ``<Operation><Query|Mutation>...``. The default
  names them after the operation alone, so ``EnrollmentStatus`` (operation) shadowed the schema's
  ``EnrollmentStatus`` enum and parsing failed; the suffix cannot meet a schema type name.
- Methods end in ``self.parse_result(ResultClass, response)`` instead of ``model_validate``, so a
  response that does not match the models raises our ``ResponseValidationError`` and top-level
  GraphQL errors keep their typed partial data.
- Methods get a docstring from the schema: the root field's description and, for deprecated
  fields, what to use instead.
- Enums derive from ``OpenStrEnum``: a value added by a newer server parses instead of failing.
- List-of-scalar result fields accept a bare scalar as a one-item list (the offers docs return
  ``message`` as a string where the schema says ``[String]``).
- ``base_model.py`` re-exports ``alleviate_debtcore._models`` so that all services share one
  ``BaseModel``, one ``UNSET`` and one ``Upload``.
- The call surface (codegen/surface.py): flattened, strictly typed methods returning the payload's
  data, their ``with_payload`` bindings, pagers, ``<Input>Dict`` TypedDicts and ``<Enum>Literal``
  types; inputs derive from ``InputModel`` and accept only known enum values; payload classes
  derive from ``PayloadModel`` (``request_id``). Each document is written once, in
  ``_operations.py``, which both faces import.
- The sync face (codegen/sync_face.py): ``sync_client.py`` with ``Sync<Service>Client`` and its
  ``WithPayload`` twin, derived from the async module by an AST transform, for ``DebtCore``.

ariadne-codegen writes the modules it knows; ``_operations.py`` and ``sync_client.py`` are
written here, formatted by ariadne's own formatter, with the same header comment.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from ariadne_codegen.utils import ast_to_raw_str, format_code
from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    OperationType,
)

from codegen.surface import OPERATIONS_MODULE, Surface
from codegen.sync_face import SYNC_MODULE, sync_module, sync_name

_MODELS = "alleviate_debtcore._models"
_DIGIT_SPLIT = re.compile(r"(?<=[a-z])_(\d+)")


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _snake(name: str) -> str:
    """camelCase -> snake_case, keeping digits on their word: V2 -> v2, Fee1 -> fee1."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower()


def _suffix(definition: OperationDefinitionNode) -> str:
    return "Mutation" if definition.operation is OperationType.MUTATION else "Query"


def _root_field(schema: GraphQLSchema, definition: OperationDefinitionNode) -> GraphQLField | None:
    root = (
        schema.mutation_type
        if definition.operation is OperationType.MUTATION
        else schema.query_type
    )
    first = definition.selection_set.selections[0]
    if root is None or not isinstance(first, FieldNode):
        return None
    return root.fields.get(first.name.value)


class _Renamer(ast.NodeTransformer):
    """Renames identifiers, forward-reference strings and imported names by a mapping."""

    def __init__(
        self, mapping: dict[str, str], *, modules: set[str] | None = None, strings: bool = True
    ) -> None:
        self.mapping = mapping
        self.modules = modules  # for ImportFrom: only imports from these modules are renamed
        self.strings = strings  # forward references are strings; an operation name is one too

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        node.name = self.mapping.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        # ariadne-codegen spells forward references as names with quotes in them: '"X"'.
        bare = node.id.strip('"')
        if bare in self.mapping and (bare == node.id or self.strings):
            node.id = node.id.replace(bare, self.mapping[bare])
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if self.strings and isinstance(node.value, str) and node.value in self.mapping:
            node.value = self.mapping[node.value]
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        if self.modules is None or node.module in self.modules:
            for alias in node.names:
                alias.name = self.mapping.get(alias.name, alias.name)
        return node


class DebtCorePlugin(Plugin):
    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, Any]) -> None:
        super().__init__(schema, config_dict)
        # operation module name -> {default class name: our class name}
        self._renames: dict[str, dict[str, str]] = {}
        settings = config_dict["tool"]["ariadne-codegen"]
        scalars = {name: value["type"] for name, value in settings.get("scalars", {}).items()}
        self._client_name: str = settings["client_name"]
        self._package = Path(settings["target_package_path"], settings["target_package_name"])
        self._header = f"# Generated by ariadne-codegen\n# Source: {settings['queries_path']}\n"
        self.surface = Surface(schema, scalars)
        self._enums = {n for n, t in schema.type_map.items() if isinstance(t, GraphQLEnumType)}
        self._payload_fragments: set[str] = set()

    # --- names ----------------------------------------------------------------------------------

    def process_name(self, name: str, node: Node | None = None) -> str:
        if isinstance(node, OperationDefinitionNode) and node.name is not None:
            return _snake(node.name.value)
        return _DIGIT_SPLIT.sub(r"\1", name)

    def _operation_renames(self, definition: ExecutableDefinitionNode) -> dict[str, str]:
        assert isinstance(definition, OperationDefinitionNode) and definition.name is not None
        return self._renames.setdefault(_snake(definition.name.value), {})

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        assert isinstance(operation_definition, OperationDefinitionNode)
        assert operation_definition.name is not None
        prefix = _pascal(operation_definition.name.value)
        ours = prefix + _suffix(operation_definition)
        mapping = self._operation_renames(operation_definition)
        for name in _defined_names(module):
            if name.startswith(prefix):
                mapping[name] = ours + name[len(prefix) :]
        # Only names this module defines: an enum imported under the same name stays untouched.
        module = _import_as_list(_Renamer(mapping, modules=set()).visit(module))
        self._mark_payload(module, ours, _snake(operation_definition.name.value))
        return module

    def _mark_payload(self, module: ast.Module, root_class: str, module_name: str) -> None:
        """The root field's ``{data, errors}`` class derives from ``PayloadModel``; when it is a
        fragment's alias, the fragment does (see ``generate_fragments_module``)."""
        root = next(s for s in module.body if isinstance(s, ast.ClassDef) and s.name == root_class)
        (field,) = [s for s in root.body if isinstance(s, ast.AnnAssign)]
        assert isinstance(field.target, ast.Name)
        annotation = ast.unparse(field.annotation)
        payload = annotation.removeprefix("Optional[").removesuffix("]").strip("'\"")
        fragment = None
        for statement in module.body:
            if isinstance(statement, ast.ClassDef) and statement.name == payload:
                statement.bases = [ast.Name("PayloadModel")]
                module.body.insert(0, ast.ImportFrom(_MODELS, [ast.alias("PayloadModel")], 0))
                break
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == payload
                and isinstance(statement.value, ast.Name)
            ):
                fragment = statement.value.id
                self._payload_fragments.add(fragment)
                break
        else:
            raise AssertionError(f"no payload class {payload} in {module_name}")
        self.surface.payload_class(module_name, field.target.id, payload, fragment)

    def generate_fragments_module(
        self, module: ast.Module, fragments_definitions: dict[str, Any]
    ) -> ast.Module:
        for statement in module.body:
            if isinstance(statement, ast.ClassDef) and statement.name in self._payload_fragments:
                statement.bases = [ast.Name("PayloadModel")]
        if self._payload_fragments:
            module.body.insert(0, ast.ImportFrom(_MODELS, [ast.alias("PayloadModel")], 0))
        return _import_as_list(module)

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        # Recorded here, written in generate_client_module once result types and fragments exist.
        mapping = self._operation_renames(operation_definition)
        assert operation_definition.name is not None
        result_class = _pascal(operation_definition.name.value) + _suffix(operation_definition)
        _Renamer(mapping, modules=set(), strings=False).visit(method_def)
        self.surface.add_operation(
            method_def, operation_definition, result_class, self._docstring(operation_definition)
        )
        return method_def

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        for statement in module.body:
            if isinstance(statement, ast.ImportFrom) and statement.module in self._renames:
                _Renamer(self._renames[statement.module]).visit(statement)
        module.body = [
            s for s in module.body if not (isinstance(s, ast.ImportFrom) and s.module == "typing")
        ]
        module = self.surface.client_module(module, self._client_name)
        self._write(SYNC_MODULE, ast_to_raw_str(sync_module(module, self._client_name)))
        self._write(OPERATIONS_MODULE, self.surface.operations_source(self._header))
        return module

    def generate_client_code(self, generated_code: str) -> str:
        return _group_overloads(generated_code)

    def _write(self, name: str, code: str) -> None:
        """A module of the package that ariadne-codegen does not know, formatted as its own."""
        code = _group_overloads(format_code(code))
        if not code.startswith(self._header):
            code = f"{self._header}\n{code}"
        (self._package / f"{name}.py").write_text(code)

    def generate_input_class(
        self, class_def: ast.ClassDef, input_type: GraphQLInputObjectType
    ) -> ast.ClassDef:
        return self.surface.input_class(class_def, input_type, self._enums)

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        module.body = [
            s
            for s in module.body
            if not (isinstance(s, ast.ImportFrom) and s.module in ("typing", "base_model", "enums"))
        ]
        return self.surface.inputs_module(module)

    def generate_init_module(self, module: ast.Module) -> ast.Module:
        module.body[0:0] = self.surface.init_imports(self._client_name)
        module.body.insert(
            0,
            ast.ImportFrom(
                SYNC_MODULE, [ast.alias(sync_name(f"{self._client_name}WithPayload"))], 1
            ),
        )
        exported: set[str] = set()
        for statement in module.body:
            if isinstance(statement, ast.ImportFrom):
                if statement.module in self._renames:
                    _Renamer(self._renames[statement.module]).visit(statement)
                exported.update(alias.asname or alias.name for alias in statement.names)
        # The facade module (alleviate_debtcore.<service>) exports its own client class, a
        # subclass with the handwritten helpers; a star import must not bring the generated one.
        exported.discard(self._client_name)
        for statement in module.body:
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == "__all__"
            ):
                statement.value = ast.List([ast.Constant(n) for n in sorted(exported)])
        return module

    # --- docstrings -------------------------------------------------------------------------------

    def _docstring(self, definition: OperationDefinitionNode) -> str | None:
        field = _root_field(self.schema, definition)
        if field is None:
            return None
        lines = [" ".join((field.description or "").split())]
        if field.deprecation_reason:
            lines.append(f"Deprecated: {' '.join(field.deprecation_reason.split())}")
        text = "\n\n".join(textwrap.fill(line, 88) for line in lines if line)
        return text + "\n" if text else None

    # --- enums, result fields, copied files -------------------------------------------------------

    def generate_enum(self, class_def: ast.ClassDef, enum_type: GraphQLEnumType) -> ast.ClassDef:
        class_def.bases = [ast.Name("OpenStrEnum")]
        return class_def

    def generate_enums_module(self, module: ast.Module) -> ast.Module:
        module.body.insert(0, ast.ImportFrom(_MODELS, [ast.alias("OpenStrEnum")], 0))
        return self.surface.enums_module(module)

    def generate_result_field(
        self,
        field_implementation: ast.AnnAssign,
        operation_definition: ExecutableDefinitionNode,
        field: FieldNode,
    ) -> ast.AnnAssign:
        annotation = field_implementation.annotation
        if _is_scalar_list(annotation):
            field_implementation.annotation = ast.Subscript(
                value=ast.Name("Annotated"),
                slice=ast.Tuple([annotation, ast.Name("as_list")]),
            )
        return field_implementation

    def copy_code(self, copied_code: str) -> str:
        if "class UnsetType" not in copied_code:
            return copied_code
        return _insert_after_header(
            "",
            f"from {_MODELS} import UNSET, BaseModel, UnsetType, Upload\n\n"
            '__all__ = ["UNSET", "BaseModel", "UnsetType", "Upload"]\n',
            header=copied_code,
        )


def _group_overloads(code: str) -> str:
    """No blank line between a method's ``@overload`` stubs and its implementation (typeshed's
    layout, which the formatter keeps): the forms read as one declaration."""
    lines = code.split("\n")
    kept = [
        line
        for index, line in enumerate(lines)
        if line
        or not (
            0 < index < len(lines) - 1
            and lines[index - 1].endswith(": ...")
            and lines[index + 1].lstrip().startswith(("@overload", "def ", "async def "))
        )
    ]
    return "\n".join(kept)


def _defined_names(module: ast.Module) -> list[str]:
    """Classes and aliases (``X = SomeFragment``) a result module defines at top level."""
    names: list[str] = []
    for statement in module.body:
        if isinstance(statement, ast.ClassDef):
            names.append(statement.name)
        elif isinstance(statement, ast.Assign):
            names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
    return names


def _import_as_list(module: ast.Module) -> ast.Module:
    if any(isinstance(n, ast.Name) and n.id == "as_list" for n in ast.walk(module)):
        module.body[0:0] = [
            ast.ImportFrom("typing", [ast.alias("Annotated")], 0),
            ast.ImportFrom("alleviate_debtcore._scalars", [ast.alias("as_list")], 0),
        ]
    return module


_SCALAR_NAMES = {"str", "int", "float", "bool", "Any"}


def _is_scalar_list(annotation: ast.expr) -> bool:
    """``list[X]`` or ``Optional[list[X]]`` where X is a (possibly optional) builtin scalar."""
    node = _strip_optional(annotation)
    if not (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("list", "List")
    ):
        return False
    item = _strip_optional(node.slice)
    return isinstance(item, ast.Name) and item.id in _SCALAR_NAMES


def _strip_optional(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.slice if node.value.id == "Optional" else node
    return node


def _insert_after_header(code: str, addition: str, *, header: str | None = None) -> str:
    """Insert ``addition`` after the leading ``#`` comment block of ``header`` (default: code)."""
    source = code if header is None else header
    lines = source.splitlines(keepends=True)
    count = 0
    while count < len(lines) and (lines[count].startswith("#") or not lines[count].strip()):
        count += 1
    head = "".join(lines[:count])
    rest = "".join(lines[count:]) if header is None else ""
    return head + addition + ("\n" + rest if rest else "")
