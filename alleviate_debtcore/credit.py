"""Credit Reporting service (/credit-service/graphql).

Its client, input types, enums and result models, generated from schemas/credit.graphql and
queries/credit/. Import them from here, not from ``alleviate_debtcore.generated``.
``CreditClient`` (and ``SyncCreditClient``, ``DebtCore``'s) here is the generated one plus the
handwritten ``wait_for_credit_report``.
"""

from __future__ import annotations

from collections.abc import Mapping

from alleviate_debtcore.generated import credit as _generated
from alleviate_debtcore.generated.credit import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from alleviate_debtcore.generated.credit import GetCreditReportResponseFieldsData
from alleviate_debtcore.generated.credit.client import CreditClient as _GeneratedCreditClient
from alleviate_debtcore.generated.credit.sync_client import (
    SyncCreditClient as _GeneratedSyncCreditClient,
)

from ._waiting import poll_until, poll_until_sync

__all__: list[str] = []
__all__ += _generated.__all__
__all__ += ["CreditClient", "SyncCreditClient"]

# reportStatus is a plain string: PENDING -> IN_PROGRESS -> COMPLETED | FAILED (reference §C4).
TERMINAL_REPORT_STATUSES = frozenset({"COMPLETED", "FAILED"})


def _report_pending(
    credit_report_id: str, report: GetCreditReportResponseFieldsData
) -> dict[str, str]:
    """What ``wait_for_credit_report`` still waits for: nothing once the status is terminal."""
    status = report.report_status or "no status"
    if status in TERMINAL_REPORT_STATUSES:
        return {}
    return {f"credit report {credit_report_id}": status}


class CreditClient(_GeneratedCreditClient):
    """The Credit Reporting service's operations, plus ``wait_for_credit_report``."""

    async def wait_for_credit_report(
        self,
        credit_report_id: str,
        *,
        timeout: float = 120.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> GetCreditReportResponseFieldsData:
        """Poll ``credit_report`` until the report's status is COMPLETED or FAILED and return it
        (a FAILED report is returned, not raised). ``timeout`` bounds the whole wait, each poll
        included (it gets the client's timeout, cut to what is left); ``WaitTimeoutError`` then
        names the status it was still in. Polls back off from ``poll_interval`` to
        ``max_poll_interval`` seconds. Each is a positive, finite number of seconds."""
        return await poll_until(
            lambda poll_timeout: self.credit_report(
                credit_report_id,
                timeout=poll_timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
            lambda report: _report_pending(credit_report_id, report),
            what=f"credit report {credit_report_id}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            request_timeout=self.transport.options.timeout,
        )


class SyncCreditClient(_GeneratedSyncCreditClient):
    """``CreditClient``'s sync twin (``DebtCore.credit``), with ``wait_for_credit_report`` too."""

    def wait_for_credit_report(
        self,
        credit_report_id: str,
        *,
        timeout: float = 120.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> GetCreditReportResponseFieldsData:
        """Poll ``credit_report`` until the report's status is COMPLETED or FAILED and return it
        (a FAILED report is returned, not raised). ``timeout`` bounds the whole wait, each poll
        included (it gets the client's timeout, cut to what is left); ``WaitTimeoutError`` then
        names the status it was still in. Polls back off from ``poll_interval`` to
        ``max_poll_interval`` seconds. Each is a positive, finite number of seconds."""
        return poll_until_sync(
            lambda poll_timeout: self.credit_report(
                credit_report_id,
                timeout=poll_timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
            lambda report: _report_pending(credit_report_id, report),
            what=f"credit report {credit_report_id}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            request_timeout=self.transport.options.timeout,
        )


__all__ += ["TERMINAL_REPORT_STATUSES"]
