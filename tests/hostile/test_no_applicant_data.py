"""No SSN, date of birth or name in any exception of the transport and token paths, anywhere in
its printed chain (``traceback.format_exception`` follows ``__cause__`` and ``__context__``).

The server echoes the applicant's values the way graphql-js does, across several clauses.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import pytest

from tests.support.raw_server import Handler, RawServer, answer, raw_server

from alleviate_debtcore import AsyncDebtCore, DebtCoreError, RetryPolicy
from alleviate_debtcore._redaction import redact
from alleviate_debtcore.credit import PullCreditReportInput

SSN, DOB, FIRST, LAST = "666023511", "1957-09-06", "THOMAS", "DEVOS"
APPLICANT = PullCreditReportInput.model_validate(
    {
        "creditReportSource": "ARRAY_EQUIFAX",
        "reqOrgContactId": "contact-1",
        "firstName": FIRST,
        "lastName": LAST,
        "ssn": SSN,
        "dob": DOB,
    }
)
ECHOES = [
    f'Variable "$input" got invalid value {{ ssn: {SSN}, dob: "{DOB}", firstName: "{FIRST}", '
    f'lastName: "{LAST}" }}; Field "zip" of required type "String!" was not provided.',
    f"Variable \"$input\" got invalid value {SSN} at 'input.ssn'; String cannot represent a "
    f"non string value: {SSN}",
    f'Expected value of type "Date", found "{DOB}"; Date cannot represent value: "{DOB}"',
    f'String cannot represent a non string value: "{FIRST} {LAST}"; more: {SSN}',
    f"ssn {SSN[:3]}-{SSN[3:5]}-{SSN[5:]} born {DOB}",
]


def echo(status: int, message: str) -> Handler:
    return lambda request: answer(status, {"data": None, "errors": [{"message": message}]})


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server() as running:
        yield running


def printed(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error)


@pytest.mark.parametrize("status", [200, 400, 422, 500])
@pytest.mark.parametrize("message", ECHOES)
async def test_server_echoes_never_reach_an_exception(
    status: int, message: str, server: RawServer
) -> None:
    server.set(api=echo(status, message))
    async with AsyncDebtCore(
        client_id="local-client",
        client_secret="pii-secret",
        environment=server.environment,
        retry_policy=RetryPolicy(initial_delay=0.001, max_delay=0.001),
    ) as debtcore:
        with pytest.raises(DebtCoreError) as caught:
            await debtcore.credit.pull_credit_report(input=APPLICANT)
    text = printed(caught.value)
    for value in (SSN, DOB, FIRST, LAST, f"{SSN[:3]}-{SSN[3:5]}-{SSN[5:]}"):
        assert value not in text, f"{value} leaked: {text}"
    if status == 200:
        details = caught.value.errors  # type: ignore[attr-defined]
        assert all(SSN not in d.message and DOB not in d.message for d in details)


def test_redaction_covers_the_whole_message() -> None:
    # The regression from the issue: the second clause kept the SSN.
    message = f"... at 'input.ssn'; String cannot represent a non string value: {SSN}"
    assert SSN not in redact(message)
    # Text around the echoes is kept: it says what to fix.
    redacted = redact(ECHOES[0])
    assert 'Field "zip" of required type "String!" was not provided.' in redacted
    assert "got invalid value <redacted>" in redacted
    assert redact('Cannot query field "foo" on type "Query".') == (
        'Cannot query field "foo" on type "Query".'
    )


async def test_token_endpoint_errors_do_not_repeat_its_text(server: RawServer) -> None:
    description = f"AADSTS7000215: secret for {FIRST} {LAST} ({SSN}) is wrong"
    server.set(
        token=lambda request: answer(
            401,
            {"error": "invalid_client", "error_description": description, "error_codes": [7000215]},
        )
    )
    async with AsyncDebtCore(
        client_id="local-client", client_secret="pii-secret", environment=server.environment
    ) as debtcore:
        with pytest.raises(DebtCoreError) as caught:
            await debtcore.credit.pull_credit_report(input=APPLICANT)
    text = printed(caught.value)
    assert "AADSTS7000215" in text
    for value in (SSN, FIRST, LAST, "pii-secret"):
        assert value not in text


def _assert_clean(error: BaseException) -> None:
    text = printed(error)
    for value in (SSN, DOB, FIRST, LAST, f"{SSN[:3]}-{SSN[3:5]}-{SSN[5:]}"):
        assert value not in text, f"{value} leaked: {text}"


async def test_a_mismatched_2xx_carrying_applicant_data_never_reaches_an_exception(
    server: RawServer,
) -> None:
    # The report comes back with the applicant's values where the models expect other types: the
    # validation error names paths and reasons, never the values, and chains no pydantic error.
    report = {
        "id": 7,
        "applicantSsn": int(SSN),
        "applicantDob": {"value": DOB},
        "applicantFirstName": [FIRST],
        "applicantLastName": {"name": LAST},
        "debts": f"{FIRST} {LAST} {SSN}",
    }
    server.set(
        api=lambda request: answer(
            200, {"data": {"pullCreditReport": {"data": report, "errors": None}}}
        )
    )
    async with AsyncDebtCore(
        client_id="local-client", client_secret="pii-secret", environment=server.environment
    ) as debtcore:
        with pytest.raises(DebtCoreError) as caught:
            await debtcore.credit.pull_credit_report(input=APPLICANT)
    assert type(caught.value).__name__ == "ResponseValidationError"
    _assert_clean(caught.value)


@pytest.mark.parametrize(
    "bad",
    [
        {"ssn": int(SSN)},  # a number where a string goes
        {"snn": SSN},  # an unknown key
        {"dob": {"date": DOB}, "first_name": [FIRST], "last_name": {"n": LAST}},
        {"credit_report_source": f"{FIRST} {LAST}"},  # not an enum value
    ],
)
def test_bad_input_models_never_show_applicant_data(bad: dict[str, object]) -> None:
    fields = {
        "credit_report_source": "ARRAY_EQUIFAX",
        "req_org_contact_id": "contact-1",
        "first_name": FIRST,
        "last_name": LAST,
        "ssn": SSN,
        "dob": DOB,
        **bad,
    }
    with pytest.raises(DebtCoreError) as caught:
        PullCreditReportInput.model_validate(fields)
    _assert_clean(caught.value)
    with pytest.raises(DebtCoreError) as constructed:
        PullCreditReportInput(**fields)  # type: ignore[arg-type]
    _assert_clean(constructed.value)
