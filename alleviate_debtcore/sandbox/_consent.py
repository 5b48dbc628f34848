"""Credit service: consumer consent by SMS code or KBA questions (Spinwheel).

A PASSED consent lets ``pullCreditReport`` use SPINWHEEL for the contact. The codes, answers and
lock-out are in ``_constants``.
"""

from __future__ import annotations

from ._constants import (
    KBA_CORRECT_ANSWERS,
    KBA_UNAVAILABLE_SSN_PREFIX,
    SMS_EXPIRED_CODE,
    SMS_LOCKOUT,
    SMS_MAX_FAILED_ATTEMPTS,
    SMS_PASS_CODE,
    SMS_REQUIRES_KBA_SUFFIX,
    SMS_UNABLE_TO_SEND_SUFFIX,
)
from ._payload_envelope import NOT_FOUND, BusinessError, JsonDict
from ._records import Verification
from ._resolvers import RequestContext, ServiceResolvers
from ._state import SandboxState
from ._validation import check_birth_date, check_e164, check_ssn, check_state, check_zip
from ._verifications import find_verification, spinwheel_verification

resolvers = ServiceResolvers("credit")


def _check_lock(state: SandboxState, verification: Verification) -> None:
    if verification.locked_until is not None and state.now() < verification.locked_until:
        raise BusinessError(
            "RETRY_AFTER_5MIN", "too many incorrect codes; try again after five minutes"
        )


@resolvers.mutation("sendSMSVerificationCode")
def send_sms_code(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    check_e164(data["phoneNumber"])
    check_birth_date(data["dateOfBirth"], "dateOfBirth")
    verification = spinwheel_verification(state, data["reqOrgContactId"], "SMS")
    _check_lock(state, verification)
    verification.verification_type = "SMS"
    verification.identity = {**verification.identity, "dob": data["dateOfBirth"]}
    phone: str = data["phoneNumber"]
    if phone.endswith(SMS_UNABLE_TO_SEND_SUFFIX):
        verification.status = "UNABLE_TO_SEND_SMS"
        raise BusinessError("UNABLE_TO_SEND_SMS", "the carrier rejected the text message")
    if phone.endswith(SMS_REQUIRES_KBA_SUFFIX):
        verification.status = "REQUIRES_KBA"
        raise BusinessError("REQUIRES_KBA", "this consumer must verify by KBA (kbaQuestions)")
    verification.status = "IN_PROGRESS"
    verification.sms_pending = True
    verification.failed_attempts = 0
    verification.locked_until = None
    return {"message": "Verification code sent successfully"}


@resolvers.mutation("verifySMSCode")
def verify_sms_code(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    verification = find_verification(state, data["reqOrgContactId"])
    if verification is None or verification.source != "SPINWHEEL":
        raise BusinessError(NOT_FOUND, "no verification code was sent to this reqOrgContactId")
    _check_lock(state, verification)
    if verification.status == "PASSED" and verification.verification_type == "SMS":
        return {"message": "Verification successful"}
    if not verification.sms_pending:
        raise BusinessError(NOT_FOUND, "no verification code is pending for this reqOrgContactId")
    code: str = data["verificationCode"]
    if code == SMS_PASS_CODE:
        verification.status = "PASSED"
        verification.sms_pending = False
        verification.verified_at = state.now()
        return {"message": "Verification successful"}
    if code == SMS_EXPIRED_CODE:
        verification.status = "OTP_EXPIRED"
        verification.sms_pending = False
        raise BusinessError("OTP_EXPIRED", "the code has expired; send a new one")
    verification.failed_attempts += 1
    if verification.failed_attempts >= SMS_MAX_FAILED_ATTEMPTS:
        verification.status = "RETRY_AFTER_5MIN"
        verification.sms_pending = False
        verification.locked_until = state.now() + SMS_LOCKOUT
        raise BusinessError(
            "RETRY_AFTER_5MIN", "too many incorrect codes; try again after five minutes"
        )
    verification.status = "OTP_INCORRECT"
    raise BusinessError("OTP_INCORRECT", "the code is not correct")


def kba_questions_for(address_line: str) -> list[JsonDict]:
    """The three questions every applicant gets (the docs example's), and their options."""
    questions = (
        (
            "Which of the following addresses have you been associated with?",
            ("123 Oak Street", "456 Pine Avenue", "789 Maple Drive", "None of the above"),
        ),
        (
            f"What county is associated with the address {address_line}?",
            ("Los Angeles County", "Orange County", "San Diego County", "None of the above"),
        ),
        (
            "Which of the following vehicles have you owned or leased?",
            ("2018 Honda Accord", "2020 Toyota Camry", "2019 Ford F-150", "None of the above"),
        ),
    )
    return [
        {
            "id": f"q{number}",
            "question": text,
            "options": [
                {"id": f"q{number}-{letter}", "text": option}
                for letter, option in zip("abcd", options, strict=True)
            ],
        }
        for number, (text, options) in enumerate(questions, start=1)
    ]


@resolvers.query("kbaQuestions")
def kba_questions(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    check_ssn(data["ssn"])
    check_birth_date(data["dateOfBirth"], "dateOfBirth")
    check_state(data["state"])
    check_zip(data["zip"])
    verification = spinwheel_verification(context.state, data["reqOrgContactId"], "KBA")
    if data["ssn"].startswith(KBA_UNAVAILABLE_SSN_PREFIX):
        verification.status = "UNABLE_TO_GET_KBA_QUESTIONS"
        raise BusinessError("UNABLE_TO_GET_KBA_QUESTIONS", "no questions could be built")
    verification.verification_type = "KBA"
    verification.status = "IN_PROGRESS"
    verification.kba_issued = True
    verification.identity = {
        "firstName": data["firstName"],
        "lastName": data["lastName"],
        "ssn": data["ssn"],
        "dob": data["dateOfBirth"],
        "addressLine1": data["addressLine1"],
        "addressLine2": data.get("addressLine2"),
        "city": data["city"],
        "state": data["state"],
        "zip": data["zip"],
    }
    return {"questions": kba_questions_for(data["addressLine1"])}


def _canonical_answer(question_id: str, answer_id: str) -> str:
    """Accept the docs' ``aN-optionM`` spelling as an alias of ``qN-<Mth letter>``."""
    prefix = f"a{question_id.removeprefix('q')}-option"
    if answer_id.startswith(prefix) and answer_id[len(prefix) :] in ("1", "2", "3", "4"):
        return f"{question_id}-{'abcd'[int(answer_id[len(prefix) :]) - 1]}"
    return answer_id


@resolvers.mutation("sendKbaAnswers")
def send_kba_answers(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    verification = find_verification(state, data["reqOrgContactId"])
    if verification is None or not verification.kba_issued:
        raise BusinessError("BAD_REQUEST", "call kbaQuestions for this reqOrgContactId first")
    answers = {
        answer["questionId"]: _canonical_answer(answer["questionId"], answer["answerId"])
        for answer in data["answers"]
    }
    wrong = sum(answers.get(question) != right for question, right in KBA_CORRECT_ANSWERS.items())
    if wrong:
        verification.status = "FAILED"
        raise BusinessError(
            "KBA_FAILED", f"{wrong} of {len(KBA_CORRECT_ANSWERS)} answers were not correct"
        )
    verification.verification_type = "KBA"
    verification.status = "PASSED"
    verification.verified_at = state.now()
    return {"message": "KBA verification successful"}
