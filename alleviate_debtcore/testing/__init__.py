"""Test your integration against the sandbox, in-process: no port, no thread, no credentials.

With pytest the fixtures ``debtcore`` (an ``AsyncDebtCore``), ``debtcore_sync`` (a ``DebtCore``,
blocking; its requests run the app on one helper thread) and ``debtcore_sandbox`` (their
``DebtCoreSandbox``) are there as soon as the package is installed with the ``sandbox`` extra.
They are plain fixtures, so they work in pytest-asyncio's strict mode (the default: mark async
tests with ``@pytest.mark.asyncio``) and in auto mode alike::

    @pytest.mark.asyncio
    async def test_enrolls(debtcore, debtcore_sandbox):
        applicant = debtcore_sandbox.applicant(
            tradelines=[Tradeline.credit_card("CAPITAL ONE", 9_000)]
        )
        ...

Without pytest, ``with DebtCoreSandbox() as sandbox: debtcore = sandbox.client()`` (or
``sandbox.sync_client()``).
Scenarios: ``applicant(tradelines=..., report_status=...)``, ``fail_enrollment_step``,
``fail_operation`` (HTTP status, GraphQL error, latency, lost response), ``revoke_tokens``, a
``SandboxClock``. Inspection: ``requests`` (applicant fields redacted), ``operations()``,
``executions()``, ``mutation_executions()``, ``token_requests``.
"""

from ._applicants import Applicant, SandboxClock, Tradeline
from ._in_process import InProcessTransport, SyncInProcessTransport
from ._sandbox import DebtCoreSandbox, SandboxExtraMissingError

__all__ = [
    "Applicant",
    "DebtCoreSandbox",
    "InProcessTransport",
    "SandboxClock",
    "SandboxExtraMissingError",
    "SyncInProcessTransport",
    "Tradeline",
]
