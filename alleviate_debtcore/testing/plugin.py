"""The pytest plugin (entry point ``pytest11``): fixtures ``debtcore_sandbox``, ``debtcore`` and
``debtcore_sync``.

Loaded by every pytest run in an environment where this package is installed, so it imports
nothing but pytest up front: the package and its sandbox load when a test asks for a fixture,
and a missing ``sandbox`` extra fails that test with a message saying what to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._client import AsyncDebtCore
    from .._sync_client import DebtCore
    from ._sandbox import DebtCoreSandbox

__all__ = ["debtcore", "debtcore_sandbox", "debtcore_sync"]


@pytest.fixture
def debtcore_sandbox() -> Iterator[DebtCoreSandbox]:
    """A fresh in-process sandbox for this test: scenarios, faults and inspection.

    Override it in a conftest.py for other options, e.g.
    ``with DebtCoreSandbox(clock=datetime(2026, 1, 5)) as sandbox: yield sandbox``.
    """
    from ._sandbox import DebtCoreSandbox, SandboxExtraMissingError

    try:
        sandbox = DebtCoreSandbox()
    except SandboxExtraMissingError as error:
        pytest.fail(str(error), pytrace=False)
    with sandbox:
        yield sandbox


@pytest.fixture
def debtcore(debtcore_sandbox: DebtCoreSandbox) -> AsyncDebtCore:
    """An ``AsyncDebtCore`` wired to ``debtcore_sandbox`` in-process (no port, no thread)."""
    return debtcore_sandbox.client()


@pytest.fixture
def debtcore_sync(debtcore_sandbox: DebtCoreSandbox) -> DebtCore:
    """A ``DebtCore`` (the blocking client) wired to ``debtcore_sandbox`` in-process."""
    return debtcore_sandbox.sync_client()
