"""Schema evolution: compare SDL versions, find which of our operations break, introspect.

Used by ``debtcore schema diff|pull|check``. Needs graphql-core (the ``sandbox`` extra).

Exit codes of ``diff`` (``DiffReport.exit_code``):

- 0: nothing breaking or dangerous (safe additions included)
- 1: breaking changes that affect our operations (an operation no longer validates)
- 2: other breaking or dangerous changes
- 3: usage or input error (raised as ``SchemaToolError``)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import httpx
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_introspection_query,
    lexicographic_sort_schema,
    parse,
    print_schema,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor
from graphql.utilities import TypeInfo, TypeInfoVisitor
from graphql.validation import NoUnusedFragmentsRule

from .._environment import SERVICES, Environment, Service
from ..errors import SchemaToolError

__all__ = [
    "EXIT_AFFECTS_OPERATIONS",
    "EXIT_OK",
    "EXIT_OTHER_CHANGES",
    "EXIT_USAGE",
    "DiffReport",
    "ServiceDiff",
    "diff_schemas",
    "load_sdl",
    "pull_schema",
    "stable_sdl",
]

EXIT_OK: Final = 0
EXIT_AFFECTS_OPERATIONS: Final = 1
EXIT_OTHER_CHANGES: Final = 2
EXIT_USAGE: Final = 3

# ariadne-codegen validates with every rule but this one (fragments live in a shared file).
_SERVICE_BY_NAME: Final[dict[str, Service]] = {s: s for s in SERVICES}
_RULES: Final = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


@dataclass(frozen=True)
class ServiceDiff:
    service: str
    breaking: list[str] = field(default_factory=list[str])
    dangerous: list[str] = field(default_factory=list[str])
    # operation name -> why it no longer validates against the new schema
    broken_operations: dict[str, list[str]] = field(default_factory=dict[str, list[str]])


@dataclass(frozen=True)
class DiffReport:
    services: list[ServiceDiff]

    @property
    def exit_code(self) -> int:
        if any(s.broken_operations for s in self.services):
            return EXIT_AFFECTS_OPERATIONS
        if any(s.breaking or s.dangerous for s in self.services):
            return EXIT_OTHER_CHANGES
        return EXIT_OK

    @property
    def verdict(self) -> str:
        return {
            EXIT_OK: "safe: nothing breaking or dangerous",
            EXIT_AFFECTS_OPERATIONS: "BREAKS OUR OPERATIONS: update queries/ before regenerating",
            EXIT_OTHER_CHANGES: "breaking or dangerous changes that none of our operations use",
        }[self.exit_code]

    def to_json(self) -> str:
        return json.dumps(
            {
                "exit_code": self.exit_code,
                "verdict": self.verdict,
                "services": [
                    {
                        "service": s.service,
                        "breaking": s.breaking,
                        "dangerous": s.dangerous,
                        "broken_operations": s.broken_operations,
                    }
                    for s in self.services
                ],
            },
            indent=2,
        )

    def to_text(self) -> str:
        lines: list[str] = []
        for s in self.services:
            if not (s.breaking or s.dangerous or s.broken_operations):
                lines.append(f"{s.service}: no breaking or dangerous changes")
                continue
            lines.append(f"{s.service}:")
            for name, reasons in sorted(s.broken_operations.items()):
                lines.append(f"  operation {name} no longer validates:")
                lines += [f"    - {reason}" for reason in reasons]
            lines += [f"  breaking: {change}" for change in s.breaking]
            lines += [f"  dangerous: {change}" for change in s.dangerous]
        lines.append(f"verdict: {self.verdict} (exit {self.exit_code})")
        return "\n".join(lines)


def load_sdl(path: Path) -> dict[Service, str]:
    """SDL per service from a ``<service>.graphql`` file or a folder of them."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.glob("*.graphql") if p.stem in SERVICES)
    else:
        raise SchemaToolError(f"{path} does not exist")
    found: dict[Service, str] = {}
    for file in files:
        service = _SERVICE_BY_NAME.get(file.stem)
        if service is None:
            raise SchemaToolError(
                f"{file.name}: name SDL files after their service ({', '.join(SERVICES)})"
            )
        found[service] = file.read_text(encoding="utf-8")
    if not found:
        raise SchemaToolError(f"{path} holds no <service>.graphql file ({', '.join(SERVICES)})")
    return found


def _build(service: str, which: str, sdl: str) -> GraphQLSchema:
    try:
        return build_schema(sdl)
    except GraphQLError as exc:
        raise SchemaToolError(f"{which} {service} schema does not parse: {exc.message}") from exc


def _operations(queries: Path) -> tuple[list[OperationDefinitionNode], DocumentNode]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(queries.glob("*.graphql")))
    document = parse(text) if text.strip() else DocumentNode(definitions=())
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operations, document


def _selected_fields(schema: GraphQLSchema, document: DocumentNode) -> set[str]:
    """``Type.field`` coordinates a document selects, resolved against ``schema``."""
    type_info = TypeInfo(schema)
    found: set[str] = set()

    class Collector(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                found.add(f"{parent.name}.{node.name.value}")

    visit(document, TypeInfoVisitor(type_info, Collector()))
    return found


# "Type.field changed type from X to Y." and the like: the coordinate a change is about.
_COORDINATE = re.compile(r"^(\w+)\.(\w+)\b")


def _broken(
    before: GraphQLSchema, after: GraphQLSchema, breaking: list[str], queries: Path
) -> dict[str, list[str]]:
    """Operations that no longer validate against ``after``, or whose selected fields changed
    type (they still validate, but the generated models would reject the new responses)."""
    operations, document = _operations(queries)
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    broken: dict[str, list[str]] = {}
    for operation in operations:
        single = DocumentNode(definitions=(operation, *fragments))
        reasons = {error.message for error in validate(after, single, _RULES)}
        selected = _selected_fields(before, single)
        for change in breaking:
            match = _COORDINATE.match(change.split(": ", 1)[1])
            if match and f"{match[1]}.{match[2]}" in selected:
                reasons.add(change.split(": ", 1)[1])
        if reasons:
            name = operation.name.value if operation.name else "<anonymous>"
            broken[name] = sorted(reasons)
    return broken


def diff_schemas(old: Path, new: Path, *, queries: Path) -> DiffReport:
    """Compare OLD and NEW SDL (files or folders) service by service."""
    old_sdl, new_sdl = load_sdl(old), load_sdl(new)
    if set(old_sdl) != set(new_sdl):
        raise SchemaToolError(
            f"OLD has {sorted(old_sdl)} and NEW has {sorted(new_sdl)}: compare the same services"
        )
    services: list[ServiceDiff] = []
    for service in SERVICES:
        if service not in new_sdl:
            continue
        before = _build(service, "OLD", old_sdl[service])
        after = _build(service, "NEW", new_sdl[service])
        breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(before, after)]
        services.append(
            ServiceDiff(
                service=service,
                breaking=breaking,
                dangerous=[
                    f"{c.type.name}: {c.description}" for c in find_dangerous_changes(before, after)
                ],
                broken_operations=_broken(before, after, breaking, queries / service),
            )
        )
    return DiffReport(services)


def stable_sdl(schema: GraphQLSchema) -> str:
    """Deterministic SDL: types and fields sorted, so one schema always gives the same bytes."""
    return print_schema(lexicographic_sort_schema(schema)) + "\n"


async def pull_schema(
    client: httpx.AsyncClient, environment: Environment, service: Service, auth: httpx.Auth
) -> GraphQLSchema:
    """Introspect one service with a bearer token."""
    url = environment.url(service)
    response = await client.post(
        url,
        json={
            "query": get_introspection_query(descriptions=True, input_value_deprecation=True),
            "operationName": "IntrospectionQuery",
        },
        headers={"apollo-require-preflight": "1"},
        auth=auth,
    )
    try:
        parsed: object = response.json()
    except ValueError:
        parsed = None
    body = cast(dict[str, Any], parsed) if isinstance(parsed, dict) else {}
    data: object = body.get("data")
    if response.status_code != 200 or not isinstance(data, dict) or "__schema" not in data:
        errors: object = body.get("errors")
        detail = ""
        if isinstance(errors, list) and errors:
            first = cast(list[object], errors)[0]
            if isinstance(first, dict):
                detail = f": {cast(dict[str, object], first).get('message', '')}"
        raise SchemaToolError(
            f"{service} ({url}) refused introspection (HTTP {response.status_code}{detail}). "
            "The live Debt Core endpoints disable it: ask Alleviate for the SDL files and run "
            "`make schema-update SDL=<folder>` instead."
        )
    return build_client_schema(cast(Any, data))
