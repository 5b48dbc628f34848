"""Scripted outcomes a test arms on one sandbox: credit files, report states, failing enrollment
steps and per-operation faults.

Without a script every outcome follows the sandbox's deterministic rules; with one, the test
decides (``alleviate_debtcore.testing`` builds these for users). Like ``Faults``, scripts may be
armed from a test thread while the server's loop consumes them, hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._payload_envelope import JsonDict

__all__ = ["CreditFile", "OperationFault", "Scenarios"]

REPORT_STATUSES = frozenset({"PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"})
_FAULT_STATUSES = frozenset({400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class CreditFile:
    """What a report pulled or normalized for one applicant holds.

    ``tradelines`` are debt dicts with the schema's keys (``_tradelines.scripted_tradeline``
    builds them); ``report_status`` is what the report says, and stays.
    """

    tradelines: tuple[JsonDict, ...]
    report_status: str = "COMPLETED"

    def __post_init__(self) -> None:
        if self.report_status not in REPORT_STATUSES:
            raise ValueError(f"report_status must be one of {sorted(REPORT_STATUSES)}")


@dataclass(frozen=True)
class OperationFault:
    """What happens to the next call(s) of one operation.

    - ``status``: answered with this HTTP status (and a GraphQL error body), not executed.
    - ``graphql_error``: answered HTTP 200 with this top-level GraphQL error and no data, not
      executed; ``error_code`` goes in ``extensions.code``.
    - ``latency``: seconds to wait first (alone, the call then runs normally).
    - ``lost_response``: executed, then answered 502 as if the response were lost.
    - ``times``: how many calls it applies to.
    """

    status: int | None = None
    graphql_error: str | None = None
    error_code: str = "INTERNAL_SERVER_ERROR"
    latency: float = 0.0
    lost_response: bool = False
    times: int = 1
    retry_after: int | None = None

    def __post_init__(self) -> None:
        outcomes = (self.status is not None, self.graphql_error is not None, self.lost_response)
        if sum(outcomes) > 1:
            raise ValueError("choose one of status, graphql_error and lost_response")
        if self.status is not None and self.status not in _FAULT_STATUSES:
            raise ValueError(f"status must be one of {sorted(_FAULT_STATUSES)}")
        if self.latency < 0 or self.times < 1:
            raise ValueError("latency must not be negative and times must be at least 1")


@dataclass
class _Armed:
    fault: OperationFault
    remaining: int


@dataclass
class Scenarios:
    """The scripts armed on one sandbox."""

    _files: dict[str, CreditFile] = field(default_factory=lambda: dict[str, CreditFile]())
    _failing_steps: dict[str | None, str] = field(default_factory=lambda: dict[str | None, str]())
    _faults: dict[str, list[_Armed]] = field(default_factory=lambda: dict[str, list[_Armed]]())
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- credit files ----------------------------------------------------------------------

    def script_file(self, keys: Iterable[str], credit_file: CreditFile) -> None:
        """Use ``credit_file`` for reports whose contact id or SSN is one of ``keys``."""
        with self._lock:
            for key in keys:
                self._files[key] = credit_file

    def file_for(self, contact_id: str, applicant: Mapping[str, Any]) -> CreditFile | None:
        with self._lock:
            if contact_id in self._files:
                return self._files[contact_id]
            ssn = applicant.get("ssn")
            return self._files.get(ssn) if isinstance(ssn, str) else None

    # --- enrollment ------------------------------------------------------------------------

    def fail_step(self, step: str, lead_id: str | None = None) -> None:
        """Enrollments for ``lead_id`` (any lead when None) fail at ``step``."""
        with self._lock:
            self._failing_steps[lead_id] = step

    def failing_step(self, lead_id: str) -> str | None:
        with self._lock:
            return self._failing_steps.get(lead_id, self._failing_steps.get(None))

    # --- per-operation faults --------------------------------------------------------------

    def add_fault(self, operation: str, fault: OperationFault) -> None:
        """Arm ``fault`` for the next calls of ``operation`` (a root field such as
        ``pullCreditReport``, or the request's operationName); faults queue in order."""
        with self._lock:
            self._faults.setdefault(operation, []).append(_Armed(fault, fault.times))

    def take_fault(self, operations: Iterable[str]) -> OperationFault | None:
        """The fault for this call, if one is armed for any of its names; uses one of its
        ``times``."""
        with self._lock:
            for name in operations:
                queue = self._faults.get(name)
                if not queue:
                    continue
                armed = queue[0]
                armed.remaining -= 1
                if armed.remaining <= 0:
                    queue.pop(0)
                return armed.fault
        return None

    def pending_faults(self) -> dict[str, int]:
        """Calls still to be faulted, per operation."""
        with self._lock:
            return {
                name: sum(armed.remaining for armed in queue)
                for name, queue in self._faults.items()
                if queue
            }
