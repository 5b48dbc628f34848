"""Property: whatever a 127.0.0.1 server answers (status, Retry-After, body nesting, numbers,
encodings), a call ends in success or a ``DebtCoreError`` subclass, within its deadline.

One client serves every example through a fresh ``asyncio.run`` each time (the loop-switching
pattern of sync code), and the sync transport faces the same answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.raw_server import RawRequest, RawServer, Step, answer, raw_server

from alleviate_debtcore import AsyncDebtCore, DebtCoreError, RetryPolicy
from alleviate_debtcore._options import TransportOptions
from alleviate_debtcore._transport import SyncGraphQLTransport
from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth
from alleviate_debtcore.offers import EnrollmentPlanInput

TIMEOUT = 5.0
SLACK = 1.5  # scheduling on a loaded 2-core machine

STATUSES = [200, 201, 204, 301, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 599]
RETRY_AFTER = [
    None, "0", "0.01", "nan", "inf", "-inf", "-1", "soon", "1e309", "99999999999999999999",
    "Wed, 21 Oct 2015 07:28:00 GMT", "Thu, 99 Foo 99999 99:99:99 GMT", "", " ",
]  # fmt: skip
RETRY_AFTER_MS = [None, "0", "5", "nan", "inf", "-5", "x", "1" + "0" * 400]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    depth = draw(st.sampled_from([1, 10, 150, 199, 200, 201, 500, 1_000, 5_000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    inner = '{"data": null}' if opener == "[" else "1"
    return f'{{"data": {opener * depth}{inner}{closer * depth}}}'.encode()


@st.composite
def graphql_shaped(draw: st.DrawFn) -> bytes:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["data"] = draw(json_value)
    if draw(st.booleans()):
        body["errors"] = draw(st.one_of(json_value, st.lists(json_value, max_size=3)))
    return json.dumps(body).encode()


@st.composite
def numbers(draw: st.DrawFn) -> bytes:
    number = draw(st.sampled_from(["1e400", "-1e400", "1" + "0" * 400, "-0", "NaN", "Infinity"]))
    return (
        f'{{"data": {{"enrollmentPlan": {{"data": {{"servicingCompany": {number}}}}}}}}}'.encode()
    )


@st.composite
def encoded(draw: st.DrawFn) -> bytes:
    text = json.dumps({"data": {"enrollmentPlan": {"data": {"servicingCompany": "Ünïcødé"}}}})
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1", "utf-8-sig"]))
    return text.encode(encoding)


bodies = st.one_of(nested(), graphql_shaped(), numbers(), encoded(), st.binary(max_size=64))


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, dict[str, str], bytes]:
    headers: dict[str, str] = {}
    if (value := draw(st.sampled_from(RETRY_AFTER))) is not None:
        headers["Retry-After"] = value
    if (value := draw(st.sampled_from(RETRY_AFTER_MS))) is not None:
        headers["retry-after-ms"] = value
    return draw(st.sampled_from(STATUSES)), headers, draw(bodies)


class Scripted:
    """The server's current answer, set by each example."""

    def __init__(self) -> None:
        self.status, self.headers, self.body = 200, {}, b"{}"

    def __call__(self, request: RawRequest) -> list[Step]:
        if self.status in (204, 301):  # no body allowed / a redirect we must not follow
            return answer(self.status, b"", self.headers | {"Location": "/elsewhere"})
        return answer(self.status, self.body, self.headers)


@pytest.fixture(scope="module")
def scripted() -> Scripted:
    return Scripted()


@pytest.fixture(scope="module")
def server(scripted: Scripted) -> Iterator[RawServer]:
    with raw_server(api=scripted) as running:
        yield running


@pytest.fixture(scope="module")
def debtcore(server: RawServer) -> Iterator[AsyncDebtCore]:
    client = AsyncDebtCore(
        client_id="local-client",
        client_secret="property-secret",
        environment=server.environment,
        retry_policy=RetryPolicy(initial_delay=0.01, max_delay=0.02),
        max_retries=1,
        timeout=TIMEOUT,
    )
    yield client
    asyncio.run(client.aclose())


@pytest.fixture(scope="module")
def sync_transport(server: RawServer) -> Iterator[SyncGraphQLTransport]:
    credential = ClientSecretCredential(
        tenant_id=server.environment.tenant_id,
        client_id="local-client",
        client_secret="property-secret",
        authority=server.base_url,
    )
    transport = SyncGraphQLTransport(
        auth=EntraAuth(credential, scope=server.environment.scope),
        options=TransportOptions.build(
            retry_policy=RetryPolicy(initial_delay=0.01, max_delay=0.02),
            max_retries=1,
            timeout=TIMEOUT,
        ),
    )
    yield transport
    transport.close()
    credential.close()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer_=answers())
def test_async_any_answer_ends_in_success_or_a_debtcore_error(
    answer_: tuple[int, dict[str, str], bytes], scripted: Scripted, debtcore: AsyncDebtCore
) -> None:
    scripted.status, scripted.headers, scripted.body = answer_

    async def run() -> None:
        with contextlib.suppress(DebtCoreError):
            await debtcore.offers.enrollment_plan(
                input=EnrollmentPlanInput(primary_applicant_state="GA")
            )

    started = time.monotonic()
    asyncio.run(run())
    assert time.monotonic() - started < TIMEOUT + SLACK


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer_=answers())
def test_sync_any_answer_ends_in_success_or_a_debtcore_error(
    answer_: tuple[int, dict[str, str], bytes],
    scripted: Scripted,
    server: RawServer,
    sync_transport: SyncGraphQLTransport,
) -> None:
    scripted.status, scripted.headers, scripted.body = answer_
    started = time.monotonic()
    with contextlib.suppress(DebtCoreError):
        result = sync_transport.send(
            service="offers",
            url=server.environment.url("offers"),
            query="query EnrollmentPlan { enrollmentPlan { data { servicingCompany } } }",
            operation_name="EnrollmentPlan",
            variables=None,
            kind="query",
        )
        result.errors  # noqa: B018 - reading the body is part of the call
    assert time.monotonic() - started < TIMEOUT + SLACK
