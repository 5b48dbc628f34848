"""The sandbox's in-memory state: stores, fault switches, counters and the token issuer.

Business data is only touched from the server's event loop (resolvers are synchronous, so they
never interleave); the counters and faults are also read and armed from test threads and are
guarded by locks.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from .._environment import Service
from ._faults import Faults
from ._hashing import det_uuid
from ._records import (
    Creditor,
    CreditReport,
    DebtsResult,
    Enrollment,
    Review,
    SavedOffer,
    Verification,
)
from ._scenarios import Scenarios
from ._token_issuer import TokenIssuer

OperationType = Literal["query", "mutation"]


@dataclass(frozen=True)
class Execution:
    """One root field a GraphQL request executed."""

    service: Service
    operation_type: OperationType
    field: str
    client_request_id: str | None


DEFAULT_LOG_SIZE = 10_000


class ExecutionLog:
    """Which root fields ran, in order, with the caller's ``x-client-request-id``.

    The last ``maxlen`` executions are kept (a long-running sandbox must not grow without end);
    ``by_operation`` counts every execution since the start or the last ``clear``.
    """

    def __init__(self, maxlen: int = DEFAULT_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Execution] = deque(maxlen=maxlen)
        self._totals: Counter[tuple[OperationType, str]] = Counter()

    def record(self, entry: Execution) -> None:
        with self._lock:
            self._entries.append(entry)
            self._totals[entry.operation_type, entry.field] += 1

    @property
    def entries(self) -> tuple[Execution, ...]:
        with self._lock:
            return tuple(self._entries)

    def by_operation(self, operation_type: OperationType | None = None) -> Counter[str]:
        """Executions per root field name, e.g. ``{"pullCreditReport": 2}`` (only queries or
        only mutations when ``operation_type`` is given)."""
        with self._lock:
            totals = Counter[str]()
            for (kind, field), count in self._totals.items():
                if operation_type in (None, kind):
                    totals[field] += count
            return totals

    def by_client_request_id(self) -> dict[str, Counter[str]]:
        """Executions per ``x-client-request-id`` value (requests without one are left out)."""
        result: dict[str, Counter[str]] = {}
        for entry in self.entries:
            if entry.client_request_id is not None:
                result.setdefault(entry.client_request_id, Counter())[entry.field] += 1
        return result

    def repeated_mutations(self) -> dict[str, Counter[str]]:
        """Client request IDs under which some mutation ran more than once (should be empty)."""
        counts: dict[str, Counter[str]] = {}
        for entry in self.entries:
            if entry.operation_type == "mutation" and entry.client_request_id is not None:
                counts.setdefault(entry.client_request_id, Counter())[entry.field] += 1
        repeated = {
            request_id: Counter({name: n for name, n in fields.items() if n > 1})
            for request_id, fields in counts.items()
        }
        return {request_id: fields for request_id, fields in repeated.items() if fields}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._totals.clear()


# Keys (compared without case) whose values identify an applicant or are secrets: the request
# log keeps the shape of the variables and the rest of the values, never these.
SENSITIVE_KEYS = frozenset(
    key.casefold()
    for key in (
        "firstName", "middleName", "lastName", "suffix", "applicantFirstName",
        "applicantLastName", "ssn", "applicantSsn", "dob", "dateOfBirth", "applicantDob",
        "addressLine1", "addressLine2", "fullAddress", "phone", "phoneNumber", "cellPhone",
        "homePhone", "workPhone", "email", "routingNumber", "bankAccountNumber",
        "bankAccountHolderName", "verificationCode", "answers", "reportJson", "pdfBase64",
    )
)  # fmt: skip
REDACTED = "[redacted]"


def redact(value: object) -> Any:
    """A copy of decoded JSON with the values of ``SENSITIVE_KEYS`` replaced by REDACTED."""
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED if str(key).casefold() in SENSITIVE_KEYS else redact(item)
            for key, item in cast(Mapping[object, object], value).items()
        }
    if isinstance(value, list):
        return [redact(item) for item in cast(list[object], value)]
    return value


@dataclass(frozen=True)
class ReceivedRequest:
    """One GraphQL request as the sandbox received it, applicant fields redacted."""

    service: Service
    operation_name: str | None
    fields: tuple[str, ...]  # the root fields it asks for
    variables: Mapping[str, Any]
    client_request_id: str | None


class RequestLog:
    """The last ``maxlen`` GraphQL requests that passed the token check, in order."""

    def __init__(self, maxlen: int = DEFAULT_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: deque[ReceivedRequest] = deque(maxlen=maxlen)

    def record(self, entry: ReceivedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> tuple[ReceivedRequest, ...]:
        with self._lock:
            return tuple(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SandboxState:
    """Everything one sandbox app holds; reachable as ``app.state.sandbox``."""

    def __init__(
        self,
        *,
        tokens: TokenIssuer,
        faults: Faults,
        req_org_id: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.tokens = tokens
        self.faults = faults
        self.req_org_id = req_org_id
        self._clock = clock or _utc_now
        self.executions = ExecutionLog()
        self.requests = RequestLog()
        self.scenarios = Scenarios()
        self._requests_lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._sequence: Counter[str] = Counter()

        self.reports: dict[str, CreditReport] = {}
        self.creditors: dict[str, Creditor] = {}
        self.verifications: dict[str, Verification] = {}
        self.verification_by_contact: dict[str, str] = {}
        self.reviews: dict[str, Review] = {}
        self.debts_results: list[DebtsResult] = []
        self.offers: dict[str, SavedOffer] = {}
        self.offer_by_revision: dict[tuple[str, int], str] = {}
        self.enrollments: dict[str, Enrollment] = {}

    # --- time and identifiers ----------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def new_id(self, kind: str, *parts: object) -> str:
        """A UUID derived from the kind, how many of that kind came before, and ``parts``."""
        self._sequence[kind] += 1
        return det_uuid(kind, self._sequence[kind], *parts)

    # --- test and CLI controls -----------------------------------------------------------------

    def revoke_tokens(self) -> int:
        """Revoke every access token issued so far: the next call with one gets a 401."""
        return self.tokens.revoke_all()

    def count_request(self, endpoint: Literal["token"] | Service) -> None:
        with self._requests_lock:
            self._requests[endpoint] += 1

    @property
    def http_requests(self) -> Counter[str]:
        """HTTP requests received per endpoint (``token`` or a service), faults included."""
        with self._requests_lock:
            return Counter(self._requests)
