"""The suite's root conftest has its own ``debtcore`` (a static-token client); here the test kit's
plugin fixture is wanted, so it is re-exposed under the same name."""

from __future__ import annotations

import pytest

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.testing import DebtCoreSandbox


@pytest.fixture
def debtcore(debtcore_sandbox: DebtCoreSandbox) -> AsyncDebtCore:
    return debtcore_sandbox.client()
