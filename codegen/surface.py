# pyright: basic
# (ariadne-codegen ships no type information)
"""The public call surface the plugin generates for every operation.

For each operation the service client gets:

- ``<method>(...)``: checks the arguments (``alleviate_debtcore._arguments``) and hands the
  operation (a constant of ``_operations.py``, where each document is stored once) and its
  variables to ``self._call``, which sends them and returns the payload's data; for a connection
  (``edges``/``pageInfo``) a plain ``def`` returning an ``AsyncPager`` over ``_<method>``, which
  returns the payload;
- ``with_payload.<method>(...)``: one line, ``payload_method(<Client>.<method>, <Payload>)``: the
  same code run by a ``PayloadView`` whose ``_call`` returns the whole payload, typed through a
  ParamSpec so that pyright keeps every overload and reveals the payload type.

Arguments: when an operation takes exactly one non-null input object (``input``,
``updatedUWFields``), its fields are keyword arguments too (one overload each way, mutually
exclusive), unless a field's name collides with another argument or a per-call option. When one
value is required after that, it may be passed positionally. Inputs are typed as the model or its
generated ``<Input>Dict``; enums as the enum or its ``<Enum>Literal``. Per-call options
``timeout``, ``max_retries`` and ``extra_headers`` end every signature; nothing else is accepted.

Generated bodies stay mechanical (the sync face is derived from them, codegen/sync_face.py); the
logic lives in handwritten code (``alleviate_debtcore._base_client``).
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.utilities import type_from_ast

OPTIONS = ("timeout", "max_retries", "extra_headers")
OPTION_PARAMS = (
    "timeout: TimeoutOption = None",
    "max_retries: Optional[int] = None",
    "extra_headers: Optional[Mapping[str, str]] = None",
)
OPTION_ARGS = "timeout, max_retries, extra_headers"
_BUILTIN_SCALARS = {"String": "str", "ID": "str", "Int": "int", "Float": "float", "Boolean": "bool"}
_RUNTIME = "alleviate_debtcore"


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def param_name(python_name: str) -> str:
    """``zip_`` (a field named like a builtin) is passed as ``zip``, which is also its alias."""
    stripped = python_name.rstrip("_")
    return stripped if stripped and not keyword.iskeyword(stripped) else python_name


@dataclass
class Param:
    name: str
    annotation: str  # source, the type callers pass
    required: bool


@dataclass
class Variable:
    gql: str
    name: str
    type: GraphQLInputType
    annotation: str
    required: bool

    def check(self, value: str, fields: list[Param] | None = None) -> str:
        """The call that validates this variable's value in the generated method."""
        named = get_named_type(self.type)
        inner = self.type.of_type if isinstance(self.type, GraphQLNonNull) else self.type
        path = repr(self.name)
        if isinstance(named, GraphQLInputObjectType):
            if isinstance(inner, GraphQLList):
                return f"input_list_arg({path}, {named.name}, {value})"
            if fields is not None:
                given = ", ".join(f"{p.name!r}: {p.name}" for p in fields)
                return f"input_arg({path}, {named.name}, {value}, {{{given}}})"
            return f"input_arg({path}, {named.name}, {value})"
        if isinstance(named, GraphQLEnumType) and not isinstance(inner, GraphQLList):
            return f"enum_arg({path}, {named.name}, {value})"
        if named.name in _BUILTIN_SCALARS and not isinstance(inner, GraphQLList):
            return f"scalar_arg({path}, {value}, {_BUILTIN_SCALARS[named.name]})"
        return value


@dataclass
class Operation:
    method: str
    definition: OperationDefinitionNode
    root: GraphQLField
    query: ast.stmt  # ``query = gql("...")`` as ariadne built it
    result_class: str
    result_module: str
    docstring: str | None
    variables: list[Variable] = field(default_factory=list)
    flattened: Variable | None = None
    fields: list[Param] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)


class Surface:
    """Collects what the plugin hooks see and writes the surface into the generated modules."""

    def __init__(self, schema: GraphQLSchema, scalars: dict[str, str]) -> None:
        self.schema = schema
        self.scalars = scalars  # custom scalar -> "module.Name"
        self.input_fields: dict[str, list[tuple[str, str]]] = {}  # input -> [(gql, python)]
        self.operations: list[Operation] = []
        # result module -> (root field attribute, payload class, fragment the class aliases)
        self.payloads: dict[str, tuple[str, str, str | None]] = {}
        self.used_scalars: set[str] = set()
        self.typed_dicts: list[str] = []
        self.literals: list[str] = []

    # --- types -----------------------------------------------------------------------------------

    def user_type(self, gql_type: GraphQLInputType, *, quoted: bool = False) -> str:
        """What a caller may pass: a model or its TypedDict, an enum or its literal string."""
        nonnull = isinstance(gql_type, GraphQLNonNull)
        inner = gql_type.of_type if isinstance(gql_type, GraphQLNonNull) else gql_type
        if isinstance(inner, GraphQLList):
            text = f"Sequence[{self.user_type(inner.of_type, quoted=quoted)}]"
        elif isinstance(inner, GraphQLInputObjectType):
            names = (inner.name, f"{inner.name}Dict")
            text = "Union[{}, {}]".format(*(repr(n) if quoted else n for n in names))
        elif isinstance(inner, GraphQLEnumType):
            text = f"Union[{inner.name}, {inner.name}Literal]"
        else:
            assert isinstance(inner, GraphQLScalarType)
            text = self._scalar(inner.name)
        return text if nonnull else f"Optional[{text}]"

    def _scalar(self, name: str) -> str:
        if name in _BUILTIN_SCALARS:
            return _BUILTIN_SCALARS[name]
        if name in self.scalars:
            self.used_scalars.add(name)
            return self.scalars[name].rsplit(".", 1)[1]
        return "Any"

    def scalar_imports(self) -> list[ast.stmt]:
        imports: list[ast.stmt] = []
        for name in sorted(self.used_scalars):
            module, _, attr = self.scalars[name].rpartition(".")
            imports.append(ast.ImportFrom(module, [ast.alias(attr)], 0))
        return imports

    # --- inputs and enums ------------------------------------------------------------------------

    def input_class(
        self, class_def: ast.ClassDef, input_type: GraphQLInputObjectType, enums: set[str]
    ) -> ast.ClassDef:
        """Inputs derive from ``InputModel``; their enum fields accept only known values."""
        class_def.bases = [ast.Name("InputModel")]
        assigns = [s for s in class_def.body if isinstance(s, ast.AnnAssign)]
        names = [a.target.id for a in assigns if isinstance(a.target, ast.Name)]
        self.input_fields[input_type.name] = list(zip(input_type.fields, names, strict=True))
        for assign in assigns:
            assign.annotation = _KnownEnums(enums).visit(assign.annotation)
        return class_def

    def typed_dict(self, name: str) -> ast.ClassDef:
        """``<Input>Dict``: the input's fields as a TypedDict (snake_case keys pyright checks)."""
        input_type = self.schema.type_map[name]
        assert isinstance(input_type, GraphQLInputObjectType)
        lines = [f"class {name}Dict(TypedDict, total=False):"]
        lines.append(
            f'    """``{name}`` as a dict: the same snake_case keys, checked by type checkers."""'
        )
        for gql_name, python in self.input_fields[name]:
            gql_field = input_type.fields[gql_name]
            annotation = self.user_type(gql_field.type, quoted=True)
            wrapper = "Required" if isinstance(gql_field.type, GraphQLNonNull) else "NotRequired"
            lines.append(f"    {param_name(python)}: {wrapper}[{annotation}]")
        return _parse(lines)[0]  # type: ignore[return-value]

    def inputs_module(self, module: ast.Module) -> ast.Module:
        classes = [s.name for s in module.body if isinstance(s, ast.ClassDef)]
        module.body.extend(self.typed_dict(name) for name in classes)
        self.typed_dicts = [f"{name}Dict" for name in classes]
        enums = sorted(
            n
            for n, t in self.schema.type_map.items()
            if isinstance(t, GraphQLEnumType) and not n.startswith("__")
        )
        module.body[0:0] = [
            ast.ImportFrom(
                "typing",
                [
                    ast.alias(n)
                    for n in (
                        "Annotated",
                        "Any",
                        "NotRequired",
                        "Optional",
                        "Required",
                        "Sequence",
                        "TypedDict",
                        "Union",
                    )
                ],
                0,
            ),
            ast.ImportFrom(
                f"{_RUNTIME}._models", [ast.alias("InputModel"), ast.alias("KnownValue")], 0
            ),
        ]
        if enums:
            module.body.insert(
                2,
                ast.ImportFrom(
                    "enums",
                    [ast.alias(n) for n in enums] + [ast.alias(f"{n}Literal") for n in enums],
                    1,
                ),
            )
        return module

    def enums_module(self, module: ast.Module) -> ast.Module:
        """Each enum gets ``<Enum>Literal``: its values as a ``Literal`` type."""
        aliases: list[ast.stmt] = []
        for statement in module.body:
            if isinstance(statement, ast.ClassDef):
                values = [
                    repr(s.value.value)
                    for s in statement.body
                    if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)
                ]
                aliases += _parse([f"{statement.name}Literal = Literal[{', '.join(values)}]"])
                self.literals.append(f"{statement.name}Literal")
        module.body.insert(0, ast.ImportFrom("typing", [ast.alias("Literal")], 0))
        module.body.extend(aliases)
        return module

    def init_imports(self, client_name: str) -> list[ast.stmt]:
        """What the package's ``__init__`` adds to ariadne's exports."""
        imports: list[ast.stmt] = [
            ast.ImportFrom("client", [ast.alias(f"{client_name}WithPayload")], 1)
        ]
        if self.typed_dicts:
            imports.append(
                ast.ImportFrom("input_types", [ast.alias(n) for n in self.typed_dicts], 1)
            )
        if self.literals:
            imports.append(ast.ImportFrom("enums", [ast.alias(n) for n in self.literals], 1))
        return imports

    # --- operations ------------------------------------------------------------------------------

    def add_operation(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        definition: OperationDefinitionNode,
        result_class: str,
        docstring: str | None,
    ) -> None:
        root_type = (
            self.schema.mutation_type
            if definition.operation is OperationType.MUTATION
            else self.schema.query_type
        )
        first = definition.selection_set.selections[0]
        assert root_type is not None and hasattr(first, "name")
        query = next(
            s
            for s in method_def.body
            if isinstance(s, ast.Assign)
            and isinstance(s.targets[0], ast.Name)
            and s.targets[0].id == "query"
        )
        names = _variable_names(method_def)
        operation = Operation(
            method=method_def.name,
            definition=definition,
            root=root_type.fields[first.name.value],  # type: ignore[attr-defined]
            query=query,
            result_class=result_class,
            result_module=method_def.name,
            docstring=docstring,
        )
        for node in definition.variable_definitions:
            gql_type = type_from_ast(self.schema, node.type)
            assert gql_type is not None
            operation.variables.append(
                Variable(
                    gql=node.variable.name.value,
                    name=names[node.variable.name.value],
                    type=gql_type,  # type: ignore[arg-type]
                    annotation=self.user_type(gql_type),  # type: ignore[arg-type]
                    required=isinstance(gql_type, GraphQLNonNull),
                )
            )
        self._flatten(operation)
        self.operations.append(operation)

    def _flatten(self, operation: Operation) -> None:
        candidates = [
            v
            for v in operation.variables
            if isinstance(v.type, GraphQLNonNull)
            and isinstance(v.type.of_type, GraphQLInputObjectType)
        ]
        if len(candidates) != 1:
            return
        (variable,) = candidates
        input_type = variable.type.of_type  # type: ignore[union-attr]
        fields = [
            Param(
                param_name(python),
                self.user_type(input_type.fields[gql_name].type),
                isinstance(input_type.fields[gql_name].type, GraphQLNonNull),
            )
            for gql_name, python in self.input_fields[input_type.name]
        ]
        taken = {v.name for v in operation.variables} | set(OPTIONS) | {"self"}
        operation.collisions = sorted({p.name for p in fields} & taken)
        if not operation.collisions:
            operation.flattened = variable
            operation.fields = fields

    def payload_class(
        self, module: str, attribute: str, payload: str, fragment: str | None
    ) -> None:
        self.payloads[module] = (attribute, payload, fragment)

    # --- the client module -----------------------------------------------------------------------

    def client_module(self, module: ast.Module, client_name: str) -> ast.Module:
        """ariadne's client module, rewritten: ``<Service>Client`` with the public methods and
        ``<Service>ClientWithPayload`` binding each of them (see the module docstring)."""
        twin_name = f"{client_name}WithPayload"
        client = _parse(
            [
                f"class {client_name}(ServiceClient):",
                "    @cached_property",
                f'    def with_payload(self) -> "{twin_name}":',
                '        """The same methods, returning each operation\'s whole payload:',
                "        ``.data``, ``.errors`` (findings, warnings) and ``.request_id``; payload",
                '        errors are not raised."""',
                f"        return {twin_name}(self)",
            ]
        )[0]
        twin = _parse(
            [
                f"class {twin_name}(PayloadView):",
                f'    """``{client_name}``\'s methods, returning the whole payload."""',
            ]
        )[0]
        assert isinstance(client, ast.ClassDef) and isinstance(twin, ast.ClassDef)
        imports: list[ast.stmt] = []
        input_names: set[str] = set()
        enum_names: set[str] = set()
        constants = {o.method.upper() for o in self.operations}  # in _operations.py
        for operation in sorted(self.operations, key=lambda o: o.method):
            payload, nullable, data, node = self._result_types(operation, imports)
            client.body += self._methods(operation, payload, nullable, data, node)
            source = f"_{operation.method}" if node is not None else operation.method
            flag = ", nullable=True" if nullable else ""
            twin.body += _parse(
                [f"{operation.method} = payload_method({client_name}.{source}, {payload}{flag})"]
            )
            for variable in operation.variables:
                named = get_named_type(variable.type)
                if isinstance(named, GraphQLInputObjectType):
                    input_names.add(named.name)
                if isinstance(named, GraphQLEnumType):
                    enum_names.add(named.name)
            if operation.flattened is not None:
                flat_type = get_named_type(operation.flattened.type)
                for gql_name, _ in self.input_fields[flat_type.name]:
                    named = get_named_type(flat_type.fields[gql_name].type)  # type: ignore[union-attr]
                    if isinstance(named, GraphQLInputObjectType):
                        input_names.add(named.name)
                    if isinstance(named, GraphQLEnumType):
                        enum_names.add(named.name)
        header = [
            ast.ImportFrom("collections.abc", [ast.alias("Mapping"), ast.alias("Sequence")], 0),
            ast.ImportFrom("functools", [ast.alias("cached_property")], 0),
            ast.ImportFrom(
                "typing", [ast.alias(n) for n in ("Any", "Optional", "Union", "overload")], 0
            ),
            ast.ImportFrom(
                f"{_RUNTIME}._arguments",
                [ast.alias(n) for n in ("enum_arg", "input_arg", "input_list_arg", "scalar_arg")],
                0,
            ),
            ast.ImportFrom(
                f"{_RUNTIME}._base_client",
                [
                    ast.alias(n)
                    for n in ("PayloadView", "ServiceClient", "TimeoutOption", "payload_method")
                ],
                0,
            ),
            ast.ImportFrom(f"{_RUNTIME}._pagination", [ast.alias("AsyncPager")], 0),
            *self.scalar_imports(),
            ast.ImportFrom(OPERATIONS_MODULE, [ast.alias(n) for n in sorted(constants)], 1),
            ast.ImportFrom("base_model", [ast.alias("UNSET"), ast.alias("UnsetType")], 1),
        ]
        if input_names:
            header.append(
                ast.ImportFrom(
                    "input_types",
                    [ast.alias(n) for n in sorted(input_names)]
                    + [ast.alias(f"{n}Dict") for n in sorted(input_names)],
                    1,
                )
            )
        if enum_names:
            header.append(
                ast.ImportFrom(
                    "enums",
                    [ast.alias(n) for n in sorted(enum_names)]
                    + [ast.alias(f"{n}Literal") for n in sorted(enum_names)],
                    1,
                )
            )
        module.body = [*header, *imports, client, twin]
        clashes = constants & (input_names | enum_names | {f"{n}Literal" for n in enum_names})
        assert not clashes, f"operation constants clash with schema names: {sorted(clashes)}"
        return module

    def operations_source(self, header: str) -> str:
        """``_operations.py``: every operation's name, result model and document; each fragment
        is written once and joined into the documents that use it (``document``)."""
        fragments: dict[str, str] = {}
        lines = [
            header,
            '"""This service\'s operations: each one\'s name, result model and document (the',
            "operation, then the fragments it uses, each written once in ``_FRAGMENTS``). Both",
            "faces (client.py, sync_client.py) send these; generated/operations.json hashes each",
            'document."""',
            "",
            f"from {_RUNTIME}._base_client import Operation",
        ]
        for operation in sorted(self.operations, key=lambda o: o.result_module):
            lines.append(f"from .{operation.result_module} import {operation.result_class}")
        operations: list[str] = []
        for operation in sorted(self.operations, key=lambda o: o.method):
            head, *used = _document_parts(operation)
            for text in used:
                name = text.split()[1]
                assert fragments.setdefault(name, text) == text, f"two texts of fragment {name}"
            field_name = self.payloads[operation.result_module][0]
            operations += [
                f"{operation.method.upper()} = Operation(",
                f'    {operation.result_class}, {field_name!r}, """{head}""", _FRAGMENTS',
                ")",
            ]
        lines += ["", "_FRAGMENTS = {"]
        lines += [f'    {name!r}: """{text}""",' for name, text in sorted(fragments.items())]
        lines += ["}", ""]
        return "\n".join([*lines, *operations, ""])

    def _result_types(
        self, operation: Operation, imports: list[ast.stmt]
    ) -> tuple[str, bool, str, str | None]:
        """The payload class, whether the payload may be null, the data type (source) and, for a
        connection, the node class."""
        _, payload, fragment = self.payloads[operation.result_module]
        imports.append(ast.ImportFrom(operation.result_module, [ast.alias(payload)], 1))
        base, base_module = (
            (fragment, "fragments") if fragment else (payload, operation.result_module)
        )
        payload_type = get_named_type(operation.root.type)
        assert isinstance(payload_type, GraphQLObjectType), operation.method
        data_field = payload_type.fields["data"]
        data_type = get_named_type(data_field.type)
        node: str | None = None
        if isinstance(data_type, GraphQLObjectType):
            data_class = f"{base}Data"
            imports.append(ast.ImportFrom(base_module, [ast.alias(data_class)], 1))
            if {"edges", "pageInfo", "totalCount"} <= set(data_type.fields):
                node = f"{data_class}EdgesNode"
                imports.append(ast.ImportFrom(base_module, [ast.alias(node)], 1))
        else:
            data_class = (
                self._scalar(data_type.name)
                if isinstance(data_type, GraphQLScalarType)
                else data_type.name
            )
        data = _output_type(data_field.type, data_class, outer=True)
        # The schema may let the root field be null.
        return payload, not isinstance(operation.root.type, GraphQLNonNull), data, node

    # --- method sources --------------------------------------------------------------------------

    def _signature(self, operation: Operation, *, form: str) -> list[str]:
        """Parameter sources after ``self``. ``form``: "flat" or "model" (overloads), "impl"."""
        flattened = operation.flattened
        params: list[Param] = []
        for variable in operation.variables:
            if variable is flattened and form in ("flat", "impl"):
                params += operation.fields
            if variable is not flattened or form in ("model", "impl"):
                params.append(Param(variable.name, variable.annotation, variable.required))
        lone = self._lone(operation) if form != "model" else None
        out: list[str] = []
        if lone is not None:
            if form == "impl" and flattened is not None:
                out.append(f"{lone.name}: Union[{lone.annotation}, UnsetType] = UNSET")
            else:
                out.append(f"{lone.name}: {lone.annotation}")
        out.append("*")
        for param in params:
            if lone is not None and param.name == lone.name:
                continue
            optional = not param.required or (
                form == "impl"
                and flattened is not None
                and (param in operation.fields or param.name == flattened.name)
            )
            if not optional:
                out.append(f"{param.name}: {param.annotation}")
            elif form == "impl" or flattened is None:
                out.append(f"{param.name}: Union[{param.annotation}, UnsetType] = UNSET")
            else:
                out.append(f"{param.name}: {param.annotation} = ...")
        return [*out, *OPTION_PARAMS]

    @staticmethod
    def _lone(operation: Operation) -> Param | None:
        required = [p for p in operation.fields if p.required] + [
            Param(v.name, v.annotation, True)
            for v in operation.variables
            if v.required and v is not operation.flattened
        ]
        return required[0] if len(required) == 1 else None

    def _defs(
        self,
        operation: Operation,
        returns: str,
        body: list[str],
        *,
        name: str | None = None,
        is_async: bool = True,
        docstring: str | None = None,
    ) -> list[ast.stmt]:
        prefix = "async def" if is_async else "def"
        name = name or operation.method
        lines: list[str] = []
        if operation.flattened is not None:
            for form in ("flat", "model"):
                params = ", ".join(["self", *self._signature(operation, form=form)])
                lines += ["@overload", f"{prefix} {name}({params}) -> {returns}: ..."]
        params = ", ".join(["self", *self._signature(operation, form="impl")])
        lines.append(f"{prefix} {name}({params}) -> {returns}:")
        if docstring:
            lines.append(f"    {_docstring_source(docstring)}")
        lines += [f"    {line}" for line in body]
        return _parse(lines)

    def _methods(
        self, operation: Operation, payload: str, nullable: bool, data: str, node: str | None
    ) -> list[ast.stmt]:
        """The public method; for a connection, the pager and the payload fetcher it pages."""
        entries = []
        for variable in operation.variables:
            fields = operation.fields if variable is operation.flattened else None
            entries.append(f"{variable.gql!r}: {variable.check(variable.name, fields)}")
        # The variables first: the call then fits on one line.
        variables = f"variables = {{{', '.join(entries)}}}"
        arguments = f"{operation.method.upper()}, variables, {OPTION_ARGS}"
        if node is None:
            body = [variables, f"return await self._call({arguments})"]
            return self._defs(operation, data, body, docstring=operation.docstring)
        pager_arguments = ", ".join(
            [
                *(f"{v.name!r}: {v.name}" for v in operation.variables),
                *(f"{o!r}: {o}" for o in OPTIONS),
            ]
        )
        pager = self._defs(
            operation,
            f"AsyncPager[{node}, {data}]",
            [f"return AsyncPager(self._{operation.method}, {{{pager_arguments}}})"],
            is_async=False,
            docstring=_pager_doc(operation.docstring),
        )
        fetch = f"return await self._call_for_payload({arguments})"
        returns = f"Optional[{payload}]" if nullable else payload
        fetcher = self._defs(
            operation,
            returns,
            [variables, fetch],
            name=f"_{operation.method}",
            docstring=operation.docstring,
        )
        return pager + fetcher


OPERATIONS_MODULE = "_operations"


def _document_parts(operation: Operation) -> list[str]:
    """The operation's document as ariadne built it, split: the operation, then each fragment."""
    assert isinstance(operation.query, ast.Assign) and isinstance(operation.query.value, ast.Call)
    lines = operation.query.value.args[0]  # ariadne's line constants, in a plain list
    document = "".join(line.value for line in lines)  # type: ignore[union-attr]
    assert '"""' not in document and "\\" not in document  # written as a \"\"\"...\"\"\" literal
    return re.split(r"\n\n(?=fragment )", document.strip("\n"))


class _KnownEnums(ast.NodeTransformer):
    """``SomeEnum`` -> ``Annotated[SomeEnum, KnownValue]`` inside an input field's annotation."""

    def __init__(self, enums: set[str]) -> None:
        self.enums = enums

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id.strip('"') in self.enums:
            return ast.Subscript(ast.Name("Annotated"), ast.Tuple([node, ast.Name("KnownValue")]))
        return node


def _output_type(gql_type: object, named: str, *, outer: bool = False) -> str:
    nonnull = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if isinstance(gql_type, GraphQLNonNull) else gql_type
    if isinstance(inner, GraphQLList):
        text = f"list[{_output_type(inner.of_type, named)}]"
    else:
        text = named
    return text if nonnull or outer else f"Optional[{text}]"


def _variable_names(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """GraphQL variable name -> Python argument name, from ariadne's ``variables`` dict."""
    for statement in method_def.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.value, ast.Dict):
            return {
                str(k.value): v.id
                for k, v in zip(statement.value.keys, statement.value.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(v, ast.Name)
            }
    return {}


def _docstring_source(text: str) -> str:
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'


# How a pager is used, per face (codegen/sync_face.py swaps one for the other).
PAGER_DOC = (
    "``await`` it for one page (``nodes``, ``page_info``, ``total_count``); ``async for``\n"
    "over it for every node, following the cursors.\n"
)
SYNC_PAGER_DOC = (
    "``.first_page()`` for one page (``nodes``, ``page_info``, ``total_count``); ``for``\n"
    "over it for every node, following the cursors.\n"
)


def _pager_doc(docstring: str | None) -> str:
    return f"{docstring}\n{PAGER_DOC}" if docstring else PAGER_DOC


def _parse(lines: list[str]) -> list[ast.stmt]:
    return ast.parse("\n".join(lines)).body
