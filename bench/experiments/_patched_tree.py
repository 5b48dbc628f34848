"""Patched copies of the package source, for measuring proposed changes without editing it.

A copy of ``alleviate_debtcore`` (symbolic links resolved) goes to a temporary folder, text
patches are applied to the copy, and subprocesses import it through ``PYTHONPATH``. A patch
whose anchor text is missing raises, so a stale experiment fails loudly instead of measuring
the unpatched code.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import alleviate_debtcore

PACKAGE_DIR = Path(alleviate_debtcore.__file__).resolve().parent

Patch = Callable[[Path], None]
"""Edits the copied package rooted at the given folder."""


class AlreadyApplied(Exception):
    """The package already contains the change: the variant equals stock."""


def copy_package(target: Path) -> Path:
    """A copy of the package under ``target`` (for ``PYTHONPATH=target``), without byte code."""
    destination = target / "alleviate_debtcore"
    shutil.copytree(
        PACKAGE_DIR,
        destination,
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return destination


def replace(path: Path, old: str, new: str, *, count: int = 1) -> None:
    text = path.read_text()
    if text.count(old) != count:
        raise RuntimeError(f"{path.name}: expected {count} x {old[:60]!r}, found {text.count(old)}")
    path.write_text(text.replace(old, new))


def defer_model_build(package: Path) -> None:
    """pydantic ``defer_build=True`` in the shared model config, and no eager
    ``Model.model_rebuild()`` in the generated modules (an explicit rebuild ignores
    ``defer_build``): validators are built on a model's first use instead of at import."""
    rebuild = re.compile(r"^[A-Za-z_]\w*\.model_rebuild\(\)\n", re.M)
    models = package / "_models.py"
    if "defer_build=True" in models.read_text() and not any(
        rebuild.search(module.read_text()) for module in (package / "generated").rglob("*.py")
    ):
        raise AlreadyApplied("defer_build is on and generated/ has no eager model_rebuild()")
    replace(
        models,
        "        protected_namespaces=(),\n",
        "        protected_namespaces=(),\n        defer_build=True,\n",
    )
    removed = 0
    for module in (package / "generated").rglob("*.py"):
        text = module.read_text()
        new, n = rebuild.subn("", text)
        if n:
            module.write_text(new)
            removed += n
    if removed == 0:
        raise RuntimeError("no model_rebuild() calls found in generated/")


SERVICE_CLASSES = {
    "credit": "CreditClient",
    "underwriting": "UnderwritingClient",
    "offers": "OffersClient",
    "enrollment": "EnrollmentClient",
}


def lazy_service_clients(package: Path) -> None:
    """``AsyncDebtCore.credit`` etc. as cached properties that import their generated package
    on first access, so ``import alleviate_debtcore`` loads no generated module."""
    client = package / "_client.py"
    for service, cls in SERVICE_CLASSES.items():
        replace(client, f"from .generated.{service} import {cls}\n", "")
        replace(client, f"    {service}: {cls}\n", "")
    replace(
        client,
        "from .errors import ConfigurationError\n",
        "from .errors import ConfigurationError\n\nimport functools\n",
    )
    text = client.read_text()
    start = text.index("        env = self.environment\n        self.credit = CreditClient(")
    end = text.index("    @classmethod\n    def from_env(")
    properties = "".join(
        f"    @functools.cached_property\n"
        f"    def {service}(self):\n"
        f"        from .generated.{service} import {cls}\n\n"
        f"        return {cls}(service={service!r}, url=self.environment.url({service!r}), "
        f"transport=self._transport)\n\n"
        for service, cls in SERVICE_CLASSES.items()
    )
    client.write_text(text[:start] + "\n" + properties + text[end:])
