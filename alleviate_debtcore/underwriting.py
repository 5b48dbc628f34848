"""Eligibility Review service (/eligibility-review-service/graphql).

Its input types, enums and result models, generated from schemas/underwriting.graphql and
queries/underwriting/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from alleviate_debtcore.generated import underwriting as _generated
from alleviate_debtcore.generated.underwriting import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from alleviate_debtcore.generated.underwriting.client import UnderwritingClient
from alleviate_debtcore.generated.underwriting.sync_client import SyncUnderwritingClient

__all__: list[str] = []
__all__ += _generated.__all__
__all__ += ["SyncUnderwritingClient", "UnderwritingClient"]
