"""The schema-mutation corpus: each case is one schema change, with the exit code of
``debtcore schema diff`` and the exact set of our operations it breaks (ground truth from
``tests.support.schema_oracle``; ``test_schema_corpus.py`` checks both the tool and the oracle
against it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support.schema_mutations import Sdl

Edit = Callable[[Sdl], object]


@dataclass(frozen=True)
class Case:
    id: str
    service: str
    new: Edit
    exit_code: int
    broken: frozenset[str] = field(default_factory=frozenset[str])
    # OLD is the committed schema, or this edit of it (a default that NEW, ``new`` applied to the
    # committed schema, does not have).
    old: Edit | None = None


def case(
    id: str, service: str, new: Edit, exit_code: int, *broken: str, old: Edit | None = None
) -> Case:
    return Case(id, service, new, exit_code, frozenset(broken), old)


def _dry_run(default: str | None, required: bool = True) -> Edit:
    kind = "Boolean!" if required else "Boolean"
    suffix = f" = {default}" if default else ""
    return lambda s: s.add_field("PullCreditReportInput", f"dryRun: {kind}{suffix}")


CREDIT_REPORT_OPERATIONS = ("AddLeadIdToCreditReport", "CreditReport", "CreditReports")
DEBT_OPERATIONS = (
    *CREDIT_REPORT_OPERATIONS, "JointCreditReport", "NormalizeRawReport", "PullCreditReport"
)  # fmt: skip
UW_V1 = ("CheckApplicantEligibility", "UpdateApplicantEligibility")
UW_V2 = ("CheckApplicantEligibilityV2", "UpdateApplicantEligibilityV2")

CASES: list[Case] = [
    case("nothing-changes", "credit", lambda s: s, 0),
    # credit, output side
    case(
        "credit-out-remove-UserVerificationNode.status",
        "credit",
        lambda s: s.remove_field("UserVerificationNode", "status"),
        1,
        "CreateUserVerification",
        "UserVerification",
    ),
    case(
        "credit-out-remove-CreditReportDebt.creditorName",
        "credit",
        lambda s: s.remove_field("CreditReportDebt", "creditorName"),
        1,
        *DEBT_OPERATIONS,
    ),
    case(
        "credit-out-remove-CreditReportNode.reportStatus",
        "credit",
        lambda s: s.remove_field("CreditReportNode", "reportStatus"),
        1,
        *CREDIT_REPORT_OPERATIONS,
        "JointCreditReport",
    ),
    case(
        "credit-out-retype-CreditReportNode.reportStatus-Int",
        "credit",
        lambda s: s.set_type("CreditReportNode", "reportStatus", "Int"),
        1,
        *CREDIT_REPORT_OPERATIONS,
        "JointCreditReport",
    ),
    case(
        "credit-out-nullable-PageInfo.hasNextPage",
        "credit",
        lambda s: s.set_type("PageInfo", "hasNextPage", "Boolean"),
        1,
        "CreditReports",
        "Creditors",
    ),
    case(
        "credit-out-non-null-CreditorNode.createdAt",
        "credit",
        lambda s: s.set_type("CreditorNode", "createdAt", "String!"),
        0,
    ),
    case(
        "credit-out-add-optional-field",
        "credit",
        lambda s: s.add_field("CreditReportNode", "bureauNotes: String"),
        0,
    ),
    case(
        "credit-out-rename-UserVerificationNode-named-by-fragment",
        "credit",
        lambda s: s.rename_type("UserVerificationNode", "UserVerificationRecord"),
        1,
        "CreateUserVerification",
        "UserVerification",
    ),
    case(
        "credit-out-rename-FileMetadata-same-shape",
        "credit",
        lambda s: s.rename_type("FileMetadata", "ReportFileMetadata"),
        2,
    ),
    case(
        "credit-out-rename-ScoreFactor-same-shape",
        "credit",
        lambda s: s.rename_type("ScoreFactor", "ScoreReason"),
        2,
    ),
    case(
        "credit-out-rename-PageInfo-named-by-fragment",
        "credit",
        lambda s: s.rename_type("PageInfo", "PageInformation"),
        1,
        "CreditReports",
        "Creditors",
    ),
    case(
        "credit-out-list-to-single-CreditReportNode.debts",
        "credit",
        lambda s: s.set_type("CreditReportNode", "debts", "CreditReportDebt"),
        1,
        *CREDIT_REPORT_OPERATIONS,
        "JointCreditReport",
    ),
    case(
        "credit-out-Float-to-Int-CreditReportDebt.currentBalance",
        "credit",
        lambda s: s.set_type("CreditReportDebt", "currentBalance", "Int"),
        2,
    ),
    case(
        "credit-out-Float-to-String-CreditReportDebt.currentBalance",
        "credit",
        lambda s: s.set_type("CreditReportDebt", "currentBalance", "String"),
        1,
        *DEBT_OPERATIONS,
    ),
    case(
        "credit-out-unselected-Score.score-Int-to-Float",
        "credit",
        lambda s: s.set_type("Score", "score", "Float"),
        2,
    ),
    case(
        "credit-out-remove-two-fields",
        "credit",
        lambda s: s.remove_field("UserVerificationNode", "status").remove_field(
            "CreditorNode", "createdAt"
        ),
        1,
        "CreateUserVerification",
        "UserVerification",
        "Creditors",
    ),
    # credit, arguments
    case(
        "credit-arg-remove-passed-creditReports.search",
        "credit",
        lambda s: s.remove_argument("Query", "creditReports", "search"),
        1,
        "CreditReports",
    ),
    case(
        "credit-arg-remove-passed-creditors.skip",
        "credit",
        lambda s: s.remove_argument("Query", "creditors", "skip"),
        1,
        "Creditors",
    ),
    case(
        "credit-arg-add-required",
        "credit",
        lambda s: s.add_argument("Query", "creditReports", "tenantId: String!"),
        1,
        "CreditReports",
    ),
    case(
        "credit-arg-add-optional",
        "credit",
        lambda s: s.add_argument("Query", "creditReports", "tenantId: String"),
        2,
    ),
    case(
        "credit-arg-make-required-creditReports.first",
        "credit",
        lambda s: s.set_argument_type("Query", "creditReports", "first", "Int!"),
        1,
        "CreditReports",
    ),
    case(
        "credit-arg-String-to-ID-userVerification.reqOrgContactId",
        "credit",
        lambda s: s.set_argument_type("Query", "userVerification", "reqOrgContactId", "ID!"),
        1,
        "UserVerification",
    ),
    case(
        "credit-arg-remove-unpassed",
        "credit",
        lambda s: s,
        2,
        old=lambda s: s.add_argument("Query", "creditReports", "includeArchived: Boolean"),
    ),
    case(
        "credit-arg-default-removed-nullable",
        "credit",
        lambda s: s,
        2,
        old=lambda s: s.set_argument_default("Query", "creditReports", "first", "20"),
    ),
    case(
        "credit-arg-default-removed-non-null",
        "credit",
        lambda s: s.set_argument_type("Query", "creditReports", "first", "Int!"),
        1,
        "CreditReports",
        old=lambda s: s.set_argument_type(
            "Query", "creditReports", "first", "Int!"
        ).set_argument_default("Query", "creditReports", "first", "20"),
    ),
    case(
        "credit-arg-default-changed",
        "credit",
        lambda s: s.set_argument_default("Query", "creditReports", "first", "50"),
        2,
        old=lambda s: s.set_argument_default("Query", "creditReports", "first", "20"),
    ),
    # credit, variables
    case(
        "credit-in-required-field-added-tenantId",
        "credit",
        lambda s: s.add_field("PullCreditReportInput", "tenantId: String!"),
        1,
        "PullCreditReport",
    ),
    case(
        "credit-in-optional-field-added",
        "credit",
        lambda s: s.add_field("PullCreditReportInput", "tenantId: String"),
        2,
    ),
    case(
        "credit-in-required-field-added-with-default",
        "credit",
        lambda s: s.add_field("PullCreditReportInput", 'tenantId: String! = "alleviate"'),
        2,
    ),
    case(
        "credit-in-zip-String-to-Int",
        "credit",
        lambda s: s.set_type("PullCreditReportInput", "zip", "Int"),
        1,
        "PullCreditReport",
    ),
    case(
        "credit-in-remove-middleName",
        "credit",
        lambda s: s.remove_field("PullCreditReportInput", "middleName"),
        1,
        "PullCreditReport",
    ),
    case(
        "credit-in-leadId-becomes-required",
        "credit",
        lambda s: s.set_type("PullCreditReportInput", "leadId", "String!"),
        1,
        "PullCreditReport",
    ),
    case(
        "credit-in-reqOrgContactId-becomes-optional",
        "credit",
        lambda s: s.set_type("PullCreditReportInput", "reqOrgContactId", "String"),
        0,
    ),
    case(
        "credit-in-enum-value-removed-SPINWHEEL",
        "credit",
        lambda s: s.remove_enum_value("CREDIT_REPORT_PULL_SOURCE", "SPINWHEEL"),
        1,
        "PullCreditReport",
    ),
    case(
        "credit-in-enum-value-added",
        "credit",
        lambda s: s.add_enum_value("CREDIT_REPORT_PULL_SOURCE", "CRS_EXPERIAN"),
        2,
    ),
    case(
        "credit-in-dryRun-default-removed",
        "credit",
        _dry_run(None),
        1,
        "PullCreditReport",
        old=_dry_run("false"),
    ),
    case(
        "credit-in-nullable-dryRun-default-removed",
        "credit",
        _dry_run(None, required=False),
        2,
        old=_dry_run("false", required=False),
    ),
    case("credit-in-dryRun-default-changed", "credit", _dry_run("true"), 2, old=_dry_run("false")),
    case(
        "credit-in-KbaAnswer.answerId-String-to-ID",
        "credit",
        lambda s: s.set_type("KbaAnswer", "answerId", "ID!"),
        2,
    ),
    case(
        "credit-in-answers-items-nullable",
        "credit",
        lambda s: s.set_type("SendKbaAnswersInput", "answers", "[KbaAnswer]!"),
        0,
    ),
    case(
        "credit-in-order-enum-value-removed",
        "credit",
        lambda s: s.remove_enum_value("CreditReportOrderField", "reqOrgContactId"),
        1,
        "CreditReports",
    ),
    case(
        "credit-in-OrderDirection-DESC-removed",
        "credit",
        lambda s: s.remove_enum_value("OrderDirection", "DESC"),
        1,
        "CreditReports",
    ),
    case(
        "credit-in-report-product-removed",
        "credit",
        lambda s: s.remove_enum_value("SUPPORTED_REPORT_PRODUCTS", "FORTH_API_MISMO_2_3_1"),
        1,
        "NormalizeRawReport",
    ),
    case(
        "credit-in-list-to-single-creditReportIds",
        "credit",
        lambda s: s.set_type("CreditReportWhereInput", "creditReportIds", "String"),
        1,
        "CreditReports",
    ),
    case(
        "credit-in-single-to-list-updatedAfter",
        "credit",
        lambda s: s.set_type("CreditorWhereInput", "updatedAfter", "[String]"),
        2,
    ),
    case(
        "credit-in-rename-KbaAnswer-not-named",
        "credit",
        lambda s: s.rename_type("KbaAnswer", "KbaAnswerInput"),
        2,
    ),
    case(
        "credit-in-rename-PullCreditReportInput-named-by-variable",
        "credit",
        lambda s: s.rename_type("PullCreditReportInput", "PullReportInput"),
        1,
        "PullCreditReport",
    ),
    # underwriting
    case(
        "uw-in-PlanInputV2.programTerm-Int-to-String",
        "underwriting",
        lambda s: s.set_type("PlanInputV2", "programTerm", "String"),
        1,
        *UW_V2,
    ),
    case(
        "uw-in-PlanInput.programTerm-Int-to-Float",
        "underwriting",
        lambda s: s.set_type("PlanInput", "programTerm", "Float"),
        2,
    ),
    case(
        "uw-in-FlowType-value-removed",
        "underwriting",
        lambda s: s.remove_enum_value("FlowType", "FULL_REVIEW"),
        1,
        *UW_V2,
    ),
    case(
        "uw-in-ApplicationTypeInput-value-removed",
        "underwriting",
        lambda s: s.remove_enum_value("ApplicationTypeInput", "JOINT"),
        1,
        *UW_V1,
        *UW_V2,
        "CheckDebtsEligibility",
    ),
    case(
        "uw-out-unused-enum-value-removed",
        "underwriting",
        lambda s: s.remove_enum_value("ApplicationType", "JOINT_CO_APPLICANT"),
        2,
    ),
    case(
        "uw-out-EligibilityStatus-value-removed",
        "underwriting",
        lambda s: s.remove_enum_value("EligibilityStatus", "UPDATE_NEEDED"),
        2,
    ),
    case(
        "uw-out-EligibilityStatus-value-added",
        "underwriting",
        lambda s: s.add_enum_value("EligibilityStatus", "ON_HOLD"),
        2,
    ),
    case(
        "uw-in-ExpensesInput.court-removed",
        "underwriting",
        lambda s: s.remove_field("ExpensesInput", "court"),
        1,
        *UW_V2,
    ),
    case(
        "uw-in-IncomeInput-required-field-added",
        "underwriting",
        lambda s: s.add_field("IncomeInput", "net: Float!"),
        1,
        *UW_V2,
    ),
    case(
        "uw-in-UwResultWhereInput.revision-Int-to-String",
        "underwriting",
        lambda s: s.set_type("UwResultWhereInput", "revision", "String"),
        1,
        "UwResults",
        "EligibilityReviews",
    ),
    case(
        "uw-out-remove-UwConfig.notesConfig",
        "underwriting",
        lambda s: s.remove_field("UwConfig", "notesConfig"),
        1,
        "UwConfig",
    ),
    case(
        "uw-arg-uwConfig.uwOrgId-required",
        "underwriting",
        lambda s: s.set_argument_type("Query", "uwConfig", "uwOrgId", "String!"),
        1,
        "UwConfig",
    ),
    case(
        "uw-arg-uwConfig.state-removed",
        "underwriting",
        lambda s: s.remove_argument("Query", "uwConfig", "state"),
        1,
        "UwConfig",
    ),
    case(
        "uw-out-UwResultDebt.isSelected-nullable",
        "underwriting",
        lambda s: s.set_type("UwResultDebt", "isSelected", "Boolean"),
        1,
        *UW_V1,
        "UwResults",
    ),
    case(
        "uw-out-UwResultDebtV2.isSelected-nullable",
        "underwriting",
        lambda s: s.set_type("UwResultDebtV2", "isSelected", "Boolean"),
        1,
        *UW_V2,
        "EligibilityReviews",
    ),
    case(
        "uw-out-root-field-removed",
        "underwriting",
        lambda s: s.remove_field("Mutation", "checkApplicantEligibility"),
        1,
        "CheckApplicantEligibility",
    ),
    case(
        "uw-unused-input-type-removed",
        "underwriting",
        lambda s: s.remove_type("UwResultCheckJointInput"),
        2,
    ),
    case(
        "uw-out-rename-BudgetV2-same-shape",
        "underwriting",
        lambda s: s.rename_type("BudgetV2", "BudgetBreakdown"),
        2,
    ),
    case(
        "uw-out-rename-Plan-named-by-fragment",
        "underwriting",
        lambda s: s.rename_type("Plan", "PaymentPlan"),
        1,
        *UW_V1,
        *UW_V2,
        "EligibilityReviews",
        "UwResults",
    ),
    case(
        "uw-out-EnrollmentEligibility.reason-to-list",
        "underwriting",
        lambda s: s.set_type("EnrollmentEligibility", "reason", "[String]"),
        1,
        "CheckEnrollmentEligibility",
    ),
    case(
        "uw-in-contactId-ID-to-String",
        "underwriting",
        lambda s: s.set_type("UwResultCheckDebtsInput", "contactId", "String!"),
        2,
    ),
    case(
        "uw-in-termExtensionException-Float-to-Int",
        "underwriting",
        lambda s: s.set_type("AdditionalInfoInput", "termExtensionException", "Int"),
        1,
        *UW_V1,
        *UW_V2,
    ),
    case(
        "uw-arg-debtsUwResults.search-removed",
        "underwriting",
        lambda s: s.remove_argument("Query", "debtsUwResults", "search"),
        1,
        "DebtsUwResults",
    ),
    case(
        "uw-arg-default-removed-nullable",
        "underwriting",
        lambda s: s,
        2,
        old=lambda s: s.set_argument_default("Query", "uwConfig", "uwOrgId", '"ALV"'),
    ),
    case(
        "uw-in-optional-field-added",
        "underwriting",
        lambda s: s.add_field("PlanInputV2", "promoCode: String"),
        2,
    ),
    # offers
    case(
        "offers-out-OfferResult.serviceFee-Int-to-String",
        "offers",
        lambda s: s.set_type("OfferResult", "serviceFee", "String"),
        1,
        "Offers",
    ),
    case(
        "offers-out-Offer.serviceFee-Int-to-String",
        "offers",
        lambda s: s.set_type("Offer", "serviceFee", "String"),
        1,
        "SaveOffer",
        "GetOffer",
    ),
    case(
        "offers-in-OffersInput.revision-Int-to-String",
        "offers",
        lambda s: s.set_type("OffersInput", "revision", "String"),
        1,
        "Offers",
    ),
    case(
        "offers-in-required-field-added",
        "offers",
        lambda s: s.add_field("OffersInput", "tenantId: String!"),
        1,
        "Offers",
    ),
    case(
        "offers-in-CreateOfferInput.revision-removed",
        "offers",
        lambda s: s.remove_field("CreateOfferInput", "revision"),
        1,
        "SaveOffer",
    ),
    case(
        "offers-arg-getOffer.ogId-String-to-ID",
        "offers",
        lambda s: s.set_argument_type("Query", "getOffer", "ogId", "ID!"),
        1,
        "GetOffer",
    ),
    case(
        "offers-out-remove-OfferResult.compTemplateId",
        "offers",
        lambda s: s.remove_field("OfferResult", "compTemplateId"),
        1,
        "Offers",
    ),
    case(
        "offers-out-OfferTotals.savings-non-null",
        "offers",
        lambda s: s.set_type("OfferTotals", "savings", "String!"),
        0,
    ),
    case(
        "offers-out-epFee1Amount-nullable",
        "offers",
        lambda s: s.set_type("ForthRequestParameters", "epFee1Amount", "Boolean"),
        1,
        "Offers",
        "SaveOffer",
        "GetOffer",
    ),
    case(
        "offers-in-includeSentryFee-default-removed",
        "offers",
        lambda s: s.set_type("OffersInput", "includeSentryFee", "Boolean!"),
        1,
        "Offers",
        old=lambda s: s.set_type("OffersInput", "includeSentryFee", "Boolean!").set_default(
            "OffersInput", "includeSentryFee", "false"
        ),
    ),
    case(
        "offers-in-deprecated-paymentTerm-removed",
        "offers",
        lambda s: s.remove_field("OffersInput", "paymentTerm"),
        1,
        "Offers",
    ),
    case(
        "offers-arg-optional-added",
        "offers",
        lambda s: s.add_argument("Query", "getOffer", "includeExpired: Boolean"),
        2,
    ),
    case(
        "offers-out-rename-OfferTotals-named-by-fragment",
        "offers",
        lambda s: s.rename_type("OfferTotals", "Totals"),
        1,
        "Offers",
        "SaveOffer",
        "GetOffer",
    ),
    # enrollment
    case(
        "enrollment-out-EnrollmentStatus-SKIPPED-removed",
        "enrollment",
        lambda s: s.remove_enum_value("EnrollmentStatus", "SKIPPED"),
        2,
    ),
    case(
        "enrollment-in-JobClassification-value-removed",
        "enrollment",
        lambda s: s.remove_enum_value("JobClassification", "W_1099"),
        1,
        "CreateEnrollment",
    ),
    case(
        "enrollment-in-language-String-to-Int",
        "enrollment",
        lambda s: s.set_type("ContactInfoInput", "language", "Int"),
        1,
        "CreateEnrollment",
    ),
    case(
        "enrollment-in-NoteInput-required-field-added",
        "enrollment",
        lambda s: s.add_field("NoteInput", "author: String!"),
        1,
        "CreateEnrollment",
    ),
    case(
        "enrollment-in-DocumentInput.metadata-removed",
        "enrollment",
        lambda s: s.remove_field("DocumentInput", "metadata"),
        1,
        "CreateEnrollment",
    ),
    case(
        "enrollment-in-phone-becomes-optional",
        "enrollment",
        lambda s: s.set_type("CreateMinimalLiveTransferInput", "phone", "String"),
        0,
    ),
    case(
        "enrollment-out-dialerStatus-nullable",
        "enrollment",
        lambda s: s.set_type("LiveTransferResult", "dialerStatus", "String"),
        1,
        "CreateLiveTransfer",
        "CreateMinimalLiveTransfer",
    ),
    case(
        "enrollment-out-qaCall-enum-to-String",
        "enrollment",
        lambda s: s.set_type("EnrollmentStatusData", "qaCall", "String!"),
        1,
        "EnrollmentStatus",
    ),
    case(
        "enrollment-out-remove-EnrollmentStatusData.contactId",
        "enrollment",
        lambda s: s.remove_field("EnrollmentStatusData", "contactId"),
        1,
        "EnrollmentStatus",
    ),
    case(
        "enrollment-out-rename-EnrollmentError-named-by-fragment",
        "enrollment",
        lambda s: s.rename_type("EnrollmentError", "EnrollmentProblem"),
        1,
        "CreateEnrollment",
        "CreateLiveTransfer",
        "CreateMinimalLiveTransfer",
        "EnrollmentStatus",
    ),
    case(
        "enrollment-arg-enrollmentId-String-to-ID",
        "enrollment",
        lambda s: s.set_argument_type("Query", "enrollmentStatus", "enrollmentId", "ID!"),
        1,
        "EnrollmentStatus",
    ),
    case(
        "enrollment-in-underwritingResultId-ID-to-String",
        "enrollment",
        lambda s: s.set_type("CreateLiveTransferInput", "underwritingResultId", "String!"),
        2,
    ),
    case(
        "enrollment-in-jobClassification-enum-to-String",
        "enrollment",
        lambda s: s.set_type("PlanDetailsDetailsInput", "jobClassification", "String"),
        2,
    ),
    case(
        "enrollment-out-EnrollmentStatus-value-added",
        "enrollment",
        lambda s: s.add_enum_value("EnrollmentStatus", "CANCELLED"),
        2,
    ),
    case(
        "enrollment-in-IncomeInput.pension-removed",
        "enrollment",
        lambda s: s.remove_field("IncomeInput", "pension"),
        1,
        "CreateEnrollment",
    ),
]
