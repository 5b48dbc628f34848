"""Offer Generation service (/og-service/graphql).

Its input types, enums and result models, generated from schemas/offers.graphql and
queries/offers/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from .generated import offers as _generated
from .generated.offers import *  # noqa: F403

__all__: list[str] = []
__all__ += _generated.__all__
