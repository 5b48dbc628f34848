"""The sandbox's eligibility rules: a verdict per debt, and an assessment per application.

What the rules are is written in ``_rulebook`` (the docs are generated from it); this module
applies them. Every debt rule is checked and the worst outcome wins, so a debt's reasons list all
that failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ._constants import (
    BANK_FIELDS,
    CONDITIONAL_CREDITOR_TYPES,
    ELIGIBILITY_QUESTIONS,
    INELIGIBLE_ACCOUNT_TYPES,
    INELIGIBLE_CREDITOR_TYPES,
    INELIGIBLE_ECOA_CODES,
    LONG_MAX_TERM,
    LONG_TERM_DEBT_THRESHOLD,
    MIN_DEBT_BALANCE,
    MIN_TOTAL_ELIGIBLE_DEBT,
    SHORT_MAX_TERM,
    UNACCEPTABLE_CREDITOR_TYPES,
    UNSERVICED_STATES,
)
from ._payload_envelope import Problem, problem
from ._records import Assessment, Verdict

KNOWN_ACCOUNT_TYPES = frozenset(
    {
        "AUTO_LOAN",
        "CHARGE_ACCOUNT",
        "COLLECTIONS",
        "CREDIT_CARD",
        "FLEXIBLE_SPENDING_CREDIT_CARD",
        "INSTALLMENT",
        "INSTALLMENT_SALES_CONTRACT",
        "LEASE",
        "LINE_OF_CREDIT",
        "MEDICAL_BILL",
        "MORTGAGE_DEBT",
        "NOTE_LOAN",
        "PERSONAL_LOAN",
        "SECURED",
        "STUDENT_LOAN",
        "UNSECURED",
    }
)
_SEVERITY = ("ELIGIBLE", "CONDITIONAL", "UPDATE_NEEDED", "UNABLE_TO_PROCESS", "INELIGIBLE")
_TRADELINE_CREDITORS = (
    ("UPSTART", "enrolledUpstartDebtAccountNumbers"),
    ("CAPITAL ONE", "enrolledCapitalOneDebtAccountNumbers"),
    ("DISCOVER", "enrolledDiscoverDebtAccountNumbers"),
)


def balance(fields: Mapping[str, Any]) -> Decimal | None:
    value = fields.get("currentBalance")
    return None if value is None else Decimal(str(value))


def judge_debt(
    fields: Mapping[str, Any],
    *,
    manual: bool,
    employer: str | None = None,
    include_unacceptable: bool = False,
    enrolled_accounts: frozenset[str] = frozenset(),
) -> Verdict:
    outcomes: list[tuple[str, str, tuple[str, ...]]] = []  # (status, reason, failed checks)

    def fail(status: str, reason: str, *checks: str) -> None:
        outcomes.append((status, reason, checks))

    account_type, creditor_type = fields.get("accountType"), fields.get("creditorType")
    if account_type in INELIGIBLE_ACCOUNT_TYPES or creditor_type in INELIGIBLE_CREDITOR_TYPES:
        fail(
            "INELIGIBLE",
            f"SECURED_OR_EXCLUDED_DEBT: {account_type or creditor_type} debts cannot be enrolled",
            "approvedAccountTypeCheck",
            "unsecuredDebtCheck",
        )
    if creditor_type in UNACCEPTABLE_CREDITOR_TYPES and not include_unacceptable:
        fail(
            "INELIGIBLE",
            f"UNACCEPTABLE_CREDITOR: {creditor_type} creditors are not accepted",
            "unacceptableCreditorCheck",
        )
    ecoa = fields.get("ecoaCode")
    if ecoa in INELIGIBLE_ECOA_CODES:
        fail(
            "INELIGIBLE",
            f"DEBT_OWNERSHIP: ECOA code {ecoa} debts cannot be enrolled",
            "debtOwnershipCheck",
        )
    amount = balance(fields)
    if amount is not None and amount < MIN_DEBT_BALANCE:
        fail(
            "INELIGIBLE",
            f"BELOW_MINIMUM_BALANCE: currentBalance is under {MIN_DEBT_BALANCE:.2f}",
            "minimumDebtValueCheck",
        )
    creditor = str(fields.get("creditorName") or "").casefold()
    if employer and creditor and employer.casefold() in creditor:
        fail(
            "INELIGIBLE",
            "EMPLOYER_IS_CREDITOR: the applicant works for this creditor",
            "employerIsCreditorCheck",
        )
    if fields.get("accountNumber") and fields["accountNumber"] in enrolled_accounts:
        fail(
            "INELIGIBLE", "DUPLICATE_DEBT: this account is already enrolled", "duplicateDebtsCheck"
        )
    if account_type is not None and account_type not in KNOWN_ACCOUNT_TYPES:
        fail(
            "UNABLE_TO_PROCESS", f"UNKNOWN_ACCOUNT_TYPE: {account_type}", "approvedAccountTypeCheck"
        )
    if amount is None:
        fail(
            "UPDATE_NEEDED", "MISSING_BALANCE: currentBalance is required", "currAndOgBalanceCheck"
        )
    if account_type is None:
        fail(
            "UPDATE_NEEDED",
            "MISSING_ACCOUNT_TYPE: accountType is required",
            "approvedAccountTypeCheck",
        )
    if creditor_type in CONDITIONAL_CREDITOR_TYPES:
        fail(
            "CONDITIONAL",
            "CREDIT_UNION_DEBT: credit-union debts need a hardship review",
            "creditUnionAndStateCheck",
        )
    if manual and not fields.get("hasProofOfLiability"):
        fail(
            "CONDITIONAL",
            "PROOF_OF_LIABILITY_NEEDED: manual debts need proof of liability",
            "proofOfLiabilityCheck",
        )
    if not outcomes:
        return Verdict("ELIGIBLE")
    worst = max((status for status, _, _ in outcomes), key=_SEVERITY.index)
    return Verdict(
        worst,
        frozenset(check for _, _, checks in outcomes for check in checks),
        tuple(reason for _, reason, _ in outcomes),
    )


def max_term(total_eligible: Decimal) -> int:
    return SHORT_MAX_TERM if total_eligible < LONG_TERM_DEBT_THRESHOLD else LONG_MAX_TERM


def tradeline_metadata(selected: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Account numbers of selected debts held by the creditors the metadata tracks."""
    metadata: dict[str, list[str]] = {key: [] for _, key in _TRADELINE_CREDITORS}
    for fields in selected:
        name = str(fields.get("creditorName") or "").upper()
        for marker, key in _TRADELINE_CREDITORS:
            if marker in name and fields.get("accountNumber"):
                metadata[key].append(str(fields["accountNumber"]))
    return metadata


@dataclass(frozen=True)
class Application:
    """What the application-level rules look at."""

    flow_type: str | None
    contacts: tuple[Mapping[str, Any], ...]  # applicant, then co-applicant if any
    plan: Mapping[str, Any] | None
    monthly_income: Decimal | None
    monthly_expenses: Decimal | None
    agent_assigned: str | None
    report_requested_on: date | None
    today: date
    total_debt: Decimal
    total_eligible_debt: Decimal


def assess(application: Application) -> Assessment:
    hard: list[Problem] = []
    soft: list[Problem] = []
    failed_application: set[str] = set()
    failed_applicant: set[str] = set()
    term_cap = max_term(application.total_eligible_debt)

    for role, contact in zip(("applicant", "co-applicant"), application.contacts, strict=False):
        state = contact.get("applicantState")
        if state in UNSERVICED_STATES:
            hard.append(
                problem("STATE_NOT_SERVICED", f"the {role}'s state {state} is not serviced")
            )
            failed_application.add("psStateServiceCheck")
            failed_applicant.add("stateServiceCheck")
        for question in ELIGIBILITY_QUESTIONS:
            if str(contact.get(question) or "").upper() == "YES":
                hard.append(
                    problem("ELIGIBILITY_REQUIREMENT_NOT_MET", f"the {role}'s {question} is YES")
                )
                failed_applicant.add(question + "Check")
        if str(contact.get("filedBankruptcy") or "").upper() == "YES":
            hard.append(problem("ACTIVE_BANKRUPTCY", f"the {role} has filed for bankruptcy"))
            failed_applicant.add("bankruptcyCheck")
    if application.total_eligible_debt < MIN_TOTAL_ELIGIBLE_DEBT:
        hard.append(
            problem(
                "TOTAL_DEBT_BELOW_MINIMUM",
                f"selected eligible debt is under {MIN_TOTAL_ELIGIBLE_DEBT:,.2f}",
            )
        )
        failed_application.add("totalDebtValueCheck")

    plan = application.plan
    term = plan.get("programTerm") if plan else None
    if isinstance(term, int) and term > term_cap:
        soft.append(problem("PROGRAM_TERM_EXCEEDS_MAX_TERM", f"programTerm is over {term_cap}"))
        failed_application.add("programTermCheck")
    income, expenses = application.monthly_income, application.monthly_expenses
    if income is not None and expenses is not None and income <= expenses:
        soft.append(problem("BUDGET_NOT_AFFORDABLE", "monthly expenses use up the income"))
        failed_application.add("budgetHardshipCheck")
        failed_applicant.add("budgetAffordabilityCheck")

    if application.flow_type == "FULL_REVIEW":
        applicant = application.contacts[0]
        missing_bank = [name for name in BANK_FIELDS if not applicant.get(name)]
        if missing_bank:
            soft.append(problem("UPDATE_NEEDED", f"{', '.join(missing_bank)} required"))
            failed_applicant.update(name + "Check" for name in missing_bank)
        if not plan:
            soft.append(problem("PLAN_REQUIRED", "store the chosen plan on the review"))
            failed_applicant.add("enrollmentPlanCheck")
        if not applicant.get("hardship"):
            soft.append(problem("HARDSHIP_REQUIRED", "describe the applicant's hardship"))
            failed_applicant.add("hardshipCheck")
        if not application.agent_assigned:
            soft.append(problem("AGENT_REQUIRED", "agentAssigned is required"))
            failed_application.add("agentAssignedCheck")
        requested = application.report_requested_on
        if requested is None or (application.today - requested).days > 30:
            soft.append(problem("CREDIT_REPORT_EXPIRED", "the report is older than 30 days"))
            failed_application.add("creditReport30DaysCheck")

    return Assessment(
        prequalified=not hard and not soft,
        passable=None if application.flow_type is None else not hard,
        hard_failed=bool(hard),
        total_debt=application.total_debt,
        total_eligible_debt=application.total_eligible_debt,
        max_term=term_cap,
        problems=hard + soft,
        failed_application_checks=frozenset(failed_application),
        failed_applicant_checks=frozenset(failed_applicant),
    )
