"""The credit service (``/credit-service/graphql``), one module per concern.

Reports in ``_credit_reports``, the creditor directory in ``_creditors``, SMS and KBA consent in
``_consent``, the consent record itself in ``_verifications``.
"""

from __future__ import annotations

from . import _consent, _credit_reports, _creditors, _verifications
from ._resolvers import ServiceResolvers

resolvers = ServiceResolvers.combine(
    "credit",
    _credit_reports.resolvers,
    _creditors.resolvers,
    _consent.resolvers,
    _verifications.resolvers,
)
