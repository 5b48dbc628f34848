"""Offer Generation service (/og-service/graphql).

Its input types, enums and result models, generated from schemas/offers.graphql and
queries/offers/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from alleviate_debtcore.generated import offers as _generated
from alleviate_debtcore.generated.offers import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]

__all__: list[str] = []
__all__ += _generated.__all__
