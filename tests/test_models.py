"""Custom scalars, open enums, list leniency and redacted reprs of the generated models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from alleviate_debtcore import InputValidationError
from alleviate_debtcore._models import is_sensitive
from alleviate_debtcore._scalars import parse_date, serialize_date
from alleviate_debtcore.credit import (
    CreditReportNodeFields,
    PullCreditReportInput,
    UserVerificationQuery,
)
from alleviate_debtcore.enrollment import EnrollmentStatus, EnrollmentStatusDataFields
from alleviate_debtcore.offers import OffersMutation
from alleviate_debtcore.underwriting import ApplicationTypeInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-01-15T10:30:00.000Z", datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),
        ("2025-01-15T10:30:00+02:00", datetime(2025, 1, 15, 8, 30, tzinfo=UTC)),
        ("2025-01-15T10:30:00", datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),  # naive: UTC
        ("2025-01-15", date(2025, 1, 15)),
        (1736937000000, datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),  # epoch milliseconds
        (1736937000, datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),  # epoch seconds
        ("1736937000000", datetime(2025, 1, 15, 10, 30, tzinfo=UTC)),
        (1736937000.5, datetime(2025, 1, 15, 10, 30, 0, 500000, tzinfo=UTC)),
    ],
)
def test_date_scalar_decodes_what_the_api_may_send(raw: object, expected: date) -> None:
    assert parse_date(raw) == expected
    assert type(parse_date(raw)) is type(expected)


@pytest.mark.parametrize("raw", ["yesterday", "", True, None, [], "2025-13-45"])
def test_date_scalar_rejects_garbage(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_date(raw)


def test_date_scalar_encodes_dates_and_utc_times() -> None:
    assert serialize_date(date(2025, 1, 15)) == "2025-01-15"
    assert serialize_date(datetime(2025, 1, 15, 10, 30, tzinfo=UTC)) == "2025-01-15T10:30:00.000Z"
    assert serialize_date(datetime(2025, 1, 15, 10, 30)) == "2025-01-15T10:30:00.000Z"


def test_date_fields_parse_in_models() -> None:
    node = CreditReportNodeFields.model_validate(
        {"id": "r1", "createdAt": "2025-01-15T10:30:00.000Z", "debts": None}
        | {k: None for k in CreditReportNodeFields.model_fields if k not in ("id",)}
        | {"createdAt": "2025-01-15T10:30:00.000Z"}
    )
    assert node.created_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)


def test_unknown_enum_value_from_a_newer_server_parses() -> None:
    # to_camel, the models' alias generator: before pydantic 2.12, FieldInfo.alias stays None
    # until a deferred model is first built.
    statuses = dict.fromkeys(map(to_camel, EnrollmentStatusDataFields.model_fields), "PENDING")
    statuses |= {"contactId": None, "createDocuments": "AWAITING_SIGNATURE"}
    data = EnrollmentStatusDataFields.model_validate(statuses)
    assert data.create_documents == "AWAITING_SIGNATURE"
    assert isinstance(data.create_documents, EnrollmentStatus)
    assert not data.create_documents.is_known
    assert data.qa_call is EnrollmentStatus.PENDING and data.qa_call.is_known
    assert data.model_dump(by_alias=True, mode="json")["createDocuments"] == "AWAITING_SIGNATURE"


def test_enum_inputs_serialize_as_their_value() -> None:
    assert ApplicationTypeInput("SINGLE") is ApplicationTypeInput.SINGLE
    assert str(ApplicationTypeInput.JOINT) == "JOINT"


def test_offer_error_message_as_bare_string_becomes_a_list() -> None:
    # The offers docs example sends message: "INVALID_FIRST_PAYMENT_DATE"; the schema: [String].
    result = OffersMutation.model_validate(
        {"offers": {"data": [], "errors": [{"message": "INVALID_FIRST_PAYMENT_DATE"}]}}
    )
    assert result.offers.errors is not None
    error = result.offers.errors[0]
    assert error is not None and error.message == ["INVALID_FIRST_PAYMENT_DATE"]


def test_non_list_garbage_in_a_list_field_is_still_rejected() -> None:
    with pytest.raises(ValidationError):
        OffersMutation.model_validate({"offers": {"data": [], "errors": [{"message": {"a": 1}}]}})


def test_reprs_redact_applicant_data() -> None:
    applicant = PullCreditReportInput.model_validate(
        {
            "creditReportSource": "ARRAY_EQUIFAX",
            "reqOrgContactId": "contact-1",
            "firstName": "THOMAS",
            "lastName": "DEVOS",
            "ssn": "666023511",
            "dob": "1957-09-06",
            "addressLine1": "BEAR CREEK RD",
        }
    )
    text = repr(applicant) + str(applicant)
    for secret in ("THOMAS", "DEVOS", "666023511", "1957-09-06", "BEAR CREEK"):
        assert secret not in text
    assert "contact-1" in text  # our own identifiers stay visible
    assert applicant.ssn == "666023511"  # the value itself is untouched
    verification = UserVerificationQuery.model_validate(
        {"userVerification": {"data": None, "errors": None}}
    )
    assert "userVerification" not in repr(verification)  # python names in reprs


def test_input_models_dump_with_graphql_names_and_skip_unset_fields() -> None:
    applicant = PullCreditReportInput(
        credit_report_source="CRS_TRANSUNION",  # type: ignore[arg-type]
        req_org_contact_id="c-1",
        first_name="A",
    )
    assert applicant.model_dump(mode="json", by_alias=True, exclude_unset=True) == {
        "creditReportSource": "CRS_TRANSUNION",
        "reqOrgContactId": "c-1",
        "firstName": "A",
    }


@pytest.mark.parametrize(
    "name",
    ["ssn", "applicant_ssn", "applicantDob", "dateOfBirth", "first_name", "applicantLastName",
     "bank_account_number", "routingNumber", "bankAccountHolderName", "email", "cellPhone",
     "homeAddress", "address_line1", "verificationCode", "reportJson", "name",
     "applicant_alternative_names"],
)  # fmt: skip
def test_sensitive_field_names(name: str) -> None:
    assert is_sensitive(name)


@pytest.mark.parametrize(
    "name", ["id", "credit_report_id", "currentBalance", "creditor_name", "revision", "state"]
)
def test_business_field_names_stay_visible(name: str) -> None:
    assert not is_sensitive(name)


def test_json_scalar_keeps_any_json_value_both_ways() -> None:
    from alleviate_debtcore.credit import NormalizeRawReportInput

    raw = {"report": {"tradelines": [{"balance": 12.5, "open": True, "note": None}]}, "v": [1, "2"]}
    model = NormalizeRawReportInput.model_validate(
        {"reportType": "CRS_TRANSUNION", "reqOrgContactId": "c-1", "reportJson": raw}
    )
    assert model.report_json == raw
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True)["reportJson"] == raw
    with pytest.raises(InputValidationError) as caught:
        NormalizeRawReportInput.model_validate(
            {"reportType": "CRS_TRANSUNION", "reqOrgContactId": "c-1", "reportJson": object()}
        )
    assert [e.path for e in caught.value.errors] == ["report_json"]


def test_generated_class_names_never_shadow_schema_types() -> None:
    # Regression: the EnrollmentStatus operation's result class once shadowed the enum.
    import importlib
    import inspect

    from graphql import build_schema

    from alleviate_debtcore import SERVICES

    root = Path(__file__).parent.parent
    for service in SERVICES:
        type_names = set(
            build_schema((root / "schemas" / f"{service}.graphql").read_text()).type_map
        )
        for path in sorted((root / "generated" / service).glob("*.py")):
            if path.stem in ("__init__", "input_types", "enums", "base_model", "base_client"):
                continue  # input types and enums carry the schema's own names
            if path.stem == "_operations":
                continue  # documents and operation constants, no classes
            module = importlib.import_module(f"alleviate_debtcore.generated.{service}.{path.stem}")
            defined = {
                name
                for name, obj in vars(module).items()
                if inspect.isclass(obj) and obj.__module__ == module.__name__
            }
            assert defined, path
            assert not defined & type_names, f"{path}: {defined & type_names}"
