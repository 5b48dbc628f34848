"""6. Against the local sandbox (``SandboxServer`` in a subprocess, 127.0.0.1).

(a) Throughput of ``credit_report`` on the sandbox's fixture report at concurrency 1, 10 and
100, typed vs raw httpx sharing the typed client's EntraAuth (real client-credentials flow
against the sandbox's token endpoint, warm cache), interleaved round by round.
(b) Memory over 10,000 typed calls in a fresh subprocess: RSS and its peak at checkpoints, which
must not grow with the number of calls; and, in a second process, the Python heap (tracemalloc)
over 3,000 calls, which tells a real per-call leak from allocator noise.
"""

from __future__ import annotations

import asyncio
import json
import select
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from alleviate_debtcore import AsyncDebtCore, Environment
from alleviate_debtcore.credit import GetCreditReportResponseFieldsData

from .._interleave import AsyncBatch, Plan, interleaved
from .._memory_probe import CLIENT_ID, CLIENT_SECRET, REPORT_ID
from .._operation import capture_credit_report
from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._servers import LoopbackServer
from .._stats import ratios, summarize

CONCURRENCIES = (1, 10, 100)
FULL_PLAN = Plan(rounds=6, batch=100, warmup=100, budget_s=12.0)
SMOKE_PLAN = Plan(rounds=1, batch=4, warmup=2, budget_s=5.0, min_rounds=1)


@dataclass(frozen=True, slots=True)
class MemoryPlan:
    """RSS at ``checkpoints`` (growth counted from ``baseline``: the first calls fill caches
    paid once: pydantic validators, the connection pool, the token); then, in a second process,
    the Python heap traced from call ``trace_from`` at ``traced_checkpoints``."""

    checkpoints: tuple[int, ...]
    baseline: int
    trace_from: int
    traced_checkpoints: tuple[int, ...]


# Traced growth is counted from 1,000 calls after tracing starts: allocations that merely
# replace untraced ones (the re module's pattern cache churning, for one) settle by then.
FULL_MEMORY = MemoryPlan((100, 1_000, 2_500, 5_000, 7_500, 10_000), 1_000, 1_000, (2_000, 5_000))
SMOKE_MEMORY = MemoryPlan((10, 50), 10, 10, (20, 40))
MEMORY_CONCURRENCY = 10
MEMORY_TIMEOUT_S = 200.0
# 1 MiB over 9,000 calls is ~115 bytes a call: a leaked dict entry per call would exceed it,
# while allocator noise (arenas, fragmentation) stays well below it.
RSS_GROWTH_LIMIT_KIB = 1024
# A leaked object per call would add hundreds of KiB over 3,000 traced calls; bounded caches
# and in-flight requests account for a few.
HEAP_GROWTH_LIMIT_KIB = 64


def concurrent_batch(call: Callable[[], Awaitable[object]], concurrency: int) -> AsyncBatch:
    """``n`` calls, ``concurrency`` in flight at a time."""

    async def batch(n: int) -> None:
        remaining = n

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await call()

        await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))

    return batch


def _run_throughput(ctx: Context) -> ScenarioResult:
    plan = ctx.plan(FULL_PLAN, SMOKE_PLAN)

    async def go(base_url: str) -> dict[int, dict[str, list[float]]]:
        operation = await capture_credit_report()
        environment = Environment.local(base_url)
        debtcore = AsyncDebtCore(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=environment
        )
        raw_http = httpx.AsyncClient(auth=debtcore.auth)  # the same EntraAuth and token
        url = environment.url("credit")

        async def typed_call() -> GetCreditReportResponseFieldsData:
            return await debtcore.credit.credit_report(REPORT_ID)

        async def raw_call() -> Any:
            response = await raw_http.post(url, json=operation.payload())
            return response.json()

        try:
            typed_answer, raw_answer = await typed_call(), await raw_call()
            report = typed_answer
            if raw_answer["data"]["creditReport"]["data"]["id"] != report.id:
                raise RuntimeError("typed and raw calls got different reports from the sandbox")
            return {
                c: await interleaved(
                    {
                        "typed": concurrent_batch(typed_call, c),
                        "raw": concurrent_batch(raw_call, c),
                    },
                    plan,
                )
                for c in CONCURRENCIES
            }
        finally:
            await raw_http.aclose()
            await debtcore.aclose()

    with LoopbackServer.sandbox() as server:
        per_call = asyncio.run(go(server.base_url))
    result = ScenarioResult(SANDBOX_THROUGHPUT.name, SANDBOX_THROUGHPUT.title)
    for c, arms in per_call.items():
        for arm, label in (("typed", "typed"), ("raw", "raw httpx")):
            rates = [1 / seconds for seconds in arms[arm]]
            result.measures[f"{label}, concurrency {c}"] = summarize(rates, "calls/s")
        # Throughput ratio: raw's time per call over typed's, round by round.
        result.ratios[f"typed/raw throughput, c={c}"] = ratios(arms["raw"], arms["typed"])
    result.params = {
        "operation": "credit.credit_report of the sandbox fixture report " + REPORT_ID,
        "concurrencies": list(CONCURRENCIES),
        "rounds": len(per_call[CONCURRENCIES[0]]["typed"]),
        "calls_per_round_per_arm": plan.batch,
        "server": "SandboxServer (uvicorn thread) in a subprocess on 127.0.0.1",
        "auth": "the typed client's EntraAuth (sandbox token endpoint), shared by raw httpx",
    }
    result.notes.append(
        "the sandbox executes GraphQL in pure Python: it, not the client, is "
        "the bottleneck, so ratios near 1.0 are expected"
    )
    return result


def _probe(
    base_url: str, checkpoints: tuple[int, ...], timeout: float, trace_from: int | None = None
) -> list[dict[str, int]]:
    """Checkpoints reached by the memory probe; stops it at the time limit."""
    command = [
        sys.executable,
        "-m",
        "bench._memory_probe",
        base_url,
        str(MEMORY_CONCURRENCY),
        *map(str, checkpoints),
    ]
    if trace_from is not None:
        command += ["--trace-from", str(trace_from)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2]
    )
    assert process.stdout is not None
    rows: list[dict[str, int]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(rows) < len(checkpoints):
            left = max(deadline - time.monotonic(), 0.0)
            ready, _, _ = select.select([process.stdout], [], [], left)
            if not ready:
                break  # out of time: report what was reached
            line = process.stdout.readline()
            if not line:
                break
            rows.append(json.loads(line))
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(10)
        process.stdout.close()
    if not rows:
        raise RuntimeError("the memory probe reported no checkpoint")
    return rows


def _growth(rows: list[dict[str, int]], key: str, baseline_calls: int) -> tuple[int, int, int]:
    """(growth in KiB, from calls, to calls) between the baseline checkpoint and the last."""
    baseline = next((r for r in rows if r["calls"] >= baseline_calls), rows[0])
    return rows[-1][key] - baseline[key], baseline["calls"], rows[-1]["calls"]


def _run_memory(ctx: Context) -> ScenarioResult:
    plan = SMOKE_MEMORY if ctx.smoke else FULL_MEMORY
    with LoopbackServer.sandbox() as server:
        started = time.perf_counter()
        rows = _probe(server.base_url, plan.checkpoints, MEMORY_TIMEOUT_S)
        traced = _probe(server.base_url, plan.traced_checkpoints, MEMORY_TIMEOUT_S, plan.trace_from)
        elapsed = time.perf_counter() - started
    result = ScenarioResult(SANDBOX_MEMORY.name, SANDBOX_MEMORY.title)
    for row in rows:
        result.measures[f"RSS after {row['calls']:,} calls"] = summarize([row["rss_kib"]], "KiB")
    result.measures["peak RSS (VmHWM)"] = summarize([rows[-1]["hwm_kib"]], "KiB")
    rss_growth, rss_from, rss_to = _growth(rows, "rss_kib", plan.baseline)
    result.measures[f"RSS growth {rss_from:,} -> {rss_to:,} calls"] = summarize([rss_growth], "KiB")
    heap_growth, heap_from, heap_to = _growth(traced, "traced_kib", 0)
    result.measures[f"Python heap growth {heap_from:,} -> {heap_to:,} (tracemalloc)"] = summarize(
        [heap_growth], "KiB"
    )
    result.targets.append(
        Target("RSS growth after warm-up", rss_growth, "<=", RSS_GROWTH_LIMIT_KIB, "KiB")
    )
    result.targets.append(
        Target("Python heap growth", heap_growth, "<=", HEAP_GROWTH_LIMIT_KIB, "KiB")
    )
    result.params = {
        "calls": rows[-1]["calls"],
        "planned_calls": plan.checkpoints[-1],
        "concurrency": MEMORY_CONCURRENCY,
        "wall_s": round(elapsed, 1),
        "rss_bytes_per_call_after_warmup": round(rss_growth * 1024 / max(rss_to - rss_from, 1), 1),
        "heap_bytes_per_call": round(heap_growth * 1024 / max(heap_to - heap_from, 1), 1),
        "server": "SandboxServer in a subprocess on 127.0.0.1; client in fresh subprocesses",
        "traced_run": f"tracemalloc from call {plan.trace_from:,}, a second process",
    }
    result.details["checkpoints"] = rows
    result.details["traced_checkpoints"] = traced
    if rows[-1]["calls"] < plan.checkpoints[-1]:
        result.notes.append(f"stopped at the {MEMORY_TIMEOUT_S:.0f} s limit")
    result.notes.append("N = 1: one process's readings at each checkpoint")
    return result


SANDBOX_THROUGHPUT = Scenario(
    "sandbox_throughput", "6a. throughput vs raw httpx, loopback sandbox", _run_throughput
)
SANDBOX_MEMORY = Scenario(
    "sandbox_memory", "6b. RSS over 10,000 calls, loopback sandbox", _run_memory
)
