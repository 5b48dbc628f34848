"""Hostile answers from the API and the token endpoint, over real HTTP on 127.0.0.1.

Every case must end in the expected ``DebtCoreError`` subclass within 15 s, for a query and for a
mutation: no RecursionError, OverflowError, ValueError, hang or retry of a hopeless answer.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.raw_server import (
    GOOD_TOKEN,
    Handler,
    RawRequest,
    RawServer,
    Step,
    answer,
    head,
    raw_server,
)

from alleviate_debtcore import (
    APIConnectionError,
    AsyncDebtCore,
    DebtCoreError,
    GraphQLResponseError,
    InternalServerError,
    MalformedTokenResponseError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
    TokenEndpointError,
)
from alleviate_debtcore.enrollment import CreateEnrollmentInput
from alleviate_debtcore.offers import EnrollmentPlanInput

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
LIMIT = 15.0


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def raw(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: answer(status, body, headers)


def html(status: int) -> Handler:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    return lambda request: answer(status, page, content_type="text/html")


def cut_short(request: RawRequest) -> list[Step]:
    # Promises 1,000 bytes, sends 20, hangs up.
    return [head(200, {"Content-Type": "application/json", "Content-Length": "1000"}) + b"{" * 20]


def garbage(request: RawRequest) -> list[Step]:
    return [b"SSH-2.0-OpenSSH_9.6\r\n\r\n"]


def token_with(**fields: Any) -> Handler:
    return lambda request: answer(200, {**GOOD_TOKEN, **fields})


def token_raw(status: int, body: str) -> Handler:
    return lambda request: answer(status, body)


BIG = "1" + "0" * 399  # a 400-digit number
# Raw JSON text: the json module would not write such a number where a float is expected.
EXPIRES_IN_BIG = json.dumps(GOOD_TOKEN).replace('"expires_in": 3600', f'"expires_in": {BIG}')
REFRESH_IN_BIG = json.dumps(GOOD_TOKEN)[:-1] + f', "refresh_in": {BIG}}}'

# name: (API handler or None for a good one, token handler or None, expected error)
CASES: dict[str, tuple[Handler | None, Handler | None, type[DebtCoreError]]] = {
    "deep-json-1000": (raw(200, '{"data": ' + deep(1_000) + "}"), None, ResponseDecodeError),
    "deep-json-100000": (raw(200, '{"data": ' + deep(100_000) + "}"), None, ResponseDecodeError),
    "deep-json-in-errors": (
        raw(200, '{"errors": [{"message": "x", "extensions": ' + deep(5_000) + "}]}"),
        None,
        ResponseDecodeError,
    ),
    "deep-json-500": (raw(500, deep(100_000)), None, InternalServerError),
    "retry-after-soon": (raw(429, "{}", {"Retry-After": "soon"}), None, RateLimitError),
    "retry-after-nan": (raw(429, "{}", {"Retry-After": "nan"}), None, RateLimitError),
    "retry-after-inf": (raw(429, "{}", {"Retry-After": "inf"}), None, RateLimitError),
    "retry-after-minus-inf": (raw(429, "{}", {"Retry-After": "-inf"}), None, RateLimitError),
    "retry-after-ms-nan": (raw(429, "{}", {"retry-after-ms": "nan"}), None, RateLimitError),
    "retry-after-bad-date": (
        raw(503, "{}", {"Retry-After": "Thu, 99 Foo 99999 99:99:99 GMT"}),
        None,
        InternalServerError,
    ),
    "html-502": (html(502), None, InternalServerError),
    "html-200": (html(200), None, ResponseDecodeError),
    "truncated-json": (raw(200, '{"data": {"enrollm'), None, ResponseDecodeError),
    "empty-200": (raw(200, ""), None, ResponseDecodeError),
    "invalid-utf8": (raw(200, b'{"data": {"x": "\xff\xfe"}}'), None, ResponseDecodeError),
    "errors-empty-object": (raw(200, '{"errors": [{}]}'), None, GraphQLResponseError),
    "errors-not-a-list": (raw(200, '{"errors": "boom"}'), None, ResponseDecodeError),
    "data-null": (raw(200, '{"data": null}'), None, ResponseValidationError),
    "huge-number": (
        raw(200, '{"data": {"enrollmentPlan": {"data": {"servicingCompany": ' + BIG + "}}}}"),
        None,
        ResponseValidationError,
    ),
    "float-overflow": (
        raw(200, '{"data": {"enrollmentPlan": {"data": {"servicingCompany": 1e400}}}}'),
        None,
        ResponseValidationError,
    ),
    "bad-gzip": (raw(200, b"\x00garbage", {"Content-Encoding": "gzip"}), None, ResponseDecodeError),
    "cut-short": (cut_short, None, APIConnectionError),
    "not-http": (garbage, None, APIConnectionError),
    "declared-10-gb": (
        lambda r: [
            head(200, {"Content-Type": "application/json", "Content-Length": "10" + "0" * 9})
        ],
        None,
        ResponseTooLargeError,
    ),
    "gzip-bomb": (
        raw(200, gzip.compress(b" " * 20_000_000), {"Content-Encoding": "gzip"}),
        None,
        ResponseTooLargeError,
    ),
    # --- the token endpoint ---
    "token-expires-in-400-digits": (
        None,
        token_raw(200, EXPIRES_IN_BIG),
        MalformedTokenResponseError,
    ),
    "token-refresh-in-400-digits": (
        None,
        token_raw(200, REFRESH_IN_BIG),
        MalformedTokenResponseError,
    ),
    "token-expires-in-inf": (None, token_with(expires_in="inf"), MalformedTokenResponseError),
    "token-expires-in-nan": (None, token_with(expires_in="NaN"), MalformedTokenResponseError),
    "token-crlf": (None, token_with(access_token="abc\r\nX-Evil: 1"), MalformedTokenResponseError),
    "token-nul": (None, token_with(access_token="abc\x00def"), MalformedTokenResponseError),
    "token-space": (None, token_with(access_token="abc def"), MalformedTokenResponseError),
    "token-deep-json-1000": (None, token_raw(200, deep(1_000)), MalformedTokenResponseError),
    "token-deep-json-100000": (None, token_raw(200, deep(100_000)), MalformedTokenResponseError),
    "token-deep-json-500": (None, token_raw(500, deep(100_000)), TokenEndpointError),
    "token-retry-after-nan": (
        None,
        lambda r: answer(429, "{}", {"Retry-After": "nan", "retry-after-ms": "nan"}),
        TokenEndpointError,
    ),
    "token-html-200": (
        None,
        lambda r: answer(200, "<html/>", content_type="text/html"),
        MalformedTokenResponseError,
    ),
    "token-too-large": (
        None,
        lambda r: [head(200, {"Content-Type": "application/json", "Content-Length": str(10**9)})],
        MalformedTokenResponseError,
    ),
}
PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}
ENROLL_OK = {"data": {"createEnrollment": {"data": None, "errors": None}}}


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server() as running:
        yield running


def good_api(request: RawRequest) -> list[Step]:
    query = request.json()["query"]
    return answer(200, ENROLL_OK if query.lstrip().startswith("mutation") else PLAN_OK)


async def call(debtcore: AsyncDebtCore, kind: str) -> Any:
    if kind == "query":
        return await debtcore.offers.enrollment_plan(
            input=EnrollmentPlanInput(primary_applicant_state="GA")
        )
    return await debtcore.enrollment.create_enrollment(
        input=CreateEnrollmentInput.model_validate(
            {"ogId": "og-1", "leadId": "lead-1", "contactInfo": {"jobClassification": "W_2"}}
        )
    )


def client(server: RawServer, **options: Any) -> AsyncDebtCore:
    return AsyncDebtCore(
        client_id="local-client",
        client_secret="hostile-secret",
        environment=server.environment,
        **({"retry_policy": FAST, "max_response_size": 4 * 1024 * 1024} | options),
    )


@pytest.mark.parametrize("kind", ["query", "mutation"])
@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_answer_ends_in_its_debtcore_error(
    name: str, kind: str, server: RawServer
) -> None:
    api, token, expected = CASES[name]
    server.set(api=api or good_api, token=token)
    started = time.monotonic()
    async with client(server) as debtcore:
        with pytest.raises(DebtCoreError) as caught:
            await call(debtcore, kind)
    assert time.monotonic() - started < LIMIT
    assert isinstance(caught.value, expected), repr(caught.value)
    if expected is MalformedTokenResponseError:  # never retried, and no API call without a token
        assert len(server.token_requests()) == 1
        assert server.api_requests() == []


@pytest.mark.parametrize("header", [{"Retry-After": "nan"}, {"retry-after-ms": "nan"}])
async def test_non_finite_retry_after_counts_as_absent(
    header: dict[str, str], server: RawServer
) -> None:
    server.set(api=raw(429, "{}", header))
    async with client(server, max_retries=1) as debtcore:
        with pytest.raises(RateLimitError) as caught:
            await call(debtcore, "query")
    assert caught.value.retry_after is None
    assert len(server.api_requests()) == 2  # retried once, after our own short backoff


async def test_a_slowly_streamed_body_over_the_limit_is_refused_early(server: RawServer) -> None:
    # 64 KiB every 0.1 s, chunked: 1 MiB is crossed after about 1.6 s, long before the end.
    def slow_stream(request: RawRequest) -> Iterator[Step]:
        yield head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        chunk = b" " * 65536
        for _ in range(10_000):
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            yield 0.1

    server.set(api=slow_stream)
    started = time.monotonic()
    async with AsyncDebtCore(
        client_id="local-client",
        client_secret="hostile-secret",
        environment=server.environment,
        max_response_size=1024 * 1024,
    ) as debtcore:
        with pytest.raises(ResponseTooLargeError, match="max_response_size of 1048576"):
            await call(debtcore, "query")
    assert time.monotonic() - started < LIMIT


async def test_a_declared_size_over_the_limit_is_refused_before_reading(server: RawServer) -> None:
    sent: list[int] = []

    def declared(request: RawRequest) -> Iterator[Step]:
        yield head(200, {"Content-Type": "application/json", "Content-Length": str(2 * 1024**2)})
        for _ in range(32):
            sent.append(1)
            yield b" " * 65536
            yield 0.05

    server.set(api=declared)
    async with client(server, max_response_size=1024 * 1024) as debtcore:
        with pytest.raises(ResponseTooLargeError, match="declared 2097152 bytes"):
            await call(debtcore, "query")
    time.sleep(0.5)
    assert len(sent) <= 8  # the connection was dropped, not drained


def test_token_response_number_checks_never_raise_outside_the_tree() -> None:
    import httpx

    from alleviate_debtcore.auth._response import read_token_response

    for expires_in in (BIG, "1e400", "-5", 0, 10**12, "NaN", True, None, [1], {"a": 1}):
        body = json.dumps({**GOOD_TOKEN, "expires_in": 0}).replace(
            '"expires_in": 0',
            f'"expires_in": {json.dumps(expires_in) if expires_in != BIG else BIG}',
        )
        response = httpx.Response(200, content=body.encode())
        with pytest.raises(MalformedTokenResponseError):
            read_token_response(response, sent_at=0.0)
