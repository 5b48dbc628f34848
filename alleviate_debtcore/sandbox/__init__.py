"""A local sandbox that behaves like the Alleviate Debt Core API, for demos and end-to-end tests.

It serves an Entra-style token endpoint and the four GraphQL services on one base URL, keeps
everything in memory, and derives every pseudo-random value from a sha256 of the inputs, so the
same requests against a fresh server give the same answers. Nothing here is Alleviate's real
logic: the rules and magic values below are the sandbox's own, documented so tests can rely on
them. They live in ``_constants.py``.

Use it in-process (``httpx.ASGITransport(app=create_app())``), in a background thread
(``with SandboxServer() as server: server.base_url``), or from the shell (``debtcore sandbox``).

Endpoints (``SERVICE_PATHS``; underwriting also at ``LEGACY_UNDERWRITING_PATH``):
    POST /{tenant}/oauth2/v2.0/token     client credentials; tenant ALLEVIATE_TENANT_ID
    POST /credit-service/graphql, /eligibility-review-service/graphql, /og-service/graphql,
         /enrollment-service/graphql     bearer token required; introspection on
    GET  /healthz, GET /                 liveness, endpoint index

Tokens: client ``local-client`` / secret ``local-secret`` (configurable), scope
``api://{SANDBOX_APP_ID}/.default``, lifetime 3599 s. Errors are Entra-shaped (``error``,
``error_description`` starting ``AADSTSnnnn:``, ``error_codes``, ``timestamp``, ``trace_id``,
``correlation_id``): unknown tenant 400 invalid_request AADSTS90002; missing parameter 400
invalid_request AADSTS900144; grant type other than client_credentials 400 unsupported_grant_type
AADSTS70003; unknown client 400 unauthorized_client AADSTS700016; missing secret 401 invalid_client
AADSTS7000218; wrong secret 401 invalid_client AADSTS7000215; other scope 400 invalid_scope
AADSTS70011. Tokens are HS256 JWTs (key random per app) with aud ``api://{app id}``, iss
``https://sts.windows.net/{tenant}/``, tid, appid, iat, nbf, exp, jti. A missing, forged,
expired, foreign-audience or revoked token gets HTTP 401 with
``WWW-Authenticate: Bearer error="invalid_token", error_description="..."``.

HTTP: every response has an ``x-request-id`` (a UUID). A request that fails GraphQL parsing,
validation or variable coercion gets HTTP 400 with top-level ``errors`` and no ``data``
(ariadne's behaviour); once execution starts the answer is HTTP 200. Business errors are in each
payload's ``errors``, messages reading ``CODE: detail`` (offers' date error also sends the bare
``INVALID_FIRST_PAYMENT_DATE`` first, as the docs show); codes include VALIDATION_ERROR,
NOT_FOUND, STALE_REVISION, CONSENT_REQUIRED, OTP_INCORRECT, UNDERWRITING_NOT_PASSED, PLAN_REQUIRED.

Docs fixtures (``create_app(docs_fixtures=True)``, the default) preload what the docs examples
name: reports ``cr-abc123def456`` and ``cr-xyz789`` of contact ``contact-12345``, review
``uw-xyz789`` (revisions 1 and 2), offers ``og-offer-123456`` and
``0195e1d8-7f3a-7000-8000-000000000001``, enrollment ``enroll-abc123xyz``, creditors ``cred-001``
to ``cred-003``, and a pending SMS code and KBA questions for ``contact-12345``.

Credit:
    - pullCreditReport needs, besides reqOrgContactId: SPINWHEEL - PASSED SMS or KBA consent for
      the contact; CRS_TRANSUNION - firstName, lastName, addressLine1, city, state, zip;
      CRS_EQUIFAX - firstName, lastName, ssn, addressLine1, city, state; ARRAY_EQUIFAX - those
      plus dob and zip; ARRAY_EQUIFAX_KBA - userVerificationId of a PASSED verification;
      CRS_STANDARD_PREQUAL_VANTAGE4_TU - firstName, lastName, ssn, addressLine1, city, state, zip.
      Formats: ssn 9 digits, dob YYYY-MM-DD, state 2 letters, zip 5 or 9 digits. Reports are
      COMPLETED at once.
    - A report's debts derive from the applicant's name, SSN, birth date and address: three
      unsecured cards and one unsecured loan or collection (together at least 7,500.00), one
      auto, student or mortgage loan, up to two extras (credit-union card, card under 500.00,
      authorized-user card, pay-day loan), and a joint (ECOA J) card shared by everyone at the
      same street address and ZIP. Last name ``NOHIT``: no debts.
    - normalizeRawReport: reportJson must be an object; reportRequestedAt is required for
      CRS_TRANSUNION and CRS_EQUIFAX, and for other CRS formats whose raw report has no
      request date (dateRequested, requestDate, reportDate); else the raw date or today.
    - SMS: sendSMSVerificationCode takes an E.164 phone; a phone ending ``0000`` gives
      UNABLE_TO_SEND_SMS, ending ``0001`` REQUIRES_KBA. verifySMSCode: ``123456`` passes,
      ``000000`` is OTP_EXPIRED, anything else OTP_INCORRECT; the 3rd wrong code locks the
      contact for 5 minutes (RETRY_AFTER_5MIN).
    - KBA: kbaQuestions returns q1-q3 with options ``qN-a`` to ``qN-d`` (SSN starting ``000``:
      UNABLE_TO_GET_KBA_QUESTIONS); the correct answers are q1-b, q2-a, q3-d (the docs'
      ``aN-optionM`` ids are accepted: a1-option2, a2-option1, a3-option4); else KBA_FAILED.
    - createUserVerification: an Array verification that is PASSED at once.
    - createCreditor returns the existing creditor for a known name (case-insensitive).

Eligibility (checkApplicantEligibility V1/V2, updates, listings):
    - Debt verdicts: mortgage, auto, student, secured or lease debt INELIGIBLE; pay-day lender
      INELIGIBLE unless additionalInfo.includeUnacceptableCreditor; ECOA A, T or X INELIGIBLE;
      balance under 500.00 INELIGIBLE; creditor = applicant's employer INELIGIBLE; unknown
      accountType UNABLE_TO_PROCESS; missing balance or accountType UPDATE_NEEDED; credit-union
      creditor CONDITIONAL; MANUAL debt without hasProofOfLiability CONDITIONAL; else ELIGIBLE.
      Each non-ELIGIBLE debt adds a payload error with its debtId and reasons.
    - Debts are selected unless INELIGIBLE. totalDebt sums selected balances, totalEligibleDebt
      selected ELIGIBLE ones; maxTerm is 48 under 10,000.00 eligible, else 60.
    - Hard failures (applicationPassable false): state CT, KS, ME, OR, VT or WV; any
      eligibilityReq* or filedBankruptcy answered YES; eligible debt under 7,500.00. Soft
      failures: plan programTerm over maxTerm; budget income not above expenses; with
      flowType FULL_REVIEW also missing bank details, plan, hardship, agentAssigned, or a report
      older than 30 days. applicantPrequalified means no failure at all; applicationPassable is
      null when flowType is unset. uwOrgId is GLG for NJ, NY, PA, else ALV.
    - Updates must send the latest revision (older: STALE_REVISION; unknown: NOT_FOUND) and
      return revision N+1. A debt edit with id changes only the fields sent; without id it adds
      a MANUAL debt; MANUAL debts left out of a section's debts list are removed; in V2 a debt
      id may appear in one section only.
    - JOINT needs secondaryReportId (V1 also coCreditReportId) from the same vendor; V2 also
      coApplicantContactInfo. Joint-ownership debts found on both reports form the joint section.
    - checkEnrollmentEligibility: SSN ending ``0000`` or already enrolled: INELIGIBLE.

Offers: plans for each term in 24, 36, 48, 60 up to programTerm (default maxTerm) and for
programTerm itself (at least 12, capped at maxTerm); fee1 = 25% of
the enrolled (total eligible) debt in whole dollars, settlement estimate 50%, fee2 (Sentry) 9.95
a month unless includeSentryFee is false; money as decimal strings, dates as YYYY/MM/DD. The
first payment date (YYYY-MM-DD or YYYY/MM/DD) must lie between today and 45 days ahead, else
plans still come with INVALID_FIRST_PAYMENT_DATE. saveOffer prices the plan stored on the review
revision (PLAN_REQUIRED otherwise) and is idempotent per revision.

Enrollment: createEnrollment needs a saved offer (ogId); each enrollmentStatus poll advances one
step (done by the 9th poll); steps with nothing to do are SKIPPED; contactId appears once
createContact is COMPLETED; a leadId ending ``-fail-bank`` fails createBankAccount.

Faults (``Faults``, or ``debtcore sandbox`` flags): latency, failing token requests (503 or 429
with Retry-After), failing service requests (5xx or 429, not executed), lost responses
(executed, then 502), ``state.revoke_tokens()``. ``state.executions`` records each executed root
field with its ``x-client-request-id``; ``repeated_mutations()`` should stay empty.
"""

from typing import TYPE_CHECKING, Any

from ._app import SandboxApp, create_app
from ._faults import Faults
from ._limits import RequestLimits
from ._scenarios import CreditFile, OperationFault, Scenarios
from ._state import Execution, ExecutionLog, ReceivedRequest, RequestLog, SandboxState
from ._tokens import InvalidTokenError, TokenIssuer

if TYPE_CHECKING:
    from ._server import SandboxServer, serve_forever


def __getattr__(name: str) -> Any:
    # The server needs uvicorn; the in-process sandbox (alleviate_debtcore.testing) does not.
    if name in ("SandboxServer", "serve_forever"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CreditFile",
    "Execution",
    "ExecutionLog",
    "Faults",
    "InvalidTokenError",
    "OperationFault",
    "ReceivedRequest",
    "RequestLimits",
    "RequestLog",
    "SandboxApp",
    "SandboxServer",
    "SandboxState",
    "Scenarios",
    "TokenIssuer",
    "create_app",
    "serve_forever",
]
