"""Resilience end to end: a bounded soak with injected faults, and a leak check of the whole flow.

Both run against the local sandbox on 127.0.0.1. The soak's counts and time are bounded.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from alleviate_debtcore import AsyncDebtCore, DebtCoreError, RetryPolicy, unwrap
from alleviate_debtcore.auth import EntraAuth
from alleviate_debtcore.cli._demo import SAMPLE_APPLICANT, run_enrollment_flow
from alleviate_debtcore.sandbox import Faults, SandboxServer, create_app
from alleviate_debtcore.underwriting import (
    ApplicantContactInfoUpdateInputV2,
    UwResultUpdateInputV2,
)

SECRET = "s3cr3t-Zq9-value"
CALLS, CONCURRENCY, TIME_LIMIT = 2000, 200, 60.0


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(create_app(client_secret=SECRET, faults=Faults(retry_after=0))) as running:
        yield running


def _client(server: SandboxServer) -> AsyncDebtCore:
    return AsyncDebtCore(
        client_id="local-client",
        client_secret=SECRET,
        environment=server.environment,
        retry_policy=RetryPolicy(initial_delay=0.01, max_delay=0.05),
    )


async def test_soak_mixed_workload_with_faults(server: SandboxServer) -> None:
    faults = server.state.faults
    rng = random.Random(7)
    revocations = 0

    async with _client(server) as debtcore:

        async def one(i: int) -> Any:
            if i % 3 == 0:  # a mutation: must never execute twice
                return await debtcore.credit.create_creditor(creditor_name=f"SOAK CREDITOR {i}")
            if i % 3 == 1:
                return await debtcore.offers.enrollment_plan(primary_applicant_state="GA")
            return await debtcore.enrollment.enrollment_status("enroll-abc123xyz")

        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def guarded(i: int) -> Any:
            async with semaphore:
                return await one(i)

        started = time.monotonic()
        tasks: list[asyncio.Task[Any]] = []
        for i in range(CALLS):
            if i % 250 == 0:  # arm a new round of faults as the load goes on
                faults.latency = rng.choice([0.0, 0.002])
                faults.service_failure_status = rng.choice([429, 500, 502, 503, 504])
                faults.service_failures += 15
                faults.lost_responses += 10
            if i in (600, 1400):
                server.state.revoke_tokens()
                revocations += 1
            tasks.append(asyncio.create_task(guarded(i)))
            if i % 50 == 0:
                await asyncio.sleep(0)  # let the load build up while faults change
        results = await asyncio.wait_for(
            asyncio.gather(*tasks, return_exceptions=True), timeout=TIME_LIMIT
        )
        elapsed = time.monotonic() - started

    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, DebtCoreError)
    ]
    assert unexpected == []
    succeeded = [r for r in results if not isinstance(r, BaseException)]
    assert len(succeeded) > CALLS * 0.8, f"only {len(succeeded)} of {CALLS} succeeded"
    # The server saw each client request id; no mutation ran twice, whatever the faults.
    assert server.state.executions.repeated_mutations() == {}
    by_id = server.state.executions.by_client_request_id()
    assert len(by_id) >= len(succeeded)
    # One token, plus one per revocation: single flight held under the load.
    assert server.state.http_requests["token"] <= 1 + revocations
    assert elapsed < TIME_LIMIT


async def test_no_secret_token_or_applicant_data_leaks(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, every logger
    faults = server.state.faults
    faults.token_failures = 1  # a retried token request
    faults.service_failure_status = 429  # refused, so even the mutations are retried
    faults.service_failures = 2
    texts: list[str] = []

    async with _client(server) as debtcore:
        result = await run_enrollment_flow(debtcore, texts.append, poll_interval=0)
        assert isinstance(debtcore.auth, EntraAuth)
        token = (await debtcore.auth.get_token()).token
        # A failure that carries bank details in its request: a stale-revision update.
        stale = UwResultUpdateInputV2.model_validate(
            {
                "id": result.review_id,
                "revision": 1,
                "updatedBy": "agent",
                "applicantContactInfo": {
                    "applicantState": "AL",
                    "ssn": SAMPLE_APPLICANT.ssn,
                    "dob": SAMPLE_APPLICANT.dob,
                    "bankAccountNumber": "000123456789",
                    "routingNumber": "021000021",
                },
            }
        )
        texts.append(repr(stale))
        payload = await debtcore.underwriting.with_payload.update_applicant_eligibility_v2(
            application_type="SINGLE", updated_uw_fields=stale
        )
        texts.append(repr(payload))
        try:
            unwrap(payload)
        except DebtCoreError as error:
            texts += [str(error), repr(error)]
        server.state.revoke_tokens()
        bad = AsyncDebtCore(
            client_id="local-client", client_secret=SECRET + "x", environment=server.environment
        )
        try:
            await bad.offers.get_offer("og-offer-123456")
        except DebtCoreError as error:
            texts += [str(error), repr(error)]
        finally:
            await bad.aclose()
        texts.append(repr(debtcore) + repr(debtcore.auth) + repr(ApplicantContactInfoUpdateInputV2))

    everything = "\n".join(texts + [r.getMessage() for r in caplog.records] + [caplog.text])
    assert "retrying" in everything  # the faults did happen and were logged
    for secret in (
        SECRET,
        token,
        SAMPLE_APPLICANT.ssn,
        SAMPLE_APPLICANT.dob,
        SAMPLE_APPLICANT.first_name,
        SAMPLE_APPLICANT.last_name,
        "000123456789",
        "021000021",
    ):
        assert secret and secret not in everything, f"leaked: {secret[:3]}..."
