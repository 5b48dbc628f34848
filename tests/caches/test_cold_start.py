"""Done-when of issue 16: 8 processes x 100 concurrent calls, cold, send exactly 1 token request.

Each worker is a fresh ``python -m bench._cold_start`` process (the bench scenario runs the same
code) against the sandbox on 127.0.0.1; the sandbox counts the token requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.caches import token_requests

from alleviate_debtcore.sandbox import SandboxServer
from bench._cold_start import run_cold_start
from bench._redis_server import RedisServer

PROCESSES, CALLS = 8, 100


@pytest.mark.timeout(400)
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_eight_cold_processes_send_one_token_request(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    target = str(tmp_path / "tokens.json") if kind == "file" else redis_server.url
    with SandboxServer() as server:
        results = run_cold_start(
            server.base_url, kind, target, processes=PROCESSES, calls=CALLS, timeout=300
        )
        assert token_requests(server) == 1
    assert len(results) == PROCESSES
    assert [result.failures for result in results] == [{}] * PROCESSES
    assert sum(result.ok for result in results) == PROCESSES * CALLS
