"""Credit Reporting service (/credit-service/graphql).

Its input types, enums and result models, generated from schemas/credit.graphql and
queries/credit/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from alleviate_debtcore.generated import credit as _generated
from alleviate_debtcore.generated.credit import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]

__all__: list[str] = []
__all__ += _generated.__all__
