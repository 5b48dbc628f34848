"""The test kit's blocking twin: ``debtcore_sync`` (a ``DebtCore``) against the in-process
sandbox, from plain test functions, from an async test and from many threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from alleviate_debtcore import APITimeoutError, DebtCore, InternalServerError
from alleviate_debtcore.testing import DebtCoreSandbox, SyncInProcessTransport, Tradeline


def test_scenarios_reach_the_sync_client(
    debtcore_sync: DebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    applicant = debtcore_sandbox.applicant(tradelines=[Tradeline.credit_card("CHASE", 4_200)])
    report = debtcore_sync.credit.pull_credit_report(input=applicant.pull_input())
    assert [(d.creditor_name, d.account_type) for d in report.debts or [] if d] == [
        ("CHASE", "CREDIT_CARD")
    ]
    assert debtcore_sandbox.operations() == ["pullCreditReport"]
    assert debtcore_sandbox.token_requests == 1


def test_faults_apply_to_the_sync_client(
    debtcore_sync: DebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_operation("enrollmentPlan", status=503, times=2)
    with pytest.raises(InternalServerError):
        debtcore_sync.with_options(max_retries=0).offers.enrollment_plan("GA")
    assert debtcore_sync.offers.enrollment_plan(
        "GA"
    ).servicing_company  # retried past the second 503


async def test_usable_inside_a_running_event_loop(
    debtcore_sync: DebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    # A blocking call from async code (what a sync library called from async code does): the
    # app runs on the transport's own loop, so this loop being busy cannot deadlock it. It still
    # blocks this loop meanwhile, which the client says once.
    with pytest.warns(RuntimeWarning, match="AsyncDebtCore"):
        plan = debtcore_sync.offers.enrollment_plan("GA")
    assert plan.servicing_company


def test_threads_share_one_token(debtcore_sandbox: DebtCoreSandbox) -> None:
    debtcore = debtcore_sandbox.sync_client()
    barrier = threading.Barrier(8)

    def one(_: int) -> str | None:
        barrier.wait()
        return debtcore.offers.enrollment_plan("GA").servicing_company

    with ThreadPoolExecutor(8) as pool:
        companies = set(pool.map(one, range(8)))
    assert len(companies) == 1 and None not in companies
    assert debtcore_sandbox.token_requests == 1


def test_closing_the_sandbox_stops_its_thread() -> None:
    def loop_threads() -> int:
        return sum(t.name == "debtcore-sandbox-loop" for t in threading.enumerate())

    before = loop_threads()
    with DebtCoreSandbox() as sandbox:
        sandbox.sync_client().offers.enrollment_plan("GA")
        assert loop_threads() == before + 1
    assert loop_threads() == before


def test_a_closed_transport_says_so() -> None:
    sandbox = DebtCoreSandbox()
    transport = SyncInProcessTransport(sandbox.app)
    transport.close()
    transport.close()  # idempotent
    with httpx.Client(transport=transport) as http, pytest.raises(RuntimeError, match="closed"):
        http.get("https://debtcore-sandbox.test/")


def test_a_latency_fault_meets_the_call_timeout(
    debtcore_sync: DebtCore, debtcore_sandbox: DebtCoreSandbox
) -> None:
    debtcore_sandbox.fail_operation("enrollmentPlan", latency=10.0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        debtcore_sync.offers.enrollment_plan("GA", timeout=1, max_retries=0)
    assert time.monotonic() - started < 3.0
    assert debtcore_sync.offers.enrollment_plan("GA").servicing_company  # the fault was used up
