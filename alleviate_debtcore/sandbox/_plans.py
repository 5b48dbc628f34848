"""The payment-plan calculator behind ``offers`` and ``saveOffer``.

For an enrolled debt D over T months with N drafts (T, 2T or ceil(26T/12) for M, SM, BW):

- ``serviceFee`` (fee1) = round(D x 25%) whole dollars; ``estimatedSettlementFee`` =
  round(D x 50%); ``fee2`` (Sentry) = 9.95 per month unless ``includeSentryFee`` is false;
  fee3-fee7 are 0.00.
- ``savings`` is the part of each draft set aside for settlements; over the program it adds up
  to D.
- Every total is split evenly over the N drafts, in cents; the last draft takes the rounding
  remainder, so the drafts add up to the totals exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ._constants import (
    COMP_TEMPLATE_ID,
    SENTRY_FEE_MONTHLY,
    SERVICE_FEE_RATE,
    SETTLEMENT_RATE,
)
from ._dates import slash_date
from ._payload_envelope import JsonDict
from ._schedule import draft_count, draft_dates

_CENT = Decimal("0.01")
_ZERO = "0.00"


def money(amount: Decimal) -> str:
    """Decimal string with two places, as the offer service writes amounts."""
    return str(amount.quantize(_CENT, rounding=ROUND_HALF_UP))


def whole_dollars(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _split(total: Decimal, parts: int) -> list[Decimal]:
    each = (total / parts).quantize(_CENT, rounding=ROUND_DOWN)
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def plan_id(term: int) -> str:
    return f"plan-standard-{term}"


def plan_name(term: int) -> str:
    return f"Standard {term}-Month Plan"


def calculate_offer(
    *,
    enrolled_debt: Decimal,
    term: int,
    max_term: int,
    frequency: str,
    intervals: str,
    first_payment: date,
    include_sentry_fee: bool,
    enrollment_plan_id: str | None = None,
) -> JsonDict:
    """One ``OfferResult``."""
    enrolled_debt = enrolled_debt.quantize(_CENT, rounding=ROUND_HALF_UP)
    drafts = draft_count(frequency, term)
    dates = draft_dates(frequency, intervals, first_payment, drafts)
    service_fee = whole_dollars(enrolled_debt * SERVICE_FEE_RATE)
    settlement = whole_dollars(enrolled_debt * SETTLEMENT_RATE)
    sentry_total = SENTRY_FEE_MONTHLY * term if include_sentry_fee else Decimal(0)
    fee1 = _split(Decimal(service_fee), drafts)
    fee2 = _split(sentry_total, drafts)
    savings = _split(enrolled_debt, drafts)
    payments = [
        {
            "paymentNumber": str(number),
            "paymentDate": slash_date(dates[number - 1]),
            "totalPayment": money(fee1[i] + fee2[i] + savings[i]),
            "fee1": money(fee1[i]),
            "fee2": money(fee2[i]),
            "fee3": _ZERO,
            "fee4": _ZERO,
            "fee5": _ZERO,
            "fee6": _ZERO,
            "fee7": _ZERO,
            "savings": money(savings[i]),
        }
        for i, number in enumerate(range(1, drafts + 1))
    ]
    chosen_plan = enrollment_plan_id or plan_id(term)
    return {
        "compTemplateId": COMP_TEMPLATE_ID,
        "frequency": frequency,
        "frequencyInterval": intervals,
        "firstPaymentDate": slash_date(first_payment),
        "paymentTerm": str(term),
        "maxPaymentTerm": str(max_term),
        "enrolledDebt": money(enrolled_debt),
        "enrollmentPlanId": chosen_plan,
        "enrollmentPlanName": plan_name(term),
        "serviceFee": service_fee,
        "estimatedSettlementFee": settlement,
        "totals": {
            "fee1": money(Decimal(service_fee)),
            "fee2": money(sentry_total),
            "fee3": _ZERO,
            "fee4": _ZERO,
            "fee5": _ZERO,
            "fee6": _ZERO,
            "fee7": _ZERO,
            "savings": money(enrolled_debt),
            "totalPayment": money(enrolled_debt + service_fee + sentry_total),
        },
        "payments": payments,
        "forthRequestParameters": {
            "epFee1Amount": True,
            "epFee2Monthly": include_sentry_fee,
            "epFee3Amount": False,
            "epFee3Monthly": False,
            "epFee4Monthly": False,
            "epFee4Amount": False,
            "epFee5Monthly": False,
            "epFee5Amount": False,
            "firstPaymentDate": slash_date(first_payment),
            "recurringStartDate": slash_date(dates[1] if len(dates) > 1 else first_payment),
            "epFrequency": frequency,
            "epFreqInterval": intervals,
            "debt": money(enrolled_debt),
            "enrollmentPlan": chosen_plan,
            "programMonths": str(term),
            "maxPaymentTerm": str(max_term),
            "estSettlement": money(Decimal(settlement)),
        },
    }
