"""The sandbox's business rules, written once: the package docstring and the docs' table
(docs/sandbox.md) are generated from ``RULES`` (tests/sandbox/test_sandbox_rulebook.py checks
both), and every number comes from ``_constants``, which the code uses too.

Regenerate the docs' table with ``make sandbox-rules``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from ._constants import (
    ENROLLED_ELSEWHERE_SSN_SUFFIX,
    ENROLLMENT_FAIL_BANK_SUFFIX,
    FIRST_PAYMENT_MAX_DAYS_AHEAD,
    KBA_CORRECT_ANSWERS,
    KBA_UNAVAILABLE_SSN_PREFIX,
    LONG_MAX_TERM,
    LONG_TERM_DEBT_THRESHOLD,
    MIN_DEBT_BALANCE,
    MIN_TOTAL_ELIGIBLE_DEBT,
    NO_HIT_LAST_NAME,
    PROGRAM_TERMS,
    SENTRY_FEE_MONTHLY,
    SERVICE_FEE_RATE,
    SETTLEMENT_RATE,
    SHORT_MAX_TERM,
    SMS_EXPIRED_CODE,
    SMS_LOCKOUT,
    SMS_MAX_FAILED_ATTEMPTS,
    SMS_PASS_CODE,
    SMS_REQUIRES_KBA_SUFFIX,
    SMS_UNABLE_TO_SEND_SUFFIX,
    UNSERVICED_STATES,
)

__all__ = ["RULES", "Rule", "as_markdown", "as_text", "readme_section", "write_readme"]

# Where the table lives in a checkout (the docs site's sandbox page).
DOCS_PAGE = Path("docs") / "sandbox.md"
START_MARKER = "<!-- sandbox rules: generated from alleviate_debtcore/sandbox/_rulebook.py -->"
END_MARKER = "<!-- end of sandbox rules -->"


@dataclass(frozen=True)
class Rule:
    area: str
    when: str
    then: str


def _money(value: object) -> str:
    return f"{value:,.2f}"


def _percent(rate: object) -> str:
    return f"{float(str(rate)) * 100:g}%"


_KBA = ", ".join(KBA_CORRECT_ANSWERS.values())
_MINUTES = int(SMS_LOCKOUT.total_seconds() // 60)

RULES: tuple[Rule, ...] = (
    Rule(
        "Reports",
        "pullCreditReport",
        "Required fields per creditReportSource follow the docs (a missing one is a "
        "VALIDATION_ERROR); SPINWHEEL needs PASSED SMS or KBA consent, ARRAY_EQUIFAX_KBA a PASSED "
        "userVerificationId. Reports are COMPLETED at once.",
    ),
    Rule(
        "Reports",
        "any applicant",
        "Debts derive from name, SSN, birth date and address: three unsecured cards and one "
        f"unsecured loan or collection (at least {_money(MIN_TOTAL_ELIGIBLE_DEBT)} together), one "
        "auto, student or mortgage loan, up to two extras (credit-union card, card under "
        f"{_money(MIN_DEBT_BALANCE)}, authorized-user card, pay-day loan), and a joint (ECOA J) "
        "card shared by everyone at the same street address and ZIP.",
    ),
    Rule("Reports", f"last name {NO_HIT_LAST_NAME}", "a report without debts"),
    Rule(
        "Reports",
        "normalizeRawReport",
        "reportJson must be an object; reportRequestedAt is required for CRS_TRANSUNION and "
        "CRS_EQUIFAX, and for other CRS formats whose raw report has no request date "
        "(dateRequested, requestDate, reportDate); otherwise the raw date or today is used.",
    ),
    Rule("Creditors", "createCreditor with a known name", "the existing creditor (any case)"),
    Rule(
        "SMS consent",
        "sendSMSVerificationCode",
        f"an E.164 phone; ending {SMS_UNABLE_TO_SEND_SUFFIX}: UNABLE_TO_SEND_SMS; ending "
        f"{SMS_REQUIRES_KBA_SUFFIX}: REQUIRES_KBA",
    ),
    Rule(
        "SMS consent",
        "verifySMSCode",
        f"{SMS_PASS_CODE} passes, {SMS_EXPIRED_CODE} is OTP_EXPIRED, anything else "
        f"OTP_INCORRECT; wrong code number {SMS_MAX_FAILED_ATTEMPTS} locks the contact for "
        f"{_MINUTES} minutes (RETRY_AFTER_5MIN)",
    ),
    Rule(
        "KBA consent",
        "kbaQuestions, sendKbaAnswers",
        f"questions q1-q3 with options qN-a to qN-d; correct answers {_KBA} (the docs' "
        "aN-optionM ids are accepted too), else KBA_FAILED; an SSN starting "
        f"{KBA_UNAVAILABLE_SSN_PREFIX} gets UNABLE_TO_GET_KBA_QUESTIONS",
    ),
    Rule("Verification", "createUserVerification", "an Array verification, PASSED at once"),
    Rule(
        "Debt eligibility",
        "mortgage, auto, student, secured or lease debt",
        "INELIGIBLE (by accountType or creditorType)",
    ),
    Rule(
        "Debt eligibility",
        "pay-day lender",
        "INELIGIBLE unless additionalInfo.includeUnacceptableCreditor",
    ),
    Rule(
        "Debt eligibility",
        "ECOA code A, T or X",
        "INELIGIBLE (authorized user, terminated, deceased)",
    ),
    Rule("Debt eligibility", f"balance under {_money(MIN_DEBT_BALANCE)}", "INELIGIBLE"),
    Rule("Debt eligibility", "the applicant's employer is the creditor", "INELIGIBLE"),
    Rule(
        "Debt eligibility",
        "account number of an already enrolled debt (checkDebtsEligibility)",
        "INELIGIBLE",
    ),
    Rule("Debt eligibility", "accountType not in the documented list", "UNABLE_TO_PROCESS"),
    Rule("Debt eligibility", "currentBalance or accountType missing", "UPDATE_NEEDED"),
    Rule("Debt eligibility", "credit-union creditor", "CONDITIONAL"),
    Rule("Debt eligibility", "MANUAL debt without hasProofOfLiability", "CONDITIONAL"),
    Rule(
        "Debt eligibility",
        "several rules apply",
        "the worst wins (INELIGIBLE > UNABLE_TO_PROCESS > UPDATE_NEEDED > CONDITIONAL > "
        "ELIGIBLE); each non-ELIGIBLE debt adds a payload error with its debtId and reasons",
    ),
    Rule(
        "Application",
        "totals",
        "debts are selected unless INELIGIBLE; totalDebt sums selected balances, "
        f"totalEligibleDebt the selected ELIGIBLE ones; maxTerm is {SHORT_MAX_TERM} under "
        f"{_money(LONG_TERM_DEBT_THRESHOLD)} eligible, else {LONG_MAX_TERM}",
    ),
    Rule(
        "Application",
        f"state {', '.join(sorted(UNSERVICED_STATES))}; an eligibilityReq* or filedBankruptcy "
        f"answered YES; eligible debt under {_money(MIN_TOTAL_ELIGIBLE_DEBT)}",
        "hard failure: applicationPassable false",
    ),
    Rule(
        "Application",
        "plan programTerm over maxTerm; budget income not above expenses; with FULL_REVIEW also "
        "missing bank details, plan, hardship, agentAssigned, or a report older than 30 days",
        "soft failure: only applicantPrequalified is false",
    ),
    Rule("Application", "flowType unset", "applicationPassable is null (legacy rules)"),
    Rule("Application", "state NJ, NY or PA", "uwOrgId GLG; any other state ALV"),
    Rule(
        "Application",
        "updateApplicantEligibility*",
        "must send the latest revision (older: STALE_REVISION, unknown: NOT_FOUND); returns "
        "revision N+1; a debt edit with id changes only the fields sent, without id it adds a "
        "MANUAL debt",
    ),
    Rule(
        "Application",
        "JOINT",
        "needs secondaryReportId from the same vendor (V2 also coApplicantContactInfo); "
        "joint-ownership debts found on both reports form the joint section",
    ),
    Rule("Application", "a report not COMPLETED", "REPORT_NOT_COMPLETED; no review"),
    Rule(
        "Application",
        f"checkEnrollmentEligibility with an SSN ending {ENROLLED_ELSEWHERE_SSN_SUFFIX}, or "
        "already enrolled",
        "INELIGIBLE",
    ),
    Rule(
        "Offers",
        "offers",
        f"plans for terms {', '.join(map(str, PROGRAM_TERMS))} up to programTerm (default "
        f"maxTerm); fee1 {_percent(SERVICE_FEE_RATE)} of the enrolled debt, settlement estimate "
        f"{_percent(SETTLEMENT_RATE)}, Sentry fee {SENTRY_FEE_MONTHLY} a month unless "
        "includeSentryFee is false; money as decimal strings, dates YYYY/MM/DD",
    ),
    Rule(
        "Offers",
        f"first payment date in the past or over {FIRST_PAYMENT_MAX_DAYS_AHEAD} days ahead",
        "plans still come, with INVALID_FIRST_PAYMENT_DATE",
    ),
    Rule(
        "Offers",
        "saveOffer",
        "prices the plan stored on the review revision (PLAN_REQUIRED otherwise); idempotent "
        "per revision",
    ),
    Rule(
        "Enrollment",
        "enrollmentStatus",
        "each poll advances one step (done by the 9th); steps with nothing to do are SKIPPED; "
        "contactId appears once createContact is COMPLETED",
    ),
    Rule(
        "Enrollment",
        f"leadId ending {ENROLLMENT_FAIL_BANK_SUFFIX}",
        "createBankAccount FAILED, later steps SKIPPED, a STEP_FAILED error",
    ),
)


def as_text(width: int = 96) -> str:
    """The rules for a docstring: one block per area."""
    blocks: list[str] = []
    for area in dict.fromkeys(rule.area for rule in RULES):
        lines = [f"{area}:"]
        for rule in (r for r in RULES if r.area == area):
            lines.extend(
                textwrap.wrap(
                    f"{rule.when}: {rule.then}.",
                    width,
                    initial_indent="    - ",
                    subsequent_indent="      ",
                )
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def as_markdown() -> str:
    """The rules as the docs' table, between its markers."""
    rows = [START_MARKER, "", "| Area | When | Then |", "|---|---|---|"]

    def cell(text: str) -> str:
        return text.replace("*", "\\*")  # eligibilityReq* is not emphasis

    rows.extend(f"| {rule.area} | {cell(rule.when)} | {cell(rule.then)} |" for rule in RULES)
    return "\n".join([*rows, "", END_MARKER])


def readme_section(readme: str) -> str:
    """The generated part of a page's text (markers included), or '' without markers."""
    start, end = readme.find(START_MARKER), readme.find(END_MARKER)
    return readme[start : end + len(END_MARKER)] if 0 <= start < end else ""


def write_readme(path: Path = DOCS_PAGE) -> None:
    """Rewrite the generated section of the page at ``path`` (docs/sandbox.md from the checkout's
    root)."""
    text = path.read_text(encoding="utf-8")
    current = readme_section(text)
    if not current:
        raise SystemExit(f"{path} has no {START_MARKER!r} ... {END_MARKER!r} section")
    path.write_text(text.replace(current, as_markdown()), encoding="utf-8")
