"""N processes cold-starting together against one sandbox, sharing a token cache.

``run_cold_start`` starts ``python -m bench._cold_start BASE_URL KIND TARGET CALLS`` N times;
each worker imports the client, builds ``AsyncDebtCore`` with ``FileTokenCache(TARGET)``,
``RedisTokenCache.from_url(TARGET)`` or the default in-memory cache (KIND ``file``, ``redis`` or
``memory``, TARGET ignored: the baseline), prints ``READY`` and waits for
a line on stdin, so that every worker's first call starts at the same moment; then it makes
CALLS concurrent ``credit_report`` calls and prints one JSON line: calls that succeeded, the
failures by exception type (and whether each is a ``DebtCoreError``), and the burst's wall time.
The caller counts token requests at the sandbox.
"""

from __future__ import annotations

import asyncio
import json
import select
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_READY_TIMEOUT = 60.0
KINDS = ("file", "redis", "memory")


@dataclass(frozen=True, slots=True)
class WorkerResult:
    ok: int
    failures: dict[str, int]
    foreign_failures: dict[str, int]  # exceptions that are not DebtCoreError subclasses
    wall_s: float
    token_s: float  # from the go signal until this process had a token


def run_cold_start(
    base_url: str, kind: str, target: str, *, processes: int, calls: int, timeout: float = 120.0
) -> list[WorkerResult]:
    """Start the workers, release them together, and return each one's result."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench._cold_start", base_url, kind, target, str(calls)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    try:
        deadline = time.monotonic() + _READY_TIMEOUT
        for worker in workers:
            assert worker.stdout is not None
            ready, _, _ = select.select([worker.stdout], [], [], deadline - time.monotonic())
            line = worker.stdout.readline() if ready else ""
            if line.strip() != "READY":
                raise RuntimeError(f"a cold-start worker did not start: {line!r}")
        for worker in workers:  # the go signal, as close together as writes can be
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results: list[WorkerResult] = []
        for worker in workers:
            assert worker.stdout is not None
            out, _ = worker.communicate(timeout=timeout)
            if worker.returncode != 0:
                raise RuntimeError(f"a cold-start worker failed (exit {worker.returncode})")
            results.append(WorkerResult(**json.loads(out.strip().splitlines()[-1])))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


async def _work(base_url: str, kind: str, target: str, calls: int) -> dict[str, object]:
    from alleviate_debtcore import AsyncDebtCore, DebtCoreError, Environment
    from alleviate_debtcore.auth import EntraAuth, FileTokenCache, RedisTokenCache
    from alleviate_debtcore.credit import GetCreditReportInput

    from ._memory_probe import CLIENT_ID, CLIENT_SECRET, REPORT_ID

    cache: FileTokenCache | RedisTokenCache | None = None
    if kind == "file":
        cache = FileTokenCache(target)
    elif kind == "redis":
        cache = RedisTokenCache.from_url(target)
    failures: Counter[str] = Counter()
    foreign: Counter[str] = Counter()
    async with AsyncDebtCore(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environment=Environment.local(base_url),
        token_cache=cache,
    ) as debtcore:
        report = GetCreditReportInput(credit_report_id=REPORT_ID)
        credit = debtcore.credit  # imported and built now: only the token is cold
        assert isinstance(debtcore.auth, EntraAuth)

        print("READY", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        started = time.perf_counter()
        calls_done = asyncio.gather(
            *(credit.credit_report(input=report) for _ in range(calls)),
            return_exceptions=True,
        )
        # One more waiter in the process's single flight: done when the token is there.
        await debtcore.auth.get_token()
        token_s = time.perf_counter() - started
        outcomes = await calls_done
        wall = time.perf_counter() - started
    if isinstance(cache, RedisTokenCache):
        await cache.aclose()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            failures[type(outcome).__name__] += 1
            if not isinstance(outcome, DebtCoreError):
                foreign[type(outcome).__name__] += 1
    return {
        "ok": calls - sum(failures.values()),
        "failures": dict(failures),
        "foreign_failures": dict(foreign),
        "wall_s": wall,
        "token_s": token_s,
    }


def main(argv: list[str]) -> None:
    base_url, kind, target, calls = argv
    if kind not in KINDS:
        raise SystemExit(
            "usage: python -m bench._cold_start BASE_URL file|redis|memory TARGET CALLS"
        )
    print(json.dumps(asyncio.run(_work(base_url, kind, target, int(calls)))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
