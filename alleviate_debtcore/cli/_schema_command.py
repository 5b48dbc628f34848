"""``debtcore schema pull|diff|check``: keep schemas/ and the generated client in step with the API.

Exit codes of ``diff`` (and ``check``): 0 nothing breaking or dangerous, 1 breaking changes that
affect our operations, 2 other breaking or dangerous changes, 3 usage or input error.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import httpx

from .._client import AsyncDebtCore
from .._environment import SERVICES, Service
from ..errors import DebtCoreError, SchemaToolError
from . import Command
from ._argparse_helpers import HelpFormatter
from ._schema import (
    EXIT_OK,
    EXIT_USAGE,
    diff_schemas,
    pull_schema,
    stable_sdl,
)


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    pull = actions.add_parser(
        "pull",
        help="introspect services and write their SDL",
        description="Introspect each service with a token from ALLEVIATE_CLIENT_ID/_SECRET and "
        "write deterministic SDL. The live endpoints refuse introspection; the sandbox allows it.",
        formatter_class=HelpFormatter,
    )
    pull.add_argument("--service", choices=(*SERVICES, "all"), default="all")
    pull.add_argument(
        "--environment",
        choices=("sandbox", "production"),
        default=None,
        help="default: $ALLEVIATE_ENVIRONMENT; $ALLEVIATE_BASE_URL wins when set",
    )
    pull.add_argument("--out", type=Path, default=Path("schemas-pulled"), help="output folder")
    pull.set_defaults(_action=_pull)

    diff = actions.add_parser(
        "diff",
        help="report changes between two SDL versions and the operations they break",
        description="Compare OLD and NEW SDL service by service and name the operations each "
        "change breaks, by their documents or their variables. Exit codes: 0 nothing breaking "
        "or dangerous; 1 breaks our operations; 2 other breaking or dangerous changes; 3 usage "
        "or input error.",
        formatter_class=HelpFormatter,
    )
    # OLD is optional so that an application folder, which has no schemas/, can judge new SDL
    # against the SDL shipped in the installed package.
    diff.add_argument(
        "old",
        type=Path,
        nargs="?",
        help="<service>.graphql file or folder of them (default: the SDL this package was "
        "generated from)",
    )
    diff.add_argument("new", type=Path, help="<service>.graphql file or folder of them")
    diff.add_argument(
        "--queries",
        type=Path,
        default=None,
        help="folder with a <service>/ folder of operations per service (default: the "
        "operations this package was generated from)",
    )
    diff.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: for CI and scripts"
    )
    diff.set_defaults(_action=_diff)

    check = actions.add_parser(
        "check",
        help="operations validate against schemas/ and generated/ is current",
        description="Run from the repository root: every operation in queries/ validates against "
        "schemas/, and generated/ matches a fresh generation (make check-generated).",
    )
    check.set_defaults(_action=_check)


def _diff(args: argparse.Namespace) -> int:
    report = diff_schemas(args.old, args.new, queries=args.queries)
    print(report.to_json() if args.format == "json" else report.to_text())
    return report.exit_code


async def _pull_all(args: argparse.Namespace, services: list[Service]) -> None:
    environ = None
    if args.environment:
        environ = {**os.environ, "ALLEVIATE_ENVIRONMENT": args.environment}
    async with (
        AsyncDebtCore.from_env(environ=environ) as debtcore,
        httpx.AsyncClient(timeout=30.0) as client,
    ):
        args.out.mkdir(parents=True, exist_ok=True)
        for service in services:
            schema = await pull_schema(client, debtcore.environment, service, debtcore.auth)
            path = args.out / f"{service}.graphql"
            path.write_text(stable_sdl(schema), encoding="utf-8")
            print(f"{service}: wrote {path}")


def _pull(args: argparse.Namespace) -> int:
    services: list[Service] = list(SERVICES) if args.service == "all" else [args.service]
    asyncio.run(_pull_all(args, services))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    root = Path.cwd()
    if not (root / "codegen" / "generate.py").is_file():
        raise SchemaToolError("run `debtcore schema check` from the repository root")
    # Checked first: the drift check below runs codegen/ in a child, whose traceback would not say
    # which package is missing or how to get it.
    if importlib.util.find_spec("ariadne_codegen") is None:
        raise SchemaToolError(
            "schema check regenerates the client with ariadne-codegen, which is not installed: "
            "pip install 'alleviate-debtcore[codegen]' (or `make install` in the repository)"
        )
    report = diff_schemas(root / "schemas", root / "schemas", queries=root / "queries")
    broken = {s.service: s.broken_operations for s in report.services if s.broken_operations}
    if broken:
        print(report.to_text())
        return report.exit_code
    print("every operation in queries/ validates against schemas/")
    return subprocess.call([sys.executable, "-m", "codegen.generate", "--check"], cwd=root)


def run(args: argparse.Namespace) -> int:
    try:
        return int(args._action(args))
    except SchemaToolError as error:
        print(f"debtcore schema: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DebtCoreError as error:
        print(f"debtcore schema: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_USAGE


COMMAND = Command(
    name="schema",
    help="pull, diff and check the service schemas",
    configure=configure,
    run=run,
)
