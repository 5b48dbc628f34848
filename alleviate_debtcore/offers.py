"""Offer Generation service (/og-service/graphql).

Its client, input types and result models, generated from schemas/offers.graphql and
queries/offers/. Import them from here, not from ``alleviate_debtcore.generated``.
``plan_input`` (handwritten) maps a calculated offer to the review's ``plan``.
"""

from __future__ import annotations

from decimal import Decimal

from alleviate_debtcore.generated import offers as _generated
from alleviate_debtcore.generated.offers import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from alleviate_debtcore.generated.offers import OffersMutationOffersData
from alleviate_debtcore.generated.offers.client import OffersClient
from alleviate_debtcore.generated.offers.sync_client import SyncOffersClient
from alleviate_debtcore.generated.underwriting import PlanInputV2

from .errors import FieldError, InputValidationError

__all__: list[str] = []
__all__ += _generated.__all__
__all__ += ["OffersClient", "SyncOffersClient"]


def plan_input(offer: OffersMutationOffersData | None) -> PlanInputV2:
    """The eligibility review's ``plan`` for a calculated offer (``offers(...)``), mapped as the
    TypeScript SDK's smoke test does: ``save_offer`` reads the plan from the review, so store it
    there first (``update_applicant_eligibility_v2(..., plan=plan_input(offer))``)."""
    if offer is None:
        raise InputValidationError(
            "plan_input needs an offer, not None", errors=[FieldError("offer", "is None")]
        )
    payments = [p for p in offer.payments or [] if p is not None]

    def amount(index: int) -> float | None:
        if len(payments) <= index or payments[index].total_payment is None:
            return None
        return float(Decimal(payments[index].total_payment or "0"))

    return PlanInputV2(
        frequency=offer.frequency,
        first_payment_amount=amount(0),
        second_payment_amount=amount(1),
        first_payment_date=payments[0].payment_date if payments else None,
        second_payment_date=payments[1].payment_date if len(payments) > 1 else None,
        program_term=int(offer.payment_term) if offer.payment_term else None,
        fee_percentage=float(offer.service_fee) if offer.service_fee is not None else None,
        plan_id=offer.enrollment_plan_id,
        deposit_intervals=offer.frequency_interval,
    )


__all__ += ["plan_input"]
