"""Redaction by value: what a pull sent (SSN, date of birth, name, address) never reaches an
exception's ``str``, ``repr`` or printed traceback, in whatever spelling a server echoes it, on
every error path (payload errors, top-level GraphQL errors, 4xx bodies), sync and async.

The applicant's values are only ever passed through ``APPLICANT``: a traceback prints the source
line of each frame, and a literal on the calling line would be "leaked" by the test itself.
"""

from __future__ import annotations

import asyncio
import re
import time
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth
from tests.support.raw_server import RawServer, answer, raw_server

from alleviate_debtcore import (
    AsyncDebtCore,
    BadRequestError,
    DebtCore,
    DebtCoreError,
    EndpointNotFoundError,
    Environment,
    GraphQLResponseError,
    InputValidationError,
    NotFoundError,
    PayloadError,
    ResponseDecodeError,
    RetryPolicy,
    UnprocessableEntityError,
    unwrap,
)
from alleviate_debtcore._graphql_response import request_id_of
from alleviate_debtcore._redaction import MAX_TEXT, REDACTED, Redactor, redact
from alleviate_debtcore.sandbox import SandboxServer

SSN, DOB, FIRST, LAST = "666023511", "1957-09-06", "THOMAS", "DEVOS"
STREET, CITY, ZIP = "110 BEAR CREEK RD", "MADISON", "53703"
APPLICANT: dict[str, Any] = {
    "credit_report_source": "ARRAY_EQUIFAX",
    "req_org_contact_id": "contact-77",
    "first_name": FIRST,
    "last_name": LAST,
    "ssn": SSN,
    "dob": DOB,
    "address_line1": STREET,
    "city": CITY,
    "state": "WI",
    "zip": ZIP,
}
REQUEST_ID = "req-redaction-1"

# Every spelling of the values a server might write back, each one a string that must not
# appear (as a whole word, any case) in what an exception prints.
SPELLINGS = [
    # SSN
    "666023511", "666-02-3511", "666 02 3511", "666.02.3511", "666 023 511", "3511",
    # date of birth
    "1957-09-06", "1957-9-6", "1957/09/06", "09/06/1957", "9/6/1957", "06/09/1957",
    "6.9.1957", "09-06-57", "19570906", "Sep 6, 1957", "September 6 1957", "Sept. 6th, 1957",
    "6 Sep 1957", "06-Sep-1957", "6th of September 1957", "1957 Sep 06", "SEP 06 1957",
    "SEP061957",
    # name
    "THOMAS DEVOS", "DEVOS, THOMAS", "Thomas", "devos", "T H O M A S", "D.E.V.O.S",
    # address
    "110 BEAR CREEK RD", "110 Bear Creek Road", "Bear Creek", "BEAR", "creek", "Madison",
    "53703", "53703-0000",
]  # fmt: skip


def fullwidth(text: str) -> str:
    """``text`` in full-width forms (what NFKC folds back to ASCII)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


FORBIDDEN = [*SPELLINGS, fullwidth(SSN), fullwidth(LAST), "\u200b".join(LAST.title())]
# Each echo carries several spellings, the way real servers and vendors write them.
ECHOES = [
    f"ssn {SSN} / dob {DOB} rejected",
    f"mail {FIRST.lower()}.{LAST.lower()}@example.com bounced",
    f"applicant {FIRST} {LAST}, {STREET}, {CITY} WI {ZIP} does not match the bureau's file",
    *(f"could not verify {spelling}: identity mismatch" for spelling in SPELLINGS),
    "; ".join(SPELLINGS),
    "; ".join(FORBIDDEN[-3:]),
    f'Variable "$input" got invalid value {{ ssn: "{SSN}", dob: "{DOB}" }} at "input"; '
    f'Expected type "Int". ("{LAST}, {FIRST}")',
]


def _pattern(spelling: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(spelling)}(?![^\W_])", re.IGNORECASE)


LEAKS = [(spelling, _pattern(spelling)) for spelling in FORBIDDEN]
# The "File ..., line N, in f" lines name source positions, not data (a line number may be 3511).
_FRAME = re.compile(r'^\s*File ".*", line \d+, in .*$', re.MULTILINE)


def printed(error: BaseException) -> str:
    """Everything an exception shows: its traceback with its whole chain, and its repr."""
    text = "".join(traceback.format_exception(error)) + repr(error)
    details = getattr(error, "errors", None)
    if isinstance(details, list) and isinstance(error, GraphQLResponseError):
        text += repr(details)
    return _FRAME.sub("", text)


def assert_clean(error: BaseException) -> None:
    text = printed(error)
    leaked = [spelling for spelling, pattern in LEAKS if pattern.search(text)]
    assert not leaked, f"{leaked} leaked: {text}"
    assert isinstance(error, DebtCoreError)


# --- the servers ---------------------------------------------------------------------------------


def payload_errors(message: str) -> dict[str, Any]:
    return {"data": {"pullCreditReport": {"data": None, "errors": [{"message": message}]}}}


def graphql_errors(message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "path": ["pullCreditReport", SSN],
                "extensions": {"code": "BAD_USER_INPUT", "value": message, "ssn": int(SSN)},
            },
            {"message": f"second: {LAST}"},
        ],
    }


# (path, HTTP status, body, the error class expected)
PATHS = [
    ("payload", 200, payload_errors, PayloadError),
    ("graphql", 200, graphql_errors, GraphQLResponseError),
    ("400", 400, graphql_errors, BadRequestError),
    ("404", 404, graphql_errors, EndpointNotFoundError),
    ("422", 422, graphql_errors, UnprocessableEntityError),
]
RETRIES = RetryPolicy(initial_delay=0.001, max_delay=0.001)


@pytest.fixture
async def async_client() -> Any:
    async with AsyncDebtCore(
        auth=StaticAuth(), environment=Environment.SANDBOX, retry_policy=RETRIES, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def sync_client() -> Iterator[DebtCore]:
    with DebtCore(
        auth=StaticAuth(), environment=Environment.SANDBOX, retry_policy=RETRIES, max_retries=0
    ) as client:
        yield client


@pytest.mark.parametrize(("path", "status", "body", "expected"), PATHS, ids=[p[0] for p in PATHS])
async def test_async_echoes_of_what_the_pull_sent_never_reach_an_exception(
    async_client: AsyncDebtCore,
    httpx_mock: HTTPXMock,
    path: str,
    status: int,
    body: Any,
    expected: type[DebtCoreError],
) -> None:
    for echo in ECHOES:
        httpx_mock.add_response(
            status_code=status, json=body(echo), headers={"x-request-id": REQUEST_ID}
        )
        with pytest.raises(expected) as caught:
            await async_client.credit.pull_credit_report(**APPLICANT)
        assert_clean(caught.value)
        # What to fix is still said, and the request id stays quotable.
        assert REQUEST_ID in str(caught.value) and REDACTED in str(caught.value)


@pytest.mark.parametrize(("path", "status", "body", "expected"), PATHS, ids=[p[0] for p in PATHS])
def test_sync_echoes_of_what_the_pull_sent_never_reach_an_exception(
    sync_client: DebtCore,
    httpx_mock: HTTPXMock,
    path: str,
    status: int,
    body: Any,
    expected: type[DebtCoreError],
) -> None:
    for echo in ECHOES:
        httpx_mock.add_response(status_code=status, json=body(echo))
        with pytest.raises(expected) as caught:
            sync_client.credit.pull_credit_report(**APPLICANT)
        assert_clean(caught.value)


async def test_graphql_error_details_are_redacted_but_keep_their_code(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=graphql_errors(ECHOES[0]))
    with pytest.raises(GraphQLResponseError) as caught:
        await async_client.credit.pull_credit_report(**APPLICANT)
    first = caught.value.errors[0]
    assert first.code == "BAD_USER_INPUT" and "[BAD_USER_INPUT]" in str(caught.value)
    assert first.path == ["pullCreditReport", REDACTED]
    assert first.extensions["ssn"] == REDACTED and SSN not in repr(first.extensions)
    assert first.message == f"ssn {REDACTED} / dob {REDACTED} rejected"


async def test_payload_errors_keep_the_server_answer_in_attributes_only(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json=payload_errors(ECHOES[0]), is_reusable=True)
    with pytest.raises(PayloadError) as caught:
        await async_client.credit.pull_credit_report(**APPLICANT)
    # The returned data is the caller's to read; only what the exception prints is redacted.
    assert caught.value.messages == [ECHOES[0]]
    assert str(caught.value) == (
        f"the API reported 1 error(s): ssn {REDACTED} / dob {REDACTED} rejected (request id "
        f"{caught.value.request_id})"
    )
    # unwrap of a with_payload result redacts the same values.
    payload = await async_client.credit.with_payload.pull_credit_report(**APPLICANT)
    with pytest.raises(PayloadError) as unwrapped:
        unwrap(payload)
    assert_clean(unwrapped.value)


@pytest.mark.parametrize("header", ["x-request-id", "content-type"])
async def test_headers_echoing_values_are_redacted_too(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock, header: str
) -> None:
    # A server-chosen request id and content type are quoted in messages: the same echo channel.
    if header == "content-type":
        httpx_mock.add_response(content=b"<html>", headers={header: f"text/html; x={SSN}"})
        expected: type[DebtCoreError] = ResponseDecodeError
    else:
        httpx_mock.add_response(json=payload_errors("NOPE"), headers={header: f"{LAST}-{SSN}"})
        expected = PayloadError
    with pytest.raises(expected) as caught:
        await async_client.credit.pull_credit_report(**APPLICANT)
    assert_clean(caught.value)


def test_bad_arguments_never_show_the_values() -> None:
    with DebtCore(auth=StaticAuth(), environment=Environment.SANDBOX) as client:
        for bad in ({"ssn": int(SSN)}, {"dob": {"date": DOB}}, {"first_name": [FIRST, LAST]}):
            with pytest.raises(InputValidationError) as caught:
                client.credit.pull_credit_report(**{**APPLICANT, **bad})
            assert_clean(caught.value)


# --- over real HTTP on 127.0.0.1 -----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server() as running:
        yield running


@pytest.mark.parametrize(("path", "status", "body", "expected"), PATHS, ids=[p[0] for p in PATHS])
async def test_over_http_both_faces(
    server: RawServer, path: str, status: int, body: Any, expected: type[DebtCoreError]
) -> None:
    echo = "; ".join(FORBIDDEN)
    server.set(api=lambda request: answer(status, body(echo)))
    options: dict[str, Any] = {
        "client_id": "local-client",
        "client_secret": "pii-secret",
        "environment": server.environment,
        "retry_policy": RETRIES,
        "max_retries": 0,
    }
    async with AsyncDebtCore(**options) as debtcore:
        with pytest.raises(expected) as caught:
            await debtcore.credit.pull_credit_report(**APPLICANT)
    assert_clean(caught.value)

    def sync_face() -> BaseException:  # in a thread: a blocking client must not run on the loop
        with DebtCore(**options) as sync_debtcore, pytest.raises(expected) as caught_sync:
            sync_debtcore.credit.pull_credit_report(**APPLICANT)
        return caught_sync.value

    assert_clean(await asyncio.to_thread(sync_face))


# --- NotFoundError -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "messages",
    [
        ["NOT_FOUND"],
        ["NOT_FOUND: no credit report with creditReportId cr-9"],
        ["VALIDATION_ERROR: zip", " NOT_FOUND : no such id"],  # one NOT_FOUND among others
    ],
)
async def test_not_found_payload_errors_raise_not_found_error(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock, messages: list[str]
) -> None:
    errors = [{"message": message} for message in messages]
    body = {"data": {"creditReport": {"data": None, "errors": errors}}}
    httpx_mock.add_response(json=body, is_reusable=True)
    with pytest.raises(NotFoundError) as caught:
        await async_client.credit.credit_report("cr-9")
    assert isinstance(caught.value, PayloadError)
    payload = await async_client.credit.with_payload.credit_report("cr-9")
    with pytest.raises(NotFoundError):
        unwrap(payload)


@pytest.mark.parametrize("message", ["VALIDATION_ERROR: zip", "NOT_FOUNDATION: x", "x NOT_FOUND"])
async def test_other_payload_errors_stay_payload_errors(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock, message: str
) -> None:
    body = {"data": {"creditReport": {"data": None, "errors": [{"message": message}]}}}
    httpx_mock.add_response(json=body)
    with pytest.raises(PayloadError) as caught:
        await async_client.credit.credit_report("cr-9")
    assert type(caught.value) is PayloadError


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


async def test_the_sandbox_answers_an_unknown_report_with_not_found(sandbox: SandboxServer) -> None:
    options: dict[str, Any] = {
        "client_id": "local-client",
        "client_secret": "local-secret",
        "environment": sandbox.environment,
    }
    async with AsyncDebtCore(**options) as debtcore:
        with pytest.raises(NotFoundError) as caught:
            await debtcore.credit.credit_report("cr-missing")
    assert caught.value.messages[0].startswith("NOT_FOUND")

    def sync_face() -> None:  # in a thread: a blocking client must not run on the loop
        with DebtCore(**options) as sync_debtcore, pytest.raises(NotFoundError):
            sync_debtcore.credit.credit_report("cr-missing")

    await asyncio.to_thread(sync_face)


# --- the rules, one by one ------------------------------------------------------------------------


SENT = {"input": {key: value for key, value in APPLICANT.items()}}


@pytest.mark.parametrize("spelling", FORBIDDEN)
def test_every_spelling_is_removed(spelling: str) -> None:
    redacted = redact(f"rejected: {spelling}.", SENT)
    assert redacted.startswith(f"rejected: {REDACTED}") and redacted.endswith(".")
    assert not [s for s, pattern in LEAKS if pattern.search(redacted)], redacted


@pytest.mark.parametrize(
    "text",
    [
        "ARRAY_EQUIFAX requires zip; state WI is not served",  # enums and short values stay
        "annual review: the plan's terms",  # no shredding of words that merely contain a value
        "no credit report with creditReportId cr-1 (HTTP 400, 3 errors)",
        "request id 3f2a1b4c-1a2b-4c3d-8e9f-123456789012",  # a UUID is not an SSN
    ],
)
def test_messages_without_the_values_are_kept(text: str) -> None:
    assert redact(text, {"name": "Ann", "state": "WI", "source": "ARRAY_EQUIFAX", "n": 400}) == text


def test_the_patterns_apply_whatever_was_sent() -> None:
    for shaped in ("111-22-3333", "111 22 3333", "123456789", "2001-2-3", "02/03/2001"):
        assert redact(f"value {shaped} rejected") == f"value {REDACTED} rejected"
    for shaped in ("20010203", "Feb 3, 2001", "3 February 2001", "03-Feb-2001"):
        assert redact(f"value {shaped} rejected") == f"value {REDACTED} rejected"


def test_numbers_and_nested_values_are_leaves_too() -> None:
    sent = {"input": {"debts": [{"balance": 123456, "creditor": "ACME CARD SERVICES"}]}}
    assert redact("balance 123,456 with acme card services", sent) == (
        f"balance {REDACTED} with {REDACTED}"
    )
    assert redact("3 of 4 with 999", {"n": 999, "ok": True}) == "3 of 4 with 999"


def test_accented_and_unicode_spellings() -> None:
    sent = {"first": "José", "last": "Núñez"}
    redacted = redact(f"JOSE NUNEZ; josé; {fullwidth('Nunez')}", sent)
    assert redacted == f"{REDACTED} {REDACTED}; {REDACTED}; {REDACTED}"


def test_long_texts_are_cut_without_splitting_a_value() -> None:
    text = "x" * (MAX_TEXT - 5) + f" {SSN} " + "y" * 100_000
    redacted = redact(text, SENT)
    assert SSN[:3] not in redacted[MAX_TEXT - 10 :]
    assert redacted.endswith("more characters withheld)") and len(redacted) < MAX_TEXT + 100
    assert REDACTED in redacted


def test_the_redactor_is_built_only_when_a_text_is_redacted() -> None:
    redactor = Redactor(SENT)
    assert not redactor._built  # pyright: ignore[reportPrivateUsage]
    redactor("x")
    assert redactor._built  # pyright: ignore[reportPrivateUsage]


async def test_the_success_path_builds_no_redactor(
    async_client: AsyncDebtCore, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    monkeypatch.setattr(Redactor, "_build", lambda self: built.append(self))
    report = dict.fromkeys(
        ["reqOrgContactId", "leadId", "applicantResidenceState", "publicRecords", "debts"]
    ) | {"creditReportId": "cr-1", "source": "X", "reportStatus": "OK", "fileStatus": "OK"}
    httpx_mock.add_response(json={"data": {"pullCreditReport": {"data": report, "errors": None}}})
    result = await async_client.credit.pull_credit_report(**APPLICANT)
    assert result.credit_report_id == "cr-1" and built == []


def test_many_values_and_long_texts_stay_fast() -> None:
    # An eligibility check may send hundreds of debts: the error path must not stall on them.
    debts = [
        {"creditor": f"CREDITOR {i} LLC", "balance": 10_000 + i, "account": f"{i:012d}"}
        for i in range(400)
    ]
    text = ("CREDITOR 7 LLC owes 10007 on 000000000007, " + "x" * 50) * 200
    started = time.perf_counter()
    redacted = redact(text, {"input": {"debts": debts}})
    assert time.perf_counter() - started < 2.0  # about 20 ms on a laptop
    assert "CREDITOR 7" not in redacted and "10007" not in redacted


def test_deeply_nested_extensions_are_redacted() -> None:
    nested: Any = SSN
    for _ in range(150):
        nested = {"inner": [nested]}
    redacted = Redactor(SENT).json(nested)
    assert SSN not in repr(redacted) and REDACTED in repr(redacted)


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("srv-42", True),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("666023511", False),  # digits only: an SSN
        ("THOMAS DEVOS", False),  # free text
        ("DEVOS", False),  # a bare word
        ("1957-09-06", False),  # no letter: a date
        ("x" * 129 + "1", False),
    ],
)
def test_server_request_id_is_taken_only_when_id_shaped(header: str, kept: bool) -> None:
    # The request id reaches logs and error attributes unredacted: free text falls back to ours.
    response = httpx.Response(200, headers={"x-request-id": header})
    assert request_id_of(response, "ours") == (header if kept else "ours")
