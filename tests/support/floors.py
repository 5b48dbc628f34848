"""Pins every runtime dependency to the lowest version pyproject.toml allows (`make test-floors`).

Run as ``python -m tests.support.floors`` it prints a requirements file: ``name==floor`` for the
dependencies and every runtime extra (optional-dependencies but ``TOOL_EXTRAS``). Each must
declare a lower bound; what they depend on in turn resolves to the newest version that fits, like
uv's ``lowest-direct``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "alleviate-debtcore"
# Extras for working on the package, not for applications: ariadne-codegen brings its own, higher
# floors (pydantic 2.8, graphql-core 3.2.7), so it cannot share the runtime floors' venv.
TOOL_EXTRAS = frozenset({"codegen"})


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    """The dependencies and every runtime extra's, without self-references."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for name, extra in project.get("optional-dependencies", {}).items():
        if name not in TOOL_EXTRAS:
            texts.extend(extra)
    found = [Requirement(text) for text in texts]
    return [r for r in found if canonicalize_name(r.name) != PROJECT]


def floor(requirement: Requirement) -> str:
    """The version a ``>=`` or ``~=`` bound names; a requirement without one is an error."""
    lows = [s.version for s in requirement.specifier if s.operator in (">=", "~=", "==")]
    if len(lows) != 1:
        raise ValueError(f"{requirement}: declare exactly one lower bound (>=, ~= or ==)")
    (low,) = lows
    if not requirement.specifier.contains(low, prereleases=True):
        raise ValueError(f"{requirement}: the lower bound {low} is excluded by the other bounds")
    return low


def pins(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """Package name -> floor; a package named twice (two extras) takes its highest floor."""
    found: dict[str, str] = {}
    for requirement in runtime_requirements(pyproject):
        name = canonicalize_name(requirement.name)
        low = floor(requirement)
        if name in found and found[name] != low:
            raise ValueError(f"{name}: extras declare different floors ({found[name]}, {low})")
        found[name] = low
    return dict(sorted(found.items()))


if __name__ == "__main__":
    sys.stdout.write("".join(f"{name}=={version}\n" for name, version in pins().items()))
