"""Every magic value and business threshold of the sandbox, in one place.

The package docstring (``alleviate_debtcore.sandbox``) documents them for users; keep the two in
step. None of these come from Alleviate: the real API's rules are not public, so these are simple
stand-ins that are consistent with the schema and reference.md.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final

# --- Credentials and organisation -------------------------------------------------------------

DEFAULT_CLIENT_ID: Final = "local-client"
DEFAULT_CLIENT_SECRET: Final = "local-secret"
DEFAULT_TOKEN_LIFETIME: Final = 3599
# The org every record belongs to; the real API derives it from the caller's credentials.
SANDBOX_REQ_ORG_ID: Final = "org-alleviate"
SANDBOX_REQ_ORG_NAME: Final = "Alleviate Debt Core sandbox"

# --- Consent (SMS and KBA) --------------------------------------------------------------------

SMS_PASS_CODE: Final = "123456"
SMS_EXPIRED_CODE: Final = "000000"
SMS_MAX_FAILED_ATTEMPTS: Final = 3
SMS_LOCKOUT: Final = timedelta(minutes=5)
SMS_UNABLE_TO_SEND_SUFFIX: Final = "0000"  # phone numbers ending like this cannot receive texts
SMS_REQUIRES_KBA_SUFFIX: Final = "0001"  # ... and these must use KBA instead

# The correct options are the ones the docs' sendKbaAnswers example picks (2nd, 1st, 4th option).
KBA_CORRECT_ANSWERS: Final = MappingProxyType({"q1": "q1-b", "q2": "q2-a", "q3": "q3-d"})
KBA_UNAVAILABLE_SSN_PREFIX: Final = "000"  # no KBA questions can be built for these SSNs

# --- Credit reports ---------------------------------------------------------------------------

NO_HIT_LAST_NAME: Final = "NOHIT"  # applicants with this last name get a report without debts

# --- Eligibility review -----------------------------------------------------------------------

MIN_DEBT_BALANCE: Final = Decimal("500")
MIN_TOTAL_ELIGIBLE_DEBT: Final = Decimal("7500")
LONG_TERM_DEBT_THRESHOLD: Final = Decimal("10000")
SHORT_MAX_TERM: Final = 48  # months, below LONG_TERM_DEBT_THRESHOLD of eligible debt
LONG_MAX_TERM: Final = 60

INELIGIBLE_ACCOUNT_TYPES: Final = frozenset(
    {"MORTGAGE_DEBT", "AUTO_LOAN", "STUDENT_LOAN", "SECURED", "LEASE"}
)
INELIGIBLE_CREDITOR_TYPES: Final = frozenset(
    {"FED_STUDENT_LOAN", "STUDENT_LOAN", "AUTO", "LEASE_/_RENT", "RENT_TO_OWN"}
)
UNACCEPTABLE_CREDITOR_TYPES: Final = frozenset({"PAY_DAY_LOAN"})
CONDITIONAL_CREDITOR_TYPES: Final = frozenset({"CREDIT_UNION"})
INELIGIBLE_ECOA_CODES: Final = frozenset({"A", "T", "X"})  # authorized user, terminated, deceased
ELIGIBILITY_QUESTIONS: Final = (
    "eligibilityReqMilitary",
    "eligibilityReqCreditCounselling",
    "eligibilityReqBankruptcy",
    "eligibilityReqFederalGovDebt",
    "eligibilityReqSecuredDebt",
)
BANK_FIELDS: Final = ("routingNumber", "bankAccountNumber", "bankAccountHolderName")
ENROLLED_ELSEWHERE_SSN_SUFFIX: Final = "0000"  # checkEnrollmentEligibility says INELIGIBLE
UNSERVICED_STATES: Final = frozenset({"CT", "KS", "ME", "OR", "VT", "WV"})
GLG_STATES: Final = frozenset({"NJ", "NY", "PA"})  # uwOrgId GLG; every other state is ALV

# --- Offers -----------------------------------------------------------------------------------

PROGRAM_TERMS: Final = (24, 36, 48, 60)
SERVICE_FEE_RATE: Final = Decimal("0.25")  # fee1, on the enrolled debt
SETTLEMENT_RATE: Final = Decimal("0.50")  # estimated settlement, on the enrolled debt
SENTRY_FEE_MONTHLY: Final = Decimal("9.95")  # fee2 unless includeSentryFee is false
FIRST_PAYMENT_MAX_DAYS_AHEAD: Final = 45
COMP_TEMPLATE_ID: Final = 1001

# --- Enrollment -------------------------------------------------------------------------------

ENROLLMENT_FAIL_BANK_SUFFIX: Final = "-fail-bank"  # leadIds ending like this fail createBankAccount
