"""Layout rules: the CLI sits on top (nothing in the sandbox or the test kit imports it), and no
two private modules share a base name, so a module's name alone says which one it is."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from alleviate_debtcore.cli import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent
CLI = "alleviate_debtcore.cli"
# The import name of each source folder: auth/ and generated/ install as subpackages
# (pyproject's package-dir).
SOURCE_FOLDERS = {
    "alleviate_debtcore": ROOT / "alleviate_debtcore",
    "alleviate_debtcore.auth": ROOT / "auth",
    "alleviate_debtcore.generated": ROOT / "generated",
}


def _modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, file) of every module of the package; a package is its ``__init__.py``."""
    for prefix, folder in SOURCE_FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join((prefix, *parts)), path


MODULES = dict(_modules())


def imported_names(module: str, is_package: bool, source: str) -> set[str]:
    """Every module ``source`` imports, absolute, wherever the import sits (functions,
    ``if TYPE_CHECKING:``); ``from x import y`` counts as ``x`` and ``x.y`` (y may be a module).
    ``importlib.import_module("...")`` with a literal absolute name counts too."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _imports_cli(names: Iterable[str]) -> list[str]:
    return sorted(n for n in names if n == CLI or n.startswith(CLI + "."))


def test_the_import_reader_sees_every_form_of_import() -> None:
    source = """
import importlib
from typing import TYPE_CHECKING
from .. import cli
if TYPE_CHECKING:
    from ..cli import Command
def later():
    from ..cli._argparse_helpers import port
    import alleviate_debtcore.cli.__main__
    importlib.import_module("alleviate_debtcore.cli._demo")
"""
    names = imported_names("alleviate_debtcore.sandbox._x", False, source)
    assert _imports_cli(names) == [
        "alleviate_debtcore.cli",
        "alleviate_debtcore.cli.Command",
        "alleviate_debtcore.cli.__main__",
        "alleviate_debtcore.cli._argparse_helpers",
        "alleviate_debtcore.cli._argparse_helpers.port",
        "alleviate_debtcore.cli._demo",
    ]
    # Relative to a package's __init__, one dot is the package itself.
    assert "alleviate_debtcore.sandbox._app" in imported_names(
        "alleviate_debtcore.sandbox", True, "from ._app import create_app"
    )
    assert not _imports_cli(imported_names("alleviate_debtcore.sandbox._x", False, "import clix"))


LOWER_MODULES = [
    name
    for name in MODULES
    if name.startswith(("alleviate_debtcore.sandbox", "alleviate_debtcore.testing"))
]


def test_the_sandbox_and_the_test_kit_are_all_checked() -> None:
    assert "alleviate_debtcore.sandbox._server" in LOWER_MODULES
    assert "alleviate_debtcore.testing.plugin" in LOWER_MODULES


@pytest.mark.parametrize("module", LOWER_MODULES)
def test_the_sandbox_and_the_test_kit_never_import_the_cli(module: str) -> None:
    path = MODULES[module]
    names = imported_names(module, path.name == "__init__.py", path.read_text(encoding="utf-8"))
    assert not _imports_cli(names), f"{path.relative_to(ROOT)} imports the CLI"


def test_every_subcommand_is_defined_in_the_cli_package() -> None:
    assert set(COMMAND_MODULES) == {"demo", "sandbox", "schema"}
    for module in COMMAND_MODULES.values():
        assert module.startswith(CLI + "."), module
        assert module in MODULES, module


def base_name(module: str) -> str:
    """``_payloads`` and ``_payload`` are one name, in any package."""
    name = module.rpartition(".")[2].lstrip("_")
    return name.removesuffix("s")


def shared_base_names(modules: Iterable[str]) -> dict[str, list[str]]:
    """Private modules (``_name``, not dunder) that share a base name, by base name. Each generated
    service package has the same modules by design: they count once."""
    by_name: defaultdict[str, set[str]] = defaultdict(set)
    for module in modules:
        last = module.rpartition(".")[2]
        if not last.startswith("_") or last.startswith("__"):
            continue
        parts = module.split(".")
        if parts[:2] == ["alleviate_debtcore", "generated"] and len(parts) > 3:
            parts[2] = "<service>"
        by_name[base_name(module)].add(".".join(parts))
    return {name: sorted(found) for name, found in by_name.items() if len(found) > 1}


def test_shared_base_names_are_found() -> None:
    modules = [
        "alleviate_debtcore._payload",
        "alleviate_debtcore.sandbox._payloads",
        "alleviate_debtcore._http",
        "alleviate_debtcore.sandbox._http",
        "alleviate_debtcore.sandbox.__init__",
        "alleviate_debtcore.__main__",
        "alleviate_debtcore.credit",
        "alleviate_debtcore.sandbox._credit",
        "alleviate_debtcore.generated.credit._helpers",
        "alleviate_debtcore.generated.offers._helpers",
    ]
    assert shared_base_names(modules) == {
        "payload": ["alleviate_debtcore._payload", "alleviate_debtcore.sandbox._payloads"],
        "http": ["alleviate_debtcore._http", "alleviate_debtcore.sandbox._http"],
    }


def test_no_two_private_modules_share_a_base_name() -> None:
    assert "alleviate_debtcore.auth._token" in MODULES  # the mapped folders are walked
    assert shared_base_names(MODULES) == {}, "rename one after what it does"
