"""Credit service: reports (pull, normalize a raw report, joint merge, reads and listings).

A report's debts are the applicant's deterministic file (``_tradelines``) unless a scenario
scripted them (``_scenarios``); reports are COMPLETED at once unless a scenario says otherwise.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any, cast

from ._connections import matches_search, page_args, paginate, sort_items
from ._creditors import add_creditor
from ._dates import parse_iso_date
from ._hashing import det_hex, det_uuid
from ._payload_envelope import NOT_FOUND, VALIDATION_ERROR, BusinessError, JsonDict
from ._pdf import tiny_pdf
from ._records import CreditReport
from ._resolvers import RequestContext, ServiceResolvers
from ._state import SandboxState
from ._tradelines import score, tradelines
from ._validation import check_identity, require_fields
from ._verifications import find_verification

resolvers = ServiceResolvers("credit")


_NAME = ("firstName", "lastName")
_ADDRESS = ("addressLine1", "city", "state")
REQUIRED_PULL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "SPINWHEEL": (),
    "CRS_TRANSUNION": (*_NAME, *_ADDRESS, "zip"),
    "CRS_EQUIFAX": (*_NAME, "ssn", *_ADDRESS),
    "ARRAY_EQUIFAX": (*_NAME, "ssn", "dob", *_ADDRESS, "zip"),
    "ARRAY_EQUIFAX_KBA": ("userVerificationId",),
    "CRS_STANDARD_PREQUAL_VANTAGE4_TU": (*_NAME, "ssn", *_ADDRESS, "zip"),
}
_TRANSUNION_SOURCES = frozenset(
    {"CRS_TRANSUNION", "CRS_STANDARD_PREQUAL_VANTAGE4_TU", "CRS_STANDARD_PREQUAL_VANTAGE4"}
)
# The schema: "Give it for CRS reports, whose raw data lacks it" - these two formats carry no date.
# Any other format needs reportRequestedAt only when its raw report has no request date either.
DATELESS_RAW_FORMATS = frozenset({"CRS_TRANSUNION", "CRS_EQUIFAX"})
# Keys (case and underscores ignored) under which vendors put the request date.
_RAW_DATE_KEYS = frozenset({"daterequested", "requestdate", "requesteddate", "reportdate"})
_IDENTITY_FIELDS = (
    "firstName",
    "middleName",
    "lastName",
    "suffix",
    "ssn",
    "dob",
    "addressLine1",
    "addressLine2",
    "city",
    "state",
    "zip",
)
_FALLBACK_STATES = ("TX", "CA", "FL", "GA", "IL", "AZ")
MAX_REPORT_ID_FILTER = 20


# --- Reports ----------------------------------------------------------------------------------


def find_report(state: SandboxState, report_id: str, field: str = "creditReportId") -> CreditReport:
    report = state.reports.get(report_id)
    if report is None:
        raise BusinessError(NOT_FOUND, f"no credit report with {field} {report_id}")
    return report


def store_report(
    state: SandboxState,
    *,
    contact: str,
    source: str,
    applicant: JsonDict,
    lead_id: str | None,
    requested_at: str | None,
    salt: str = "",
    report_id: str | None = None,
) -> CreditReport:
    """Build the applicant's deterministic file and store it as a completed report."""
    report_id = report_id or state.new_id("credit-report", contact, source)
    scripted = state.scenarios.file_for(contact, applicant)
    lines = list(scripted.tradelines) if scripted else tradelines(applicant, salt=salt)
    debts: list[JsonDict] = []
    for index, line in enumerate(lines):
        creditor = add_creditor(state, line["creditorName"])
        debts.append(
            {
                **line,
                "id": det_uuid(report_id, "debt", index),
                "creditorId": creditor.id,
                "parentCreditorId": creditor.parent_id,
                "parentCreditorName": creditor.parent_name,
                "applicantState": applicant.get("state"),
                "applicantId": None,
                "coApplicantId": None,
                "bankruptcyDateFiled": None,
            }
        )
    bureau = "TransUnion" if source in _TRANSUNION_SOURCES else "Equifax"
    report = CreditReport(
        id=report_id,
        req_org_id=state.req_org_id,
        req_org_contact_id=contact,
        source=source,
        created_at=state.now(),
        applicant={name: applicant.get(name) for name in _IDENTITY_FIELDS},
        debts=debts,
        scores=[score(applicant, bureau)] if debts else [],
        credit_report_user_id="cru-" + det_hex(12, "credit-report-user", contact, source),
        lead_id=lead_id,
        report_requested_at=requested_at or state.now().date().isoformat(),
    )
    if scripted:
        report.report_status = report.file_status = scripted.report_status
    state.reports[report.id] = report
    return report


def _pull_applicant(state: SandboxState, data: JsonDict) -> tuple[JsonDict, str]:
    """The identity to build the file from, and a salt when that identity is thin."""
    source = data["creditReportSource"]
    given = {name: data.get(name) for name in _IDENTITY_FIELDS if data.get(name)}
    if source == "ARRAY_EQUIFAX_KBA":
        verification = state.verifications.get(data["userVerificationId"])
        if verification is None:
            raise BusinessError(
                NOT_FOUND, f"no user verification with id {data['userVerificationId']}"
            )
        if verification.status != "PASSED":
            raise BusinessError("CONSENT_REQUIRED", "the user verification has not PASSED")
        return {**verification.identity, **given}, ""
    if source == "SPINWHEEL":
        verification = find_verification(state, data["reqOrgContactId"])
        if verification is None or verification.status != "PASSED":
            raise BusinessError(
                "CONSENT_REQUIRED",
                "SPINWHEEL pulls need PASSED SMS or KBA consent for this reqOrgContactId",
            )
        applicant = {**verification.identity, **given}
        return applicant, "" if applicant.get("ssn") else data["reqOrgContactId"]
    return given, ""


def _pull_result(report: CreditReport) -> JsonDict:
    return {
        "creditReportId": report.id,
        "reqOrgContactId": report.req_org_contact_id,
        "leadId": report.lead_id,
        "applicantResidenceState": report.state,
        "publicRecords": report.public_records,
        "source": report.source,
        "reportStatus": report.report_status,
        "fileStatus": report.file_status,
        "debts": report.debts,
    }


@resolvers.mutation("pullCreditReport")
def pull_credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    source: str = data["creditReportSource"]
    require_fields(data, REQUIRED_PULL_FIELDS[source], f"for {source}")
    check_identity(data)
    applicant, salt = _pull_applicant(context.state, data)
    report = store_report(
        context.state,
        contact=data["reqOrgContactId"],
        source=source,
        applicant=applicant,
        lead_id=data.get("leadId"),
        requested_at=None,
        salt=salt,
    )
    return _pull_result(report)


def _walk(value: object, depth: int = 0) -> Iterator[tuple[str, object]]:
    if depth > 8:
        return
    if isinstance(value, dict):
        for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            yield str(key), item  # pyright: ignore[reportUnknownArgumentType]
            yield from _walk(item, depth + 1)  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(value, list):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            yield from _walk(item, depth + 1)  # pyright: ignore[reportUnknownArgumentType]


def _raw_identity(raw: object) -> JsonDict:
    """Best-effort identity from a vendor report: the first plausible value for each field."""
    aliases = {
        "firstname": "firstName",
        "lastname": "lastName",
        "ssn": "ssn",
        "dob": "dob",
        "dateofbirth": "dob",
        "state": "state",
        "statecode": "state",
        "zip": "zip",
        "zipcode": "zip",
        "postalcode": "zip",
    }
    found: JsonDict = {}
    for key, value in _walk(raw):
        name = aliases.get(key.replace("_", "").casefold())
        if name and name not in found and isinstance(value, str) and value.strip():
            found[name] = value.strip()
    state = found.get("state")
    if not (isinstance(state, str) and len(state) == 2 and state.isalpha()):
        found.pop("state", None)
    return found


def _raw_request_date(raw: object) -> str | None:
    """The vendor's request date (``dateRequested`` and the like) as YYYY-MM-DD, if any."""
    for key, value in _walk(raw):
        if key.replace("_", "").casefold() in _RAW_DATE_KEYS and isinstance(value, str):
            day = value.strip()[:10]  # a date, or the date part of a timestamp
            if parse_iso_date(day) is not None:
                return day
    return None


@resolvers.mutation("normalizeRawReport")
def normalize_raw_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    report_type: str = data["reportType"]
    raw_json: object = data["reportJson"]
    if not isinstance(raw_json, dict):
        raise BusinessError(VALIDATION_ERROR, "reportJson must be a JSON object")
    raw = cast(JsonDict, raw_json)
    requested_at: str | None = data.get("reportRequestedAt")
    if requested_at is not None and parse_iso_date(requested_at) is None:
        raise BusinessError(VALIDATION_ERROR, "reportRequestedAt must be a date in YYYY-MM-DD form")
    if not requested_at:
        if report_type in DATELESS_RAW_FORMATS:
            raise BusinessError(
                VALIDATION_ERROR, f"reportRequestedAt (YYYY-MM-DD) is required for {report_type}"
            )
        requested_at = _raw_request_date(raw)
        if requested_at is None and report_type.startswith("CRS_"):
            raise BusinessError(
                VALIDATION_ERROR,
                f"reportRequestedAt (YYYY-MM-DD) is required: this {report_type} report has no "
                "request date",
            )
    salt = det_hex(16, "raw-report", report_type, raw)
    applicant = _raw_identity(raw)
    applicant["state"] = (
        applicant.get("state", "").upper() or _FALLBACK_STATES[int(salt[:4], 16) % 6]
    )
    state = context.state
    report = store_report(
        state,
        contact=data["reqOrgContactId"],
        source=report_type,
        applicant=applicant,
        lead_id=data.get("leadId"),
        requested_at=requested_at,
        salt=salt,
    )
    report.pdf = _decode_pdf(data.get("pdfBase64"))
    secondary_id = None
    secondary_contact = data.get("reqOrgSecondaryContactId")
    if secondary_contact:
        secondary = store_report(
            state,
            contact=secondary_contact,
            source=report_type,
            applicant={"state": applicant["state"]},
            lead_id=data.get("leadId"),
            requested_at=requested_at,
            salt=salt + ":co-applicant",
        )
        secondary_id = secondary.id
    return {
        "creditReportId": report.id,
        "secondaryCreditReportId": secondary_id,
        "reqOrgContactId": report.req_org_contact_id,
        "applicantResidenceState": report.state,
        "debts": report.debts,
    }


def _decode_pdf(text: str | None) -> bytes | None:
    """The uploaded PDF, or None when it is absent or not a base64 PDF (then one is made up)."""
    if not text:
        return None
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return content if content.startswith(b"%PDF") else None


@resolvers.query("creditReport")
def credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    return find_report(context.state, args["input"]["creditReportId"]).node()


@resolvers.query("downloadCreditReport")
def download_credit_report(context: RequestContext, args: JsonDict) -> str:
    report = find_report(context.state, args["input"]["creditReportId"])
    pdf = report.pdf or tiny_pdf(f"Debt Core sandbox credit report {report.id}")
    return base64.b64encode(pdf).decode("ascii")


@resolvers.query("creditReports")
def credit_reports(context: RequestContext, args: JsonDict) -> JsonDict:
    where: JsonDict = args.get("where") or {}
    wanted_ids: list[str] | None = where.get("creditReportIds")
    if wanted_ids is not None and len(wanted_ids) > MAX_REPORT_ID_FILTER:
        raise BusinessError(
            VALIDATION_ERROR, f"creditReportIds takes at most {MAX_REPORT_ID_FILTER} IDs"
        )
    reports = [
        report
        for report in context.state.reports.values()
        if (where.get("reqOrgContactId") in (None, report.req_org_contact_id))
        and (where.get("source") in (None, report.source))
        and (wanted_ids is None or report.id in wanted_ids)
        and matches_search(
            args.get("search"),
            (
                report.id,
                report.req_org_contact_id,
                report.lead_id,
                report.source,
                report.applicant.get("firstName"),
                report.applicant.get("lastName"),
            ),
        )
    ]
    ordered = sort_items(
        reports,
        args.get("order"),
        {
            "createdAt": lambda report: report.created_at,
            "reqOrgContactId": lambda report: report.req_org_contact_id,
        },
    )
    page = paginate(ordered, lambda report: report.id, **page_args(args))
    return page.connection(lambda cursor, report: {"cursor": cursor, "node": report.node()})


@resolvers.mutation("addLeadIdToCreditReport")
def add_lead_id(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    if not data["leadId"].strip():
        raise BusinessError(VALIDATION_ERROR, "leadId must not be empty")
    report = find_report(context.state, data["creditReportId"])
    report.lead_id = data["leadId"]
    return report.node()


def joint_key(debt: Mapping[str, Any]) -> tuple[str, str] | None:
    """Joint-ownership accounts are matched across two files by creditor and account number."""
    if debt.get("ecoaCode") != "J":
        return None
    return (str(debt.get("creditorName")), str(debt.get("accountNumber")))


@resolvers.mutation("jointCreditReport")
def joint_credit_report(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    primary = find_report(state, data["primaryReportId"], "primaryReportId")
    secondary = find_report(state, data["secondaryReportId"], "secondaryReportId")
    if primary.id == secondary.id:
        raise BusinessError(VALIDATION_ERROR, "primaryReportId and secondaryReportId are the same")
    if primary.source != secondary.source:
        raise BusinessError(
            VALIDATION_ERROR,
            f"both reports must come from the same vendor ({primary.source} vs {secondary.source})",
        )
    joint_id = state.new_id("joint-credit-report", primary.id, secondary.id)
    shared = {joint_key(debt) for debt in secondary.debts} - {None}
    merged: list[JsonDict] = []
    for debt in primary.debts:
        both = joint_key(debt) in shared
        merged.append(
            {**debt, "applicantId": primary.id, "coApplicantId": secondary.id if both else None}
        )
    primary_keys = {joint_key(debt) for debt in primary.debts} - {None}
    merged.extend(  # the co-applicant's debts, less the shared ones already listed
        {**debt, "applicantId": None, "coApplicantId": secondary.id}
        for debt in secondary.debts
        if joint_key(debt) not in primary_keys
    )
    joint = CreditReport(
        id=joint_id,
        req_org_id=state.req_org_id,
        req_org_contact_id=primary.req_org_contact_id,
        source=primary.source,
        created_at=state.now(),
        applicant=dict(primary.applicant),
        debts=merged,
        scores=primary.scores + secondary.scores,
        credit_report_user_id=primary.credit_report_user_id,
        lead_id=primary.lead_id,
        report_requested_at=primary.report_requested_at,
    )
    state.reports[joint.id] = joint
    return {
        "creditReportId": joint.id,
        "normalizedPrimaryApplicantReport": primary.node(),
        "normalizedCoApplicantReport": secondary.node(),
        "jointDebts": merged,
    }
