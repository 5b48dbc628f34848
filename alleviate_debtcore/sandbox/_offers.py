"""The offer service (``/og-service/graphql``): plan calculator, saved offers, servicing company.

``offers`` prices the review's total eligible debt for every standard term (24, 36, 48, 60) up to
the requested ``programTerm`` (default: the review's maxTerm), and for that term itself; a term
above maxTerm is capped and reported. A first payment date in the past or more than 45 days
ahead still gets plans, with ``INVALID_FIRST_PAYMENT_DATE`` in ``errors`` (as the docs example
shows); an unreadable date, an unknown review or revision, or a review with hard eligibility
failures gets no plans.
``saveOffer`` prices the plan stored on the review revision (update the review with ``plan``
first) and stores it; saving the same revision again returns the same offer.
"""

from __future__ import annotations

from datetime import date, timedelta

from ._constants import (
    FIRST_PAYMENT_MAX_DAYS_AHEAD,
    PROGRAM_TERMS,
    UNSERVICED_STATES,
)
from ._dates import parse_iso_date, parse_payment_date
from ._payload_envelope import (
    NOT_FOUND,
    VALIDATION_ERROR,
    BusinessError,
    JsonDict,
    Payload,
    Problem,
    problem,
)
from ._plans import calculate_offer
from ._records import Review, Revision, SavedOffer
from ._resolvers import RequestContext, ServiceResolvers
from ._reviews import find_review, find_revision, uw_org_for
from ._schedule import check_frequency, normalize_intervals
from ._state import SandboxState
from ._validation import check_state

resolvers = ServiceResolvers("offers")

INVALID_FIRST_PAYMENT_DATE = "INVALID_FIRST_PAYMENT_DATE"
MIN_PROGRAM_TERM = 12
SERVICING_COMPANIES = {"ALV": "Alleviate Sandbox Servicing (ALV)", "GLG": "GLG Sandbox Servicing"}


def _priceable(review: Review, revision: Revision) -> Revision:
    assessment = revision.assessment
    assert assessment is not None
    if assessment.hard_failed:  # includes eligible debt under the minimum
        raise BusinessError(
            "UNDERWRITING_NOT_PASSED",
            f"review {review.id} revision {revision.number} has hard eligibility failures",
        )
    return revision


def _date_problem(first: date, today: date) -> Problem | None:
    latest = today + timedelta(days=FIRST_PAYMENT_MAX_DAYS_AHEAD)
    if today <= first <= latest:
        return None
    return Problem(
        (
            INVALID_FIRST_PAYMENT_DATE,
            f"{INVALID_FIRST_PAYMENT_DATE}: firstPaymentDate must be between {today.isoformat()} "
            f"and {latest.isoformat()}",
        )
    )


def _requested_term(data: JsonDict, max_term: int) -> int:
    if data.get("programTerm") is not None:
        return int(data["programTerm"])
    legacy = data.get("paymentTerm")
    if legacy is None:
        return max_term
    if not str(legacy).strip().isdigit():
        raise BusinessError(VALIDATION_ERROR, "paymentTerm must be a number of months")
    return int(legacy)


@resolvers.mutation("offers")
def offers(context: RequestContext, args: JsonDict) -> Payload:
    data: JsonDict = args["input"]
    state = context.state
    review = find_review(state, data["uwResultId"], "uwResultId")
    revision = _priceable(review, find_revision(review, data.get("revision")))
    assert revision.assessment is not None
    frequency = check_frequency(data.get("frequency") or data.get("depositFrequency") or "M")
    first = parse_payment_date(data["firstPaymentDate"])
    if first is None:
        raise BusinessError(
            INVALID_FIRST_PAYMENT_DATE, "firstPaymentDate must be YYYY-MM-DD or YYYY/MM/DD"
        )
    intervals = normalize_intervals(frequency, data.get("depositIntervals"), first)
    max_term = revision.assessment.max_term
    requested = _requested_term(data, max_term)
    if requested < MIN_PROGRAM_TERM:
        raise BusinessError(VALIDATION_ERROR, f"programTerm must be at least {MIN_PROGRAM_TERM}")
    problems: list[Problem] = []
    date_problem = _date_problem(first, state.now().date())
    if date_problem:
        problems.append(date_problem)
    if requested > max_term:
        problems.append(
            problem("PROGRAM_TERM_EXCEEDS_MAX_TERM", f"programTerm capped at maxTerm {max_term}")
        )
    cap = min(requested, max_term)
    terms = sorted({term for term in PROGRAM_TERMS if term <= cap} | {cap})
    plans = [
        calculate_offer(
            enrolled_debt=revision.assessment.total_eligible_debt,
            term=term,
            max_term=max_term,
            frequency=frequency,
            intervals=intervals,
            first_payment=first,
            include_sentry_fee=data.get("includeSentryFee") is not False,
        )
        for term in terms
    ]
    return Payload(plans, problems)


@resolvers.mutation("saveOffer")
def save_offer(context: RequestContext, args: JsonDict) -> JsonDict:
    data: JsonDict = args["input"]
    state = context.state
    review = find_review(state, data["uwResultId"], "uwResultId")
    revision = find_revision(review, data.get("revision"))
    existing = state.offer_by_revision.get((review.id, revision.number))
    if existing:
        return state.offers[existing].node()
    plan = revision.plan
    if not plan:
        raise BusinessError(
            "PLAN_REQUIRED",
            f"revision {revision.number} of review {review.id} has no plan; update the review "
            "with the chosen plan (plan: PlanInputV2) first",
        )
    _priceable(review, revision)
    assert revision.assessment is not None
    first = parse_iso_date(plan.get("firstPaymentDate") or "")
    term = plan.get("programTerm")
    if first is None or not isinstance(term, int):
        raise BusinessError(
            "PLAN_INCOMPLETE", "the stored plan needs firstPaymentDate and programTerm"
        )
    max_term = revision.assessment.max_term
    if term > max_term:
        raise BusinessError("PROGRAM_TERM_EXCEEDS_MAX_TERM", f"programTerm is over {max_term}")
    frequency = check_frequency(plan.get("frequency") or "M")
    offer = calculate_offer(
        enrolled_debt=revision.assessment.total_eligible_debt,
        term=term,
        max_term=max_term,
        frequency=frequency,
        intervals=normalize_intervals(frequency, plan.get("depositIntervals"), first),
        first_payment=first,
        include_sentry_fee=plan.get("includeSentryFee") is not False,
        enrollment_plan_id=plan.get("planId"),
    )
    saved = store_offer(state, review, revision, offer)
    return saved.node()


def store_offer(
    state: SandboxState,
    review: Review,
    revision: Revision,
    offer: JsonDict,
    offer_id: str | None = None,
) -> SavedOffer:
    saved = SavedOffer(
        id=offer_id or state.new_id("offer", review.id, revision.number),
        uw_result_id=review.id,
        revision=revision.number,
        offer=offer,
        created_at=state.now(),
    )
    state.offers[saved.id] = saved
    state.offer_by_revision.setdefault((review.id, revision.number), saved.id)
    return saved


@resolvers.query("getOffer")
def get_offer(context: RequestContext, args: JsonDict) -> JsonDict:
    saved = context.state.offers.get(args["ogId"])
    if saved is None:
        raise BusinessError(NOT_FOUND, f"no saved offer with ogId {args['ogId']}")
    return saved.node()


@resolvers.query("enrollmentPlan")
def enrollment_plan(context: RequestContext, args: JsonDict) -> JsonDict:
    state_code: str = args["input"]["primaryApplicantState"]
    check_state(state_code, "primaryApplicantState")
    if state_code in UNSERVICED_STATES:
        raise BusinessError("STATE_NOT_SERVICED", f"no servicing company serves {state_code}")
    return {"servicingCompany": SERVICING_COMPANIES[uw_org_for(state_code)]}
