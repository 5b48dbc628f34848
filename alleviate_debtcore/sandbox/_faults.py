"""Fault injection: latency, failing token requests, failing or lost service responses.

A ``Faults`` object is shared between the test (or CLI) thread that arms it and the server's event
loop that consumes it, so the counters are taken under a lock. Arm it by assigning attributes,
e.g. ``app.state.sandbox.faults.service_failures = 2``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

_SERVICE_FAILURE_STATUSES = frozenset({429, 500, 502, 503, 504})
_TOKEN_FAILURE_STATUSES = frozenset({429, 500, 503})


@dataclass
class Faults:
    """What goes wrong, and how often.

    - ``latency``: seconds added before every request is handled (token and services).
    - ``token_failures``: the next N token requests fail with ``token_failure_status``
      (503 by default, or 429 with ``Retry-After``).
    - ``service_failures``: the next N GraphQL requests fail with ``service_failure_status``
      (503 by default; 500, 502, 504, or 429 with ``Retry-After``) and are not executed.
    - ``lost_responses``: the next N GraphQL requests are executed, then answered 502 as if the
      response had been lost on the way back; this is how a test catches a client that blindly
      retries mutations.
    - ``retry_after``: seconds sent in ``Retry-After`` with every 429.
    """

    latency: float = 0.0
    token_failures: int = 0
    token_failure_status: int = 503
    service_failures: int = 0
    service_failure_status: int = 503
    lost_responses: int = 0
    retry_after: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.token_failure_status not in _TOKEN_FAILURE_STATUSES:
            raise ValueError(
                f"token_failure_status must be one of {sorted(_TOKEN_FAILURE_STATUSES)}"
            )
        if self.service_failure_status not in _SERVICE_FAILURE_STATUSES:
            raise ValueError(
                f"service_failure_status must be one of {sorted(_SERVICE_FAILURE_STATUSES)}"
            )
        if min(self.latency, self.token_failures, self.service_failures, self.lost_responses) < 0:
            raise ValueError("fault counts and latency must not be negative")
        if self.retry_after < 0:
            raise ValueError("retry_after must not be negative")

    def take_token_failure(self) -> int | None:
        """The status to fail this token request with, or None to serve it."""
        with self._lock:
            if self.token_failures <= 0:
                return None
            self.token_failures -= 1
            return self.token_failure_status

    def take_service_failure(self) -> int | None:
        """The status to fail this GraphQL request with, or None to serve it."""
        with self._lock:
            if self.service_failures <= 0:
                return None
            self.service_failures -= 1
            return self.service_failure_status

    def take_lost_response(self) -> bool:
        """True when this GraphQL request's response should be replaced by a 502."""
        with self._lock:
            if self.lost_responses <= 0:
                return False
            self.lost_responses -= 1
            return True
