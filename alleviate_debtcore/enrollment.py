"""Lead Enrollment service (/enrollment-service/graphql).

Its input types, enums and result models, generated from schemas/enrollment.graphql and
queries/enrollment/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from alleviate_debtcore.generated import enrollment as _generated
from alleviate_debtcore.generated.enrollment import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]

__all__: list[str] = []
__all__ += _generated.__all__
