"""The ``debtcore`` console script: a thin argparse shell around subcommand modules.

Each subcommand lives in its own small module that exposes ``COMMAND``, a ``Command``: its name,
a one-line help, a function that adds its arguments to a parser and a function that runs it and
returns the exit code. To add one (``demo``, ``schema``), write the module and add it to
``COMMAND_MODULES``. Modules are imported when the parser is built; a module whose optional
dependencies (the ``sandbox`` extra) are missing still shows up, and explains how to install them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .._version import __version__
from ._argparse_helpers import HelpFormatter

__all__ = ["COMMAND_MODULES", "Command", "build_parser", "main"]

# Command name -> module defining it, in the order ``debtcore --help`` lists them.
COMMAND_MODULES: Mapping[str, str] = MappingProxyType(
    {
        "demo": "alleviate_debtcore.cli._demo_command",
        "sandbox": "alleviate_debtcore.cli._sandbox_command",
        "schema": "alleviate_debtcore.cli._schema_command",
    }
)
# Top-level modules of the optional extras; a missing one disables a command instead of the CLI.
_OPTIONAL_DEPENDENCIES = frozenset({"ariadne", "graphql", "starlette", "uvicorn"})


@dataclass(frozen=True)
class Command:
    """One ``debtcore`` subcommand."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str | None = None


def _unavailable(name: str, missing: str) -> Command:
    def run(_args: argparse.Namespace) -> int:
        print(
            f"debtcore {name} needs the optional dependency {missing!r}: "
            "pip install 'alleviate-debtcore[sandbox]'",
            file=sys.stderr,
        )
        return 2

    return Command(name, f"(unavailable: {missing} is not installed)", lambda _parser: None, run)


def _load(name: str, module_name: str) -> Command:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.partition(".")[0] not in _OPTIONAL_DEPENDENCIES:
            raise
        return _unavailable(name, error.name)
    command = getattr(module, "COMMAND", None)
    if not isinstance(command, Command) or command.name != name:
        raise TypeError(f"{module_name}.COMMAND is not the debtcore {name!r} Command")
    return command


def build_parser(modules: Mapping[str, str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="debtcore",
        description="Tools for the Alleviate Debt Core API client.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, module_name in modules.items():
        command = _load(name, module_name)
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=command.description or command.help,
            formatter_class=HelpFormatter,
        )
        command.configure(sub)
        sub.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    return run(args)
