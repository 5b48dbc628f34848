"""Helpers for the sandbox tests: a raw GraphQL caller over httpx (in-process or real HTTP)."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from alleviate_debtcore._environment import (
    ALLEVIATE_TENANT_ID,
    SANDBOX_APP_ID,
    SERVICE_PATHS,
    Service,
)

TOKEN_PATH = f"/{ALLEVIATE_TENANT_ID}/oauth2/v2.0/token"
SCOPE = f"api://{SANDBOX_APP_ID}/.default"
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"

TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "local-client",
    "client_secret": "local-secret",
    "scope": SCOPE,
}

THOMAS_DEVOS = {
    "reqOrgContactId": "contact-devos",
    "creditReportSource": "ARRAY_EQUIFAX",
    "firstName": "THOMAS",
    "lastName": "DEVOS",
    "ssn": "666023511",
    "dob": "1957-09-06",
    "addressLine1": "BEAR CREEK RD",
    "addressLine2": "APT 110",
    "city": "TUSCALOOSA",
    "state": "AL",
    "zip": "35405",
}


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def payment_date(days_ahead: int, separator: str = "/") -> str:
    return (date.today() + timedelta(days=days_ahead)).strftime(f"%Y{separator}%m{separator}%d")


class Api:
    """Gets a token once and posts raw GraphQL to the sandbox's services."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._token: str | None = None

    async def token(self) -> str:
        if self._token is None:
            response = await self.client.post(TOKEN_PATH, data=TOKEN_FORM)
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        assert self._token is not None
        return self._token

    async def post(
        self,
        service: Service,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> httpx.Response:
        token = await self.token()
        return await self.client.post(
            path or SERVICE_PATHS[service],
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
        )

    async def call(
        self, service: Service, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """The single root field's payload ``{data, errors}``; fails on top-level errors."""
        response = await self.post(service, query, variables, **kw)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        (payload,) = body["data"].values()
        return payload

    async def ok(
        self, service: Service, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> Any:
        """The payload's ``data``; fails unless the payload's ``errors`` is empty."""
        payload = await self.call(service, query, variables, **kw)
        assert not payload["errors"], payload["errors"]
        assert payload["data"] is not None
        return payload["data"]


def messages(payload: dict[str, Any]) -> list[str]:
    """Every error message of a payload, flattened (message may be a string or a list)."""
    found: list[str] = []
    for item in payload["errors"] or []:
        message = item["message"]
        found.extend(message if isinstance(message, list) else [message])
    return found


# --- Operation documents used by the flow tests ----------------------------------------------

PULL = """
mutation Pull($input: PullCreditReportInput!) {
  pullCreditReport(input: $input) {
    data { creditReportId reportStatus applicantResidenceState source
           debts { id creditorName accountNumber accountType creditorType ecoaCode currentBalance
                   originalBalance openDate lastPaymentDate isCollection portfolioType } }
    errors { message }
  }
}"""

DEBT_FIELDS = """id source isSelected coApplicantIsSelected eligibilityStatus applicantId
coApplicantId currentBalance creditorName accountType isOverridden
history { currentBalance updatedBy fromRevision }"""

REVIEW_V2 = f"""
id revision maxTerm
applicationEligibilityReview {{
  applicantPrequalified applicationPassable applicationType totalDebt totalEligibleDebt
}}
applicantEligibilityReview {{
  id revision creditReportId applicationType debts {{ {DEBT_FIELDS} }}
  applicantInfo {{ plan {{ frequency firstPaymentDate programTerm planId depositIntervals }}
                  applicantContactInfo {{ applicantState routingNumber }} }}
}}
coApplicantEligibilityReview {{ id revision creditReportId debts {{ {DEBT_FIELDS} }} }}
jointEligibilityReview {{
  id revision creditReportId coCreditReportId
  primaryApplicantEligibilityReview {{ id revision }}
  coApplicantEligibilityReview {{ id revision }}
  debts {{ {DEBT_FIELDS} }}
}}
"""

CHECK_V2 = f"""
mutation Check($type: ApplicationTypeInput!, $input: UwResultCheckInputV2!, $flow: FlowType) {{
  checkApplicantEligibilityV2(applicationType: $type, input: $input, flowType: $flow) {{
    data {{ {REVIEW_V2} }}
    errors {{ debtId message }}
  }}
}}"""

UPDATE_V2 = f"""
mutation Update($type: ApplicationTypeInput!, $fields: UwResultUpdateInputV2!, $flow: FlowType) {{
  updateApplicantEligibilityV2(applicationType: $type, updatedUWFields: $fields, flowType: $flow) {{
    data {{ {REVIEW_V2} }}
    errors {{ debtId message }}
  }}
}}"""

OFFER_FIELDS = """frequency frequencyInterval firstPaymentDate paymentTerm maxPaymentTerm
enrolledDebt enrollmentPlanId enrollmentPlanName serviceFee estimatedSettlementFee
totals { fee1 fee2 savings totalPayment }
payments { paymentNumber paymentDate totalPayment fee1 fee2 savings }
forthRequestParameters { recurringStartDate epFrequency epFreqInterval debt programMonths }"""

OFFERS = f"""
mutation Offers($input: OffersInput!) {{
  offers(input: $input) {{ data {{ {OFFER_FIELDS} }} errors {{ message }} }}
}}"""

SAVE_OFFER = f"""
mutation Save($input: CreateOfferInput!) {{
  saveOffer(input: $input) {{ data {{ id uwResultId uwResultRevision {OFFER_FIELDS} }}
                              errors {{ message }} }}
}}"""

GET_OFFER = f"""
query Get($ogId: String!) {{
  getOffer(ogId: $ogId) {{ data {{ id uwResultId uwResultRevision {OFFER_FIELDS} }}
                          errors {{ message }} }}
}}"""

CREATE_ENROLLMENT = """
mutation Enroll($input: CreateEnrollmentInput!) {
  createEnrollment(input: $input) { data { enrollmentId } errors { message } }
}"""

ENROLLMENT_STATUS = """
query Status($id: String!) {
  enrollmentStatus(enrollmentId: $id) {
    data { contactId qaCall createContact createEnrollmentPlan createNotes createDebts
           createBudget createBankAccount createDocuments }
    errors { message }
  }
}"""

STEPS = (
    "qaCall",
    "createContact",
    "createEnrollmentPlan",
    "createNotes",
    "createDebts",
    "createBudget",
    "createBankAccount",
    "createDocuments",
)


def plan_from_offer(offer: dict[str, Any]) -> dict[str, Any]:
    """The SDK smoke test's mapping from a chosen OfferResult to PlanInputV2."""
    payments = offer["payments"]
    return {
        "frequency": offer["frequency"],
        "firstPaymentAmount": float(payments[0]["totalPayment"]),
        "secondPaymentAmount": float(payments[1]["totalPayment"]),
        "firstPaymentDate": payments[0]["paymentDate"],
        "secondPaymentDate": payments[1]["paymentDate"],
        "programTerm": int(offer["paymentTerm"]),
        "feePercentage": offer["serviceFee"],
        "planId": offer["enrollmentPlanId"],
        "depositIntervals": offer["frequencyInterval"],
    }
