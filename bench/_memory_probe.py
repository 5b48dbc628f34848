"""Subprocess entry: N typed calls against a sandbox URL, reporting RSS at checkpoints.

``python -m bench._memory_probe BASE_URL CONCURRENCY CHECKPOINT...`` makes calls until the last
checkpoint, ``CONCURRENCY`` at a time, and prints one JSON object per checkpoint:
``{"calls", "rss_kib", "hwm_kib"}`` (VmRSS and VmHWM, the peak, from /proc/self/status;
``ru_maxrss`` where /proc is missing). A fresh process, so nothing the bench itself allocated
is counted.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from pathlib import Path

from alleviate_debtcore import AsyncDebtCore, Environment
from alleviate_debtcore.credit import GetCreditReportInput

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
    return peak, peak


async def run(base_url: str, concurrency: int, checkpoints: list[int]) -> None:
    environment = Environment.local(base_url)
    async with AsyncDebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=environment
    ) as debtcore:
        done = 0
        for checkpoint in sorted(checkpoints):
            remaining = checkpoint - done

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await debtcore.credit.credit_report(
                        input=GetCreditReportInput(credit_report_id=REPORT_ID)
                    )

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            done = checkpoint
            rss, hwm = memory_kib()
            print(json.dumps({"calls": done, "rss_kib": rss, "hwm_kib": hwm}), flush=True)


def main(argv: list[str]) -> None:
    base_url, concurrency, *checkpoints = argv
    asyncio.run(run(base_url, int(concurrency), [int(c) for c in checkpoints]))


if __name__ == "__main__":
    main(sys.argv[1:])
