"""Request limits (issue 12 item 5): oversized bodies, huge or deep documents and deeply nested
JSON get a 4xx or a GraphQL error, never a 500, promptly and with bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox_api import TOKEN_FORM, TOKEN_PATH, Api

from alleviate_debtcore._environment import SERVICE_PATHS
from alleviate_debtcore.sandbox import ExecutionLog, RequestLimits, create_app
from alleviate_debtcore.sandbox._documents import DocumentCache
from alleviate_debtcore.sandbox._state import Execution

ALIASES = "query {" + " ".join(f"a{i}: __typename" for i in range(100_000)) + "}"
DEEP = "query " + "{ creditors " * 10_000 + "}" * 10_000


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert "data" not in body or body["data"] is None
    (error,) = body["errors"]
    return response.status_code, error["extensions"]["code"]


async def test_100000_aliases_answered_with_a_validation_error(api: Api) -> None:
    started = time.monotonic()
    response = await api.post("credit", ALIASES)
    assert _error(response) == (400, "GRAPHQL_VALIDATION_FAILED")
    assert "maximum of 15000 tokens" in response.json()["errors"][0]["message"]
    assert time.monotonic() - started < 5  # was 12.5 s of a blocked event loop


async def test_10000_deep_query_answered_with_a_validation_error(api: Api) -> None:
    response = await api.post("credit", DEEP)
    assert _error(response) == (400, "GRAPHQL_VALIDATION_FAILED")
    assert "maximum depth of 32" in response.json()["errors"][0]["message"]


async def test_depth_and_cost_count_through_fragments(api: Api) -> None:
    chain = "".join(
        f"fragment F{i} on CreditorConnection {{ edges {{ ...F{i + 1} }} }}\n" for i in range(40)
    )
    deep = "query { creditors { ...F0 } }\n" + chain + "fragment F40 on CreditorEdge { cursor }"
    response = await api.post("credit", deep.replace("F40 on CreditorEdge", "F40 on X"))
    assert _error(response) == (400, "GRAPHQL_VALIDATION_FAILED")
    wide = "fragment W on Query { " + " ".join(f"a{i}: __typename" for i in range(100)) + " }"
    costly = "query { " + " ".join("...W" for _ in range(60)) + " }\n" + wide
    response = await api.post("credit", costly)
    assert _error(response) == (400, "GRAPHQL_VALIDATION_FAILED")
    assert "maximum cost of 5000 fields" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("depth", [100, 2_000, 100_000])
async def test_deeply_nested_variables_are_a_4xx(api: Api, depth: int) -> None:
    token = await api.token()
    body = '{"query": "query { __typename }", "variables": {"v": ' + "[" * depth + "]" * depth
    response = await api.client.post(
        SERVICE_PATHS["credit"],
        content=body + "}}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert _error(response) == (400, "BAD_REQUEST")


async def test_body_over_the_cap_is_413_and_not_executed() -> None:
    app = create_app(limits=RequestLimits(max_body_bytes=2_000))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
    ) as client:
        api = Api(client)
        padding = "x" * 3_000
        response = await api.post("credit", f"query {{ __typename }} # {padding}")
        assert _error(response) == (413, "PAYLOAD_TOO_LARGE")
        assert (await api.post("credit", "query { __typename }")).status_code == 200
    assert app.sandbox.executions.entries == ()


def test_document_cache_is_bounded_in_bytes() -> None:
    cache = DocumentCache(max_text_bytes=20_000)
    for i in range(200):
        cache.parse(None, {"query": f"query Q{i} {{ " + "__typename " * 50 + "}"})
    assert 0 < cache.text_bytes <= 20_000
    big = "query { " + "__typename " * 300 + "}"  # over an eighth of the budget: not kept
    before = cache.text_bytes
    cache.parse(None, {"query": big})
    assert cache.text_bytes == before


def test_execution_log_is_bounded_but_counts_everything() -> None:
    log = ExecutionLog(maxlen=3)
    for _ in range(5):
        log.record(Execution("credit", "mutation", "pullCreditReport", "id-1"))
    assert len(log.entries) == 3
    assert log.by_operation() == {"pullCreditReport": 5}
    assert log.by_operation("query") == {}


# --- A real server in a subprocess, its memory measured ------------------------------------

SERVER = """
import sys
from alleviate_debtcore.sandbox import SandboxServer
with SandboxServer() as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


@pytest.fixture
def server_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    try:
        yield process, base_url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=15)


def _megabytes(count: int) -> Iterator[bytes]:
    chunk = b" " * (1024 * 1024)
    for _ in range(count):
        yield chunk


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc for RSS")
def test_sandbox_survives_hostile_requests_with_bounded_memory(
    server_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, base_url = server_process
    url = base_url + SERVICE_PATHS["credit"]
    with httpx.Client(timeout=120) as client:
        token = client.post(base_url + TOKEN_PATH, data=TOKEN_FORM).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        # Warm up (schema, first documents), then take the baseline.
        assert client.post(url, json={"query": "{ __typename }"}, headers=auth).status_code == 200
        baseline = _rss_kib(process.pid, "VmRSS")

        declared = client.post(
            url,
            content=_megabytes(100),
            headers={**auth, "Content-Length": str(100 * 1024 * 1024)},
        )
        assert _error(declared) == (413, "PAYLOAD_TOO_LARGE")
        chunked = client.post(url, content=_megabytes(100), headers=auth)  # no length given
        assert _error(chunked) == (413, "PAYLOAD_TOO_LARGE")
        aliases = client.post(url, json={"query": ALIASES}, headers=auth)
        assert _error(aliases) == (400, "GRAPHQL_VALIDATION_FAILED")
        deep = client.post(url, json={"query": DEEP}, headers=auth)
        assert _error(deep) == (400, "GRAPHQL_VALIDATION_FAILED")
        nested = '{"query": "{ __typename }", "variables": {"v": ' + "[" * 100_000
        deep_json = client.post(url, content=nested + "]" * 100_000 + "}}", headers=auth)
        assert _error(deep_json) == (400, "BAD_REQUEST")
        # Still serving.
        assert client.post(url, json={"query": "{ __typename }"}, headers=auth).status_code == 200

    peak = _rss_kib(process.pid, "VmHWM")
    growth_mib = (peak - baseline) / 1024
    print(f"sandbox RSS baseline {baseline / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB")
    assert growth_mib < 64, f"peak RSS grew {growth_mib:.0f} MiB"
