"""Edit an SDL document the way a schema change would: by type and field name, not by text.

``Sdl(text)`` parses; the methods change the syntax tree in place; ``str()`` prints it back.
"""

from __future__ import annotations

from typing import Any, cast

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    NamedTypeNode,
    NameNode,
    Node,
    UnionTypeDefinitionNode,
    parse,
    parse_type,
    parse_value,
    print_ast,
)


class Sdl:
    def __init__(self, text: str) -> None:
        self.document: DocumentNode = parse(text)

    def __str__(self) -> str:
        return print_ast(self.document) + "\n"

    def _type(self, name: str) -> Any:
        for definition in self.document.definitions:
            if getattr(definition, "name", None) and cast(Any, definition).name.value == name:
                return definition
        raise KeyError(f"no type {name}")

    def _field(self, type_name: str, field: str) -> Any:
        for node in self._type(type_name).fields:
            if node.name.value == field:
                return node
        raise KeyError(f"no field {type_name}.{field}")

    def _argument(self, type_name: str, field: str, argument: str) -> Any:
        for node in self._field(type_name, field).arguments:
            if node.name.value == argument:
                return node
        raise KeyError(f"no argument {type_name}.{field}({argument}:)")

    # Fields of object, interface and input types.
    def remove_field(self, type_name: str, field: str) -> Sdl:
        definition = self._type(type_name)
        self._field(type_name, field)
        definition.fields = tuple(f for f in definition.fields if f.name.value != field)
        return self

    def add_field(self, type_name: str, sdl: str) -> Sdl:
        definition = self._type(type_name)
        keyword = "input" if "Input" in type(definition).__name__ else "type"
        new = cast(Any, parse(f"{keyword} T {{ {sdl} }}").definitions[0]).fields[0]
        definition.fields = (*definition.fields, new)
        return self

    def set_type(self, type_name: str, field: str, sdl_type: str) -> Sdl:
        self._field(type_name, field).type = parse_type(sdl_type)
        return self

    def set_default(self, type_name: str, field: str, value: str | None) -> Sdl:
        """An input field's default value (None removes it)."""
        self._field(type_name, field).default_value = parse_value(value) if value else None
        return self

    # Arguments.
    def remove_argument(self, type_name: str, field: str, argument: str) -> Sdl:
        node = self._field(type_name, field)
        self._argument(type_name, field, argument)
        node.arguments = tuple(a for a in node.arguments if a.name.value != argument)
        return self

    def add_argument(self, type_name: str, field: str, sdl: str) -> Sdl:
        node = self._field(type_name, field)
        new = cast(Any, parse(f"type T {{ f({sdl}): Int }}").definitions[0]).fields[0]
        node.arguments = (*node.arguments, *new.arguments)
        return self

    def set_argument_type(self, type_name: str, field: str, argument: str, sdl_type: str) -> Sdl:
        self._argument(type_name, field, argument).type = parse_type(sdl_type)
        return self

    def set_argument_default(
        self, type_name: str, field: str, argument: str, value: str | None
    ) -> Sdl:
        node = self._argument(type_name, field, argument)
        node.default_value = parse_value(value) if value else None
        return self

    def remove_type(self, name: str) -> Sdl:
        self._type(name)
        self.document.definitions = tuple(
            d
            for d in self.document.definitions
            if getattr(d, "name", None) is None or cast(Any, d).name.value != name
        )
        return self

    # Enums, unions, type names.
    def remove_enum_value(self, enum: str, value: str) -> Sdl:
        definition = self._type(enum)
        assert isinstance(definition, EnumTypeDefinitionNode)
        assert any(v.name.value == value for v in definition.values or ()), value
        definition.values = tuple(v for v in definition.values or () if v.name.value != value)
        return self

    def add_enum_value(self, enum: str, value: str) -> Sdl:
        definition = self._type(enum)
        extra = cast(Any, parse(f"enum T {{ {value} }}").definitions[0]).values
        definition.values = (*definition.values, *extra)
        return self

    def remove_union_member(self, union: str, member: str) -> Sdl:
        definition = self._type(union)
        assert isinstance(definition, UnionTypeDefinitionNode)
        definition.types = tuple(t for t in definition.types or () if t.name.value != member)
        return self

    def rename_type(self, old: str, new: str) -> Sdl:
        """Rename a type and every reference to it."""
        self._type(old)

        def walk(node: Node) -> None:
            for key in node.keys:
                value = getattr(node, key, None)
                children = value if isinstance(value, tuple | list) else (value,)
                for child in children:
                    if isinstance(child, NameNode) and child.value == old:
                        if isinstance(node, NamedTypeNode) or (key == "name" and _is_type(node)):
                            setattr(node, key, NameNode(value=new))
                    elif isinstance(child, Node):
                        walk(child)

        walk(self.document)
        return self


def _is_type(node: Node) -> bool:
    return type(node).__name__.endswith("TypeDefinitionNode")
