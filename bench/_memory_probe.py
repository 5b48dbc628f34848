"""Subprocess entry: typed calls against a sandbox URL, reporting memory at checkpoints.

``python -m bench._memory_probe BASE_URL CONCURRENCY CHECKPOINT... [--trace-from N]`` makes
calls until the last checkpoint, ``CONCURRENCY`` at a time, and prints one JSON object per
checkpoint: ``{"calls", "rss_kib", "hwm_kib"}`` (VmRSS and VmHWM, the peak, from
/proc/self/status; ``ru_maxrss`` where /proc is missing). With ``--trace-from N``, tracemalloc
starts after call N and each later checkpoint adds ``traced_kib``: the Python heap after a full
collection, which separates a real per-call leak from allocator noise in RSS. A fresh process,
so nothing the bench itself allocated is counted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import tracemalloc
from pathlib import Path

from alleviate_debtcore import AsyncDebtCore, Environment

CLIENT_ID = "local-client"  # the sandbox's default registration
CLIENT_SECRET = "local-secret"
REPORT_ID = "cr-abc123def456"


def memory_kib() -> tuple[int, int]:
    """(current RSS, peak RSS) in KiB."""
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        peak //= 1024
    return peak, peak


def _checkpoint(calls: int) -> dict[str, int]:
    row = {"calls": calls}
    if tracemalloc.is_tracing():
        gc.collect()
        row["traced_kib"] = tracemalloc.get_traced_memory()[0] // 1024
    row["rss_kib"], row["hwm_kib"] = memory_kib()
    return row


async def run(
    base_url: str, concurrency: int, checkpoints: list[int], trace_from: int | None
) -> None:
    environment = Environment.local(base_url)
    stops: list[int] = sorted({*checkpoints, *([trace_from] if trace_from else [])})
    async with AsyncDebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=environment
    ) as debtcore:
        done = 0
        for stop in stops:
            remaining = stop - done

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await debtcore.credit.credit_report(REPORT_ID)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            done = stop
            if stop == trace_from:
                tracemalloc.start()
            if stop in checkpoints:
                print(json.dumps(_checkpoint(done)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._memory_probe")
    parser.add_argument("base_url")
    parser.add_argument("concurrency", type=int)
    parser.add_argument("checkpoints", type=int, nargs="+")
    parser.add_argument("--trace-from", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.base_url, args.concurrency, args.checkpoints, args.trace_from))


if __name__ == "__main__":
    main()
