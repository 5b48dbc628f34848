"""The curated public surface: complete __all__ lists and a package list that matches the tree."""

from __future__ import annotations

import importlib
import inspect
import os
import tomllib
from pathlib import Path

import pytest

import alleviate_debtcore
from alleviate_debtcore import errors

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_MODULES = [
    "alleviate_debtcore",
    "alleviate_debtcore.errors",
    "alleviate_debtcore.auth",
    "alleviate_debtcore.credit",
    "alleviate_debtcore.underwriting",
    "alleviate_debtcore.offers",
    "alleviate_debtcore.enrollment",
    "alleviate_debtcore.sandbox",
    "alleviate_debtcore.testing",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), "duplicates in __all__"
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_every_error_class_is_exported_from_the_root_and_errors() -> None:
    classes = {
        n for n, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == errors.__name__
    }  # fmt: skip
    assert classes <= set(errors.__all__)
    assert classes - {"GraphQLErrorDetail"} <= set(alleviate_debtcore.__all__)
    for name in classes:
        assert issubclass(getattr(errors, name), errors.DebtCoreError), name


def test_every_public_handwritten_name_is_exported_from_the_root() -> None:
    # Names that are not identifiers (@py_builtins) come from pytest's assertion rewriting, which
    # covers every module of a distribution that registers a pytest plugin (ours does).
    public = {n for n in vars(alleviate_debtcore) if not n.startswith("_") and n.isidentifier()}
    submodules = {
        "auth", "cli", "credit", "underwriting", "offers", "enrollment", "errors", "generated",
        "sandbox", "schemas", "testing",
    }  # fmt: skip
    helpers = {"configure_logging_from_env"}
    assert public - submodules - helpers <= set(alleviate_debtcore.__all__)


def test_service_modules_reexport_the_generated_names() -> None:
    for service in ("credit", "underwriting", "offers", "enrollment"):
        ours = importlib.import_module(f"alleviate_debtcore.{service}")
        generated = importlib.import_module(f"alleviate_debtcore.generated.{service}")
        # The facade adds its own client classes, async and sync (the generated ones plus
        # handwritten helpers).
        extras = {
            "credit": {"CreditClient", "TERMINAL_REPORT_STATUSES"},
            "underwriting": {"UnderwritingClient"},
            "offers": {"OffersClient", "plan_input"},
            "enrollment": {"EnrollmentClient", "RUNNING_STEP_STATUSES", "enrollment_steps"},
        }[service]
        clients = {n for n in extras if n.endswith("Client")}
        extras |= {f"Sync{n}" for n in clients}
        assert set(ours.__all__) == set(generated.__all__) | extras
        for name in clients | {f"Sync{n}" for n in clients}:
            client = getattr(ours, name)
            face = generated.sync_client if name.startswith("Sync") else generated.client
            assert issubclass(client, getattr(face, client.__name__))


def test_pyproject_lists_every_package_in_the_tree() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    # Folders of their own (auth/, generated/, schemas/) map into the package: walk each root.
    roots = {"alleviate_debtcore": "alleviate_debtcore", **setuptools["package-dir"]}
    found: set[str] = set()
    for name, folder in roots.items():
        for path, _, files in os.walk(ROOT / folder):
            if "__init__.py" in files:
                parts = Path(path).relative_to(ROOT / folder).parts
                found.add(".".join((name, *parts)))
    assert set(setuptools["packages"]) == found
