"""Schema evolution: compare SDL versions, name the operations a change breaks, introspect.

Used by ``debtcore schema diff|pull|check`` and ``make schema-update``. Needs graphql-core (the
``sandbox`` extra). How an operation is judged: ``_schema_impact``.

Exit codes of ``diff`` (``DiffReport.exit_code``):

- 0: nothing breaking or dangerous (safe additions included)
- 1: breaking changes that affect our operations
- 2: other breaking or dangerous changes
- 3: usage or input error (raised as ``SchemaToolError``)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, cast

import httpx
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_client_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_introspection_query,
    lexicographic_sort_schema,
    parse,
    print_schema,
    validate_schema,
)

from .._environment import SERVICES, Environment, Service
from ..errors import SchemaToolError
from ._schema_impact import Operation, Reason, operation_impact, operations_in, printed_default

__all__ = [
    "EXIT_AFFECTS_OPERATIONS",
    "EXIT_OK",
    "EXIT_OTHER_CHANGES",
    "EXIT_USAGE",
    "Change",
    "DiffReport",
    "ServiceDiff",
    "diff_schemas",
    "diff_service",
    "load_operations",
    "load_sdl",
    "packaged_sdl",
    "pull_schema",
    "schema_changes",
    "stable_sdl",
]

EXIT_OK: Final = 0
EXIT_AFFECTS_OPERATIONS: Final = 1
EXIT_OTHER_CHANGES: Final = 2
EXIT_USAGE: Final = 3

# The operation documents each generated package was built from (written by `make generate`).
OPERATIONS_FILE: Final = "operations.graphql"
_SERVICE_BY_NAME: Final[dict[str, Service]] = {s: s for s in SERVICES}

Severity = Literal["breaking", "dangerous"]


@dataclass(frozen=True)
class Change:
    """One schema change, and the operations it touches (operation name -> reason)."""

    severity: Severity
    kind: str
    description: str
    coordinate: str | None
    operations: dict[str, str] = field(default_factory=dict[str, str])

    def as_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "coordinate": self.coordinate,
            "description": self.description,
            "affected_operations": [
                {"operation": name, "reason": reason}
                for name, reason in sorted(self.operations.items())
            ],
        }


@dataclass(frozen=True)
class ServiceDiff:
    service: str
    changes: list[Change] = field(default_factory=list[Change])
    # operation name -> why it breaks against the new schema
    broken_operations: dict[str, list[str]] = field(default_factory=dict[str, list[str]])

    def of_severity(self, severity: Severity) -> list[Change]:
        return [c for c in self.changes if c.severity == severity]


@dataclass(frozen=True)
class DiffReport:
    services: list[ServiceDiff]
    operations_source: str

    @property
    def exit_code(self) -> int:
        if any(s.broken_operations for s in self.services):
            return EXIT_AFFECTS_OPERATIONS
        if any(s.changes for s in self.services):
            return EXIT_OTHER_CHANGES
        return EXIT_OK

    @property
    def verdict(self) -> str:
        return {
            EXIT_OK: "safe: nothing breaking or dangerous",
            EXIT_AFFECTS_OPERATIONS: "BREAKS OUR OPERATIONS: update the operations first",
            EXIT_OTHER_CHANGES: "breaking or dangerous changes that none of our operations use",
        }[self.exit_code]

    def to_json(self) -> str:
        return json.dumps(
            {
                "exit_code": self.exit_code,
                "verdict": self.verdict,
                "operations": self.operations_source,
                "services": [
                    {
                        "service": s.service,
                        "broken_operations": s.broken_operations,
                        "changes": [c.as_json() for c in s.changes],
                    }
                    for s in self.services
                ],
            },
            indent=2,
        )

    def to_text(self) -> str:
        lines = [f"operations: {self.operations_source}"]
        for s in self.services:
            if not (s.changes or s.broken_operations):
                lines.append(f"{s.service}: no breaking or dangerous changes")
                continue
            lines.append(f"{s.service}:")
            for name, reasons in sorted(s.broken_operations.items()):
                lines.append(f"  operation {name} breaks:")
                lines += [f"    - {reason}" for reason in reasons]
            for change in s.changes:
                lines.append(f"  {change.severity}: {change.description}")
                lines += [
                    f"    {name}: {reason}"
                    for name, reason in sorted(change.operations.items())
                    if name not in s.broken_operations
                ]
        lines.append(f"verdict: {self.verdict} (exit {self.exit_code})")
        return "\n".join(lines)


# What ``diff`` compares with when OLD is left out, and its report names as the source.
PACKAGED_SDL: Final = "the SDL alleviate_debtcore was generated from"


def packaged_sdl() -> dict[Service, str]:
    """The SDL this installed package was generated from (``alleviate_debtcore.schemas``)."""
    package = resources.files("alleviate_debtcore.schemas")
    return {s: (package / f"{s}.graphql").read_text(encoding="utf-8") for s in SERVICES}


def load_sdl(path: Path, what: str = "SDL") -> dict[Service, str]:
    """SDL per service from a ``<service>.graphql`` file or a folder of them."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.glob("*.graphql") if p.stem in SERVICES)
    else:
        # Relative paths are the usual mistake (`schemas` exists only in this repository).
        where = "" if path.is_absolute() else f" (looked in {Path.cwd()})"
        hint = f"; leave OLD out to compare with {PACKAGED_SDL}" if what == "OLD" else ""
        raise SchemaToolError(f"{what} {path} does not exist{where}{hint}")
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


def load_operations(queries: Path | None = None) -> tuple[dict[str, str], str]:
    """Operation documents per service, and where they came from.

    ``queries`` is a folder with one sub-folder of ``*.graphql`` per service (like the
    repository's ``queries/``). Without it: the documents this installed package was generated
    from, so the answer does not depend on the current directory.
    """
    if queries is None:
        package = resources.files("alleviate_debtcore.generated")
        installed: dict[str, str] = {
            service: (package / service / OPERATIONS_FILE).read_text(encoding="utf-8")
            for service in SERVICES
        }
        return installed, "the operations alleviate_debtcore was generated from"
    if not queries.is_dir():
        raise SchemaToolError(f"--queries {queries} is not a folder")
    documents: dict[str, str] = {
        service: "\n".join(
            p.read_text(encoding="utf-8") for p in sorted((queries / service).glob("*.graphql"))
        )
        for service in SERVICES
    }
    if not any(text.strip() for text in documents.values()):
        raise SchemaToolError(
            f"--queries {queries} holds no <service>/*.graphql operations ({', '.join(SERVICES)})"
        )
    return documents, str(queries)


def _build(service: str, which: str, sdl: str) -> GraphQLSchema:
    try:
        schema = build_schema(sdl)
    except GraphQLError as exc:
        raise SchemaToolError(f"{which} {service} schema does not parse: {exc.message}") from exc
    except TypeError as exc:  # graphql-core reports an invalid SDL document this way
        raise SchemaToolError(f"{which} {service} schema is not valid: {exc}") from exc
    problems = validate_schema(schema)
    if problems:
        details = "; ".join(p.message for p in problems[:3])
        raise SchemaToolError(f"{which} {service} schema is not valid: {details}")
    return schema


def _operations(service: str, text: str) -> list[Operation]:
    try:
        return operations_in(parse(text) if text.strip() else DocumentNode(definitions=()))
    except GraphQLError as exc:
        raise SchemaToolError(f"{service} operations do not parse: {exc.message}") from exc


# graphql-core describes changes in prose; these pull out the schema coordinate, in this order.
_COORDINATES: Final = [
    (re.compile(r"^(\w+)\.(\w+) arg (\w+) "), r"\1.\2(\3:)"),
    (re.compile(r"^An? (?:required|optional) arg (\w+) on (\w+)\.(\w+) "), r"\2.\3(\1:)"),
    (re.compile(r"^An? (?:required|optional) field (\w+) on input type (\w+) "), r"\2.\1"),
    (re.compile(r"^(\w+) was (?:removed from|added to) enum type (\w+)"), r"\2.\1"),
    (re.compile(r"^(\w+) added to interfaces implemented by (\w+)"), r"\2"),
    (re.compile(r"^(\w+)\.(\w+) "), r"\1.\2"),
    (re.compile(r"^(\w+) "), r"\1"),
]


def _coordinate(description: str) -> str | None:
    for pattern, template in _COORDINATES:
        match = pattern.match(description)
        if match:
            return match.expand(template)
    return None


def _input_default_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Input-field default changes, which graphql-core's change finders do not compare."""
    changes: list[Change] = []
    for name, before in old.type_map.items():
        after = new.type_map.get(name)
        if not (
            isinstance(before, GraphQLInputObjectType) and isinstance(after, GraphQLInputObjectType)
        ):
            continue
        for field_name, was in before.fields.items():
            now = after.fields.get(field_name)
            if now is None or was.default_value is Undefined:
                continue
            old_default = printed_default(was)
            new_default = printed_default(now)
            if old_default == new_default:
                continue
            coordinate = f"{name}.{field_name}"
            if now.default_value is Undefined:
                required = isinstance(now.type, GraphQLNonNull)
                changes.append(
                    Change(
                        "breaking" if required else "dangerous",
                        "INPUT_FIELD_DEFAULT_REMOVED",
                        f"{coordinate} defaultValue {old_default} was removed"
                        + (": the field is now required." if required else "."),
                        coordinate,
                    )
                )
            else:
                changes.append(
                    Change(
                        "dangerous",
                        "INPUT_FIELD_DEFAULT_CHANGED",
                        f"{coordinate} has changed defaultValue from {old_default} to "
                        f"{new_default}.",
                        coordinate,
                    )
                )
    return changes


def _now_required_argument(new: GraphQLSchema, coordinate: str | None) -> bool:
    match = re.fullmatch(r"(\w+)\.(\w+)\((\w+):\)", coordinate or "")
    owner = new.get_type(match[1]) if match else None
    if match is None or not isinstance(owner, GraphQLObjectType):
        return False
    field_def = owner.fields.get(match[2])
    argument = field_def.args.get(match[3]) if field_def else None
    return (
        argument is not None
        and isinstance(argument.type, GraphQLNonNull)
        and argument.default_value is Undefined
    )


def schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """graphql-core's breaking and dangerous changes, plus input-field default changes; an
    argument that loses its default and is non-null becomes required, which is breaking."""
    changes = [
        Change("breaking", c.type.name, c.description, _coordinate(c.description))
        for c in find_breaking_changes(old, new)
    ]
    for c in find_dangerous_changes(old, new):
        coordinate = _coordinate(c.description)
        required = c.description.endswith("defaultValue was removed.") and (
            _now_required_argument(new, coordinate)
        )
        description = (
            c.description[:-1] + ": the argument is now required." if required else (c.description)
        )
        changes.append(
            Change("breaking" if required else "dangerous", c.type.name, description, coordinate)
        )
    return changes + _input_default_changes(old, new)


def diff_service(
    service: str, before: GraphQLSchema, after: GraphQLSchema, operations: list[Operation]
) -> ServiceDiff:
    """One service's changes from ``before`` to ``after``, and which ``operations`` break."""
    changes = schema_changes(before, after)
    by_coordinate: dict[str, list[Change]] = {}
    for change in changes:
        if change.coordinate:
            by_coordinate.setdefault(change.coordinate, []).append(change)
    broken: dict[str, list[str]] = {}
    for operation in operations:
        reasons: list[Reason] = operation_impact(before, after, operation)
        for reason in reasons:
            for change in by_coordinate.get(reason.coordinate or "", ()):
                change.operations.setdefault(operation.name, reason.text)
        breaking = sorted({r.text for r in reasons if r.breaking})
        if breaking:
            broken[operation.name] = breaking
    return ServiceDiff(service, changes, broken)


def diff_schemas(old: Path | None, new: Path, *, queries: Path | None = None) -> DiffReport:
    """Compare OLD and NEW SDL (files or folders) service by service, judging the changes
    against ``queries`` (default: the operations this package was generated from). Without
    ``old``: NEW against the SDL this package was generated from, for the services NEW holds."""
    old_sdl = None if old is None else load_sdl(old, "OLD")
    new_sdl = load_sdl(new, "NEW")
    if old_sdl is None:
        old_sdl = {s: sdl for s, sdl in packaged_sdl().items() if s in new_sdl}
    if set(old_sdl) != set(new_sdl):
        raise SchemaToolError(
            f"OLD has {sorted(old_sdl)} and NEW has {sorted(new_sdl)}: compare the same services"
        )
    documents, source = load_operations(queries)
    services: list[ServiceDiff] = []
    for service in SERVICES:
        if service not in new_sdl:
            continue
        before = _build(service, "OLD", old_sdl[service])
        after = _build(service, "NEW", new_sdl[service])
        operations = _operations(service, documents[service])
        services.append(diff_service(service, before, after, operations))
    return DiffReport(services, source)


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
