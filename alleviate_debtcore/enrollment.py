"""Lead Enrollment service (/enrollment-service/graphql).

Its client, input types, enums and result models, generated from schemas/enrollment.graphql and
queries/enrollment/. Import them from here, not from ``alleviate_debtcore.generated``.
``EnrollmentClient`` (and ``SyncEnrollmentClient``, ``DebtCore``'s) here is the generated one plus
the handwritten ``wait_for_enrollment``.
"""

from __future__ import annotations

from collections.abc import Mapping

from alleviate_debtcore.generated import enrollment as _generated
from alleviate_debtcore.generated.enrollment import *  # noqa: F403  # pyright: ignore[reportWildcardImportFromLibrary]
from alleviate_debtcore.generated.enrollment import (
    EnrollmentStatus,
    EnrollmentStatusDataFields,
    EnrollmentStatusQueryEnrollmentStatusData,
)
from alleviate_debtcore.generated.enrollment.client import (
    EnrollmentClient as _GeneratedEnrollmentClient,
)
from alleviate_debtcore.generated.enrollment.sync_client import (
    SyncEnrollmentClient as _GeneratedSyncEnrollmentClient,
)

from ._waiting import poll_until, poll_until_sync

__all__: list[str] = []
__all__ += _generated.__all__
__all__ += ["EnrollmentClient", "SyncEnrollmentClient"]

RUNNING_STEP_STATUSES = frozenset({EnrollmentStatus.PENDING, EnrollmentStatus.IN_PROGRESS})


def enrollment_steps(status: EnrollmentStatusDataFields) -> dict[str, EnrollmentStatus]:
    """Each step of an enrollment (``create_contact``, ``create_debts``, ...) and its status."""
    return {
        name: value
        for name, value in status
        if isinstance(value, EnrollmentStatus)  # contact_id is not a step
    }


def _steps_pending(status: EnrollmentStatusQueryEnrollmentStatusData) -> dict[str, str]:
    """What ``wait_for_enrollment`` still waits for: the steps pending or running."""
    steps = enrollment_steps(status)
    return {name: str(value) for name, value in steps.items() if value in RUNNING_STEP_STATUSES}


class EnrollmentClient(_GeneratedEnrollmentClient):
    """The Lead Enrollment service's operations, plus ``wait_for_enrollment``."""

    async def wait_for_enrollment(
        self,
        enrollment_id: str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> EnrollmentStatusQueryEnrollmentStatusData:
        """Poll ``enrollment_status`` until no step is PENDING or IN_PROGRESS and return the
        status (failed steps included: read each step's value). ``timeout`` bounds the whole
        wait, each poll included (it gets the client's timeout, cut to what is left);
        ``WaitTimeoutError`` then names the steps still pending or running. Polls back off from
        ``poll_interval`` to ``max_poll_interval`` seconds. Each is a positive, finite number of
        seconds."""

        return await poll_until(
            lambda poll_timeout: self.enrollment_status(
                enrollment_id,
                timeout=poll_timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
            _steps_pending,
            what=f"enrollment {enrollment_id}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            request_timeout=self.transport.options.timeout,
        )


class SyncEnrollmentClient(_GeneratedSyncEnrollmentClient):
    """``EnrollmentClient``'s sync twin (``DebtCore.enrollment``), with ``wait_for_enrollment``."""

    def wait_for_enrollment(
        self,
        enrollment_id: str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> EnrollmentStatusQueryEnrollmentStatusData:
        """Poll ``enrollment_status`` until no step is PENDING or IN_PROGRESS and return the
        status (failed steps included: read each step's value). ``timeout`` bounds the whole
        wait, each poll included (it gets the client's timeout, cut to what is left);
        ``WaitTimeoutError`` then names the steps still pending or running. Polls back off from
        ``poll_interval`` to ``max_poll_interval`` seconds. Each is a positive, finite number of
        seconds."""

        return poll_until_sync(
            lambda poll_timeout: self.enrollment_status(
                enrollment_id,
                timeout=poll_timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
            _steps_pending,
            what=f"enrollment {enrollment_id}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            request_timeout=self.transport.options.timeout,
        )


__all__ += ["RUNNING_STEP_STATUSES", "enrollment_steps"]
