"""``python -m bench --smoke`` runs every scenario and writes a well-formed JSON report.

No timing assertions: this proves the harness works, on any machine, in CI too.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "overhead_inprocess",
    "overhead_loopback",
    "gql_loopback",
    "token_single_flight",
    "shared_token_cache",
    "large_report",
    "import_time",
    "sandbox_throughput",
    "sandbox_memory",
}


def _check_summary(where: str, summary: dict[str, Any]) -> None:
    assert summary["n"] >= 1, where
    values = [summary[k] for k in ("median", "p25", "p75", "min", "max")]
    assert all(isinstance(v, int | float) and math.isfinite(v) for v in values), where
    assert summary["min"] <= summary["p25"] <= summary["median"] <= summary["p75"], where
    assert summary["p75"] <= summary["max"], where
    assert summary["unit"], where


@pytest.mark.timeout(180)
def test_smoke_run_writes_every_scenario(tmp_path: Path) -> None:
    output = tmp_path / "smoke.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    report = json.loads(output.read_text())
    assert report["smoke"] is True
    assert report["failed"] == []
    assert set(report["scenarios"]) == SCENARIOS
    machine = report["machine"]
    for field in ("cpu_model", "cpu_count", "memory_gib", "python"):
        assert machine[field], field
    for package in ("httpx", "pydantic", "gql"):
        assert machine["versions"][package], package
    for name, scenario in report["scenarios"].items():
        assert scenario["measures"], name
        for label, summary in scenario["measures"].items():
            _check_summary(f"{name}: {label}", summary)
        for label, summary in scenario["ratios"].items():
            _check_summary(f"{name}: {label}", summary)
            assert summary["median"] > 0, f"{name}: {label}"
        for target in scenario["targets"]:
            assert isinstance(target["met"], bool), name
    assert report["scenarios"]["token_single_flight"]["details"]["token_requests_per_round"]
    assert (tmp_path / "smoke.md").read_text().startswith("| Scenario |")


def test_only_runs_the_named_scenario(tmp_path: Path) -> None:
    output = tmp_path / "one.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--only",
            "large_report",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert set(json.loads(output.read_text())["scenarios"]) == {"large_report"}
