"""Lead Enrollment service (/enrollment-service/graphql).

Its input types, enums and result models, generated from schemas/enrollment.graphql and
queries/enrollment/. Import them from here, not from ``alleviate_debtcore.generated``.
"""

from .generated import enrollment as _generated
from .generated.enrollment import *  # noqa: F403

__all__: list[str] = []
__all__ += _generated.__all__
