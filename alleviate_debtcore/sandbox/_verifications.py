"""Credit service: a contact's consent record (``userVerification``, ``createUserVerification``).

One record per contact at a time: the Spinwheel SMS/KBA flow (``_consent``) or the Array flow,
which happens outside the API and so is PASSED at once here.
"""

from __future__ import annotations

from ._payload_envelope import JsonDict
from ._records import Verification
from ._resolvers import RequestContext, ServiceResolvers
from ._state import SandboxState
from ._validation import (
    check_birth_date,
    check_email,
    check_phone,
    check_ssn,
    check_state,
    check_zip,
)

resolvers = ServiceResolvers("credit")


def find_verification(state: SandboxState, contact: str) -> Verification | None:
    verification_id = state.verification_by_contact.get(contact)
    return state.verifications.get(verification_id) if verification_id else None


def spinwheel_verification(state: SandboxState, contact: str, kind: str) -> Verification:
    """The contact's Spinwheel consent record, started if there is none."""
    verification = find_verification(state, contact)
    if verification is None or verification.source != "SPINWHEEL":
        verification = Verification(
            id=state.new_id("user-verification", contact),
            req_org_contact_id=contact,
            created_at=state.now(),
            verification_type=kind,
            source="SPINWHEEL",
        )
        state.verifications[verification.id] = verification
        state.verification_by_contact[contact] = verification.id
    return verification


@resolvers.query("userVerification")
def userfind_verification(context: RequestContext, args: JsonDict) -> JsonDict:
    contact: str = args["reqOrgContactId"]
    verification = find_verification(context.state, contact)
    if verification is None:
        return {
            "id": None,
            "reqOrgContactId": contact,
            "creditReportUserId": None,
            "reqOrgId": context.state.req_org_id,
            "status": "NOT_STARTED",
            "verificationDate": None,
            "userConsentDate": None,
            "verificationType": None,
            "verificationSource": None,
        }
    return verification.node(context.state.req_org_id)


@resolvers.mutation("createUserVerification")
def create_userfind_verification(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    check_ssn(data["ssn"])
    check_birth_date(data["dob"])
    check_state(data["state"])
    check_zip(data["zip"])
    check_phone(data["phone"])
    check_email(data["email"])
    contact: str = data["reqOrgContactId"]
    # The Array consumer flow happens outside the API; the sandbox treats it as passed at once.
    verification = Verification(
        id=state.new_id("user-verification", contact),
        req_org_contact_id=contact,
        created_at=state.now(),
        verification_type=data["verificationType"],
        source="ARRAY",
        status="PASSED",
        identity={
            "firstName": data["firstName"],
            "middleName": data.get("middleName"),
            "lastName": data["lastName"],
            "ssn": data["ssn"],
            "dob": data["dob"],
            "addressLine1": data["fullAddress"],
            "city": data["city"],
            "state": data["state"],
            "zip": data["zip"],
        },
        verified_at=state.now(),
    )
    state.verifications[verification.id] = verification
    state.verification_by_contact[contact] = verification.id
    return verification.node(state.req_org_id)
