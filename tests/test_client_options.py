"""Client and per-call options: validated before any request, ``with_options``, ``credential=``,
``retry_policy=`` and who closes what."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import (
    AsyncDebtCore,
    ConfigurationError,
    InternalServerError,
    RetryPolicy,
)
from alleviate_debtcore._retry import next_delay, parse_retry_after, retryable_status
from alleviate_debtcore.auth import AccessToken, EntraAuth
from alleviate_debtcore.offers import EnrollmentPlanInput

PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}


async def plan(debtcore: AsyncDebtCore, **options: Any) -> Any:
    return await debtcore.offers.enrollment_plan(
        input=EnrollmentPlanInput(primary_applicant_state="GA"),
        **{("extra_headers" if name == "headers" else name): v for name, v in options.items()},
    )


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
        {"timeout": "abc"},
        {"timeout": -1},
        {"timeout": math.nan},
        {"timeout": 0},
        {"headers": {"x-note": "café"}},
        {"headers": {"x-note": "a\r\nInjected: 1"}},
        {"headers": {"x-note": "nul\x00"}},
        {"headers": {"bad name": "v"}},
        {"headers": {"x-number": 5}},
    ],
)
async def test_bad_per_call_options_fail_before_any_request(
    options: dict[str, Any], static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await plan(static_debtcore, **options)
    assert httpx_mock.get_requests() == []
    assert "café" not in str(caught.value) and "Injected" not in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": -1},
        {"max_retries": 2.0},
        {"timeout": "30"},
        {"headers": {"x": "é"}},
        {"max_response_size": 0},
        {"max_response_size": "1MB"},
        {"retry_policy": {"initial_delay": 1}},
        {"http_client": httpx.Client()},
    ],
)
def test_bad_client_options_fail_at_construction(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        AsyncDebtCore(auth=StaticAuth(), **options)


@pytest.mark.parametrize("field", ["initial_delay", "max_delay", "max_retry_after"])
@pytest.mark.parametrize("value", [-1.0, math.inf, math.nan, "1"])
def test_retry_policy_values_are_checked(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**{field: value})


async def test_with_options_shares_the_pool_and_token(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=503, is_reusable=True)
    async with AsyncDebtCore(
        auth=StaticAuth(), retry_policy=RetryPolicy(initial_delay=0.001)
    ) as debtcore:
        quick = debtcore.with_options(max_retries=0, timeout=5)
        with pytest.raises(InternalServerError):
            await plan(quick)
        assert len(httpx_mock.get_requests()) == 1
        assert all(v <= 5 for v in httpx_mock.get_requests()[0].extensions["timeout"].values())
        with pytest.raises(InternalServerError):
            await plan(debtcore)  # the original keeps its own defaults: 1 + 2 retries
        assert len(httpx_mock.get_requests()) == 4
        assert quick.auth is debtcore.auth
        pools = {id(c._transport.http_client) for c in (quick, debtcore)}  # pyright: ignore[reportPrivateUsage]
        assert len(pools) == 1
        await quick.aclose()  # closes nothing of the original's
        httpx_mock.reset()
        httpx_mock.add_response(json=PLAN_OK)
        await plan(debtcore)
    with pytest.raises(ConfigurationError):
        debtcore.with_options(max_retries=-1)


class CountingCredential:
    """A token credential of the caller's own (any TokenCredential will do)."""

    def __init__(self) -> None:
        self.calls = 0
        self.closed = False

    @property
    def cache_key_parts(self) -> tuple[str, ...]:
        return ("counting",)

    async def get_token(self, scope: str) -> AccessToken:
        self.calls += 1
        return AccessToken(token="from-my-credential", expires_on=4e9, refresh_on=4e9)

    def get_token_sync(self, scope: str) -> AccessToken:
        raise NotImplementedError

    async def aclose(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True


async def test_credential_is_used_and_closed_with_the_client(httpx_mock: HTTPXMock) -> None:
    credential = CountingCredential()
    httpx_mock.add_response(json=PLAN_OK, is_reusable=True)
    async with AsyncDebtCore(credential=credential) as debtcore:
        assert isinstance(debtcore.auth, EntraAuth)
        await plan(debtcore)
        await plan(debtcore)
    assert credential.calls == 1
    assert credential.closed  # handed over: aclose() releases its HTTP clients
    headers = httpx_mock.get_requests()[0].headers
    assert headers["authorization"] == "Bearer from-my-credential"


def test_only_one_way_to_authenticate() -> None:
    with pytest.raises(ConfigurationError, match="only one of credential, auth"):
        AsyncDebtCore(credential=CountingCredential(), auth=StaticAuth())
    with pytest.raises(ConfigurationError, match="client_id/client_secret, credential"):
        AsyncDebtCore(client_id="a", client_secret="b", credential=CountingCredential())


# --- the decisions, as plain functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "nan", "retry-after": "2"}, 2.0),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "-inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "1e309"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "Thu, 01 Jan 1970 00:00:00 GMT"}, 0.0),
        ({"retry-after": "Thu, 99 Foo 99999 99:99:99 GMT"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after_never_raises(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(httpx.Headers(headers)) == expected


def test_retry_rules_by_kind() -> None:
    assert retryable_status(429, "mutation") and retryable_status(429, "token")
    assert retryable_status(503, "query") and retryable_status(503, "token")
    assert not retryable_status(503, "mutation") and not retryable_status(400, "query")


def test_next_delay_gives_up_when_the_budget_or_the_cap_says_so() -> None:
    policy = RetryPolicy()
    common: dict[str, Any] = {"policy": policy, "retryable": True, "max_retries": 2}
    assert next_delay(retry_number=0, retry_after=None, remaining=None, **common) is not None
    assert next_delay(retry_number=0, retry_after=61.0, remaining=None, **common) is None
    assert next_delay(retry_number=0, retry_after=5.0, remaining=4.0, **common) is None
    assert next_delay(retry_number=0, retry_after=3.0, remaining=4.0, **common) == 3.0
    # A wait that would leave the next attempt almost no time: the failure is final instead.
    assert next_delay(retry_number=0, retry_after=3.98, remaining=4.0, **common) is None
    assert next_delay(retry_number=2, retry_after=0.0, remaining=None, **common) is None
    jittered = next_delay(
        retry_number=1, retry_after=None, remaining=None, jitter=lambda: 0.0, **common
    )
    assert jittered == 0.75
