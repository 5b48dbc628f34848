"""The application's tests: the plugin's fixtures give a client and an in-process sandbox."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable

import pytest
from debt_app import enroll

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.testing import DebtCoreSandbox, Tradeline


async def test_enrolls(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    for name in ("bind", "listen", "connect"):
        original: Callable[..., object] = getattr(socket.socket, name)

        def record(
            sock: socket.socket,
            *args: object,
            _name: str = name,
            _f: Callable[..., object] = original,
        ) -> object:
            opened.append(_name)
            return _f(sock, *args)

        monkeypatch.setattr(socket.socket, name, record)
    applicant = debtcore_sandbox.applicant(
        tradelines=[
            Tradeline.credit_card("CAPITAL ONE", 6_200),
            Tradeline.credit_card("DISCOVER BANK", 4_100),
        ]
    )

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = await enroll(debtcore, applicant.pull_input(), lead_id="lead-1")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    assert outcome.status == "ENROLLED", outcome
    assert outcome.eligible_debt == 10_300
    assert set(outcome.steps.values()) <= {"COMPLETED", "SKIPPED"}
    assert debtcore_sandbox.mutation_executions() == {
        "pullCreditReport": 1,
        "checkApplicantEligibilityV2": 1,
        "offers": 1,
        "updateApplicantEligibilityV2": 1,
        "saveOffer": 1,
        "createEnrollment": 1,
    }
    assert debtcore_sandbox.token_requests == 1
    assert opened == []  # no socket bound, listening or connecting: all in-process
    assert "uvicorn" not in sys.modules
    print(f"full flow in {elapsed:.3f} s ({cpu:.3f} s CPU)")
    # All in-process and CPU-bound: CPU time is the run time on an idle machine, and does not
    # grow when other processes share the cores.
    assert cpu < 1.0


async def test_only_a_mortgage_is_declined(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(
        tradelines=[Tradeline.mortgage("ROCKET MORTGAGE", 210_000)]
    )
    outcome = await enroll(debtcore, applicant.pull_input(), lead_id="lead-2")
    assert outcome.status == "DECLINED" and outcome.eligible_debt == 0
    assert "createEnrollment" not in debtcore_sandbox.mutation_executions()


async def test_failed_report(debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox) -> None:
    applicant = debtcore_sandbox.applicant(tradelines=[], report_status="FAILED")
    outcome = await enroll(debtcore, applicant.pull_input(), lead_id="lead-3")
    assert outcome.status == "REPORT_NOT_READY"


async def test_failing_enrollment_step(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_enrollment_step("createDebts")
    outcome = await enroll(debtcore, debtcore_sandbox.applicant().pull_input(), lead_id="lead-4")
    assert outcome.status == "ENROLLMENT_FAILED"
    assert outcome.steps["create_debts"] == "FAILED"


async def test_survives_a_revoked_token(
    debtcore: AsyncDebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant()
    debtcore_sandbox.fail_operation("offers", latency=0.01)
    await debtcore.credit.pull_credit_report(input=applicant.pull_input())
    debtcore_sandbox.revoke_tokens()
    outcome = await enroll(debtcore, applicant.pull_input(), lead_id="lead-5")
    assert outcome.status == "ENROLLED"
    assert debtcore_sandbox.token_requests == 2  # one new token after the revocation
