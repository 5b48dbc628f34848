"""Every scenario of issue 7, in the order ``python -m bench`` runs them."""

from __future__ import annotations

from .._scenario import Scenario
from .gql_peer import GQL_LOOPBACK
from .import_time import IMPORT_TIME
from .large_report import LARGE_REPORT
from .overhead import OVERHEAD_IN_PROCESS, OVERHEAD_LOOPBACK
from .sandbox import SANDBOX_MEMORY, SANDBOX_THROUGHPUT
from .shared_token_cache import SHARED_TOKEN_CACHE
from .token_single_flight import TOKEN_SINGLE_FLIGHT

SCENARIOS: tuple[Scenario, ...] = (
    OVERHEAD_IN_PROCESS,
    OVERHEAD_LOOPBACK,
    GQL_LOOPBACK,
    TOKEN_SINGLE_FLIGHT,
    SHARED_TOKEN_CACHE,
    LARGE_REPORT,
    IMPORT_TIME,
    SANDBOX_THROUGHPUT,
    SANDBOX_MEMORY,
)
