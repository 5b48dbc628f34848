"""Declared dependencies: every package the code imports is declared, and every declared one has
the lower bound that `make test-floors` installs (tests/support/floors.py)."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.floors import PROJECT, TOOL_EXTRAS, floor, pins, runtime_requirements

ROOT = Path(__file__).resolve().parent.parent
# The folders that install as alleviate_debtcore (pyproject's package-dir).
SHIPPED = ("alleviate_debtcore", "auth", "generated", "schemas")
# Imported but deliberately not declared, with the reason.
UNDECLARED = {
    # alleviate_debtcore.testing.plugin, the pytest11 entry point: only pytest itself loads it.
    "pytest": "the test kit's plugin runs inside pytest",
}


def _imported_modules() -> set[str]:
    """Top-level names of every absolute import in the shipped code."""
    found: set[str] = set()
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.partition(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.partition(".")[0])
    return found - set(sys.stdlib_module_names) - {"alleviate_debtcore"}


def test_every_imported_package_is_declared() -> None:
    declared = {canonicalize_name(r.name) for r in runtime_requirements()}
    providers = packages_distributions()
    missing: dict[str, list[str]] = {}
    for module in sorted(_imported_modules()):
        distributions = {canonicalize_name(d) for d in providers.get(module, [module])}
        # pydantic_core comes with pydantic, which pins it exactly.
        if module == "pydantic_core":
            distributions = {"pydantic"}
        if not distributions & (declared | set(UNDECLARED)):
            missing[module] = sorted(distributions)
    assert missing == {}


def test_the_imports_seen_include_the_optional_ones() -> None:
    # The scan sees imports inside functions and try blocks too (the extras' own imports).
    assert {"httpx", "pydantic", "starlette", "redis", "filelock", "opentelemetry"} <= (
        _imported_modules()
    )


def test_every_runtime_dependency_has_a_floor() -> None:
    found = pins()
    for requirement in runtime_requirements():
        assert found[canonicalize_name(requirement.name)] == floor(requirement)
    assert {"httpx", "pydantic", "starlette", "ariadne", "graphql-core"} <= set(found)
    assert PROJECT not in found
    assert "ariadne-codegen" not in found and "codegen" in TOOL_EXTRAS


@pytest.mark.parametrize(
    ("text", "expected"),
    [("httpx>=0.28,<1", "0.28"), ("ariadne-codegen~=0.19.0", "0.19.0"), ("x==1.2", "1.2")],
)
def test_floor_is_the_lower_bound(text: str, expected: str) -> None:
    assert floor(Requirement(text)) == expected


@pytest.mark.parametrize("text", ["httpx", "httpx<1", "httpx>=0.27,>=0.28", "x>=2,<1"])
def test_a_requirement_without_one_clear_floor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="lower bound"):
        floor(Requirement(text))


def test_extras_must_agree_on_a_floor(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["httpx>=0.28"]\n'
        '[project.optional-dependencies]\na = ["cryptography>=42"]\nb = ["cryptography>=43"]\n'
        'codegen = ["pydantic>=2.8"]\n'
    )
    with pytest.raises(ValueError, match="different floors"):
        pins(pyproject)
    pyproject.write_text(pyproject.read_text().replace(">=43", ">=42"))
    assert pins(pyproject) == {"cryptography": "42", "httpx": "0.28"}  # codegen: a tool extra
