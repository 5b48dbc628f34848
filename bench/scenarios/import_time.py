"""5. Cold import time: ``import alleviate_debtcore`` vs ``import httpx`` in fresh interpreters.

The target line: the median of 10 runs of ``python -X importtime -c "import alleviate_debtcore"``,
reading the package's cumulative time from its last line (<= 150 ms, issue 23). For context,
each round also starts three interpreters in rotating order: a bare one (``pass``), one
importing httpx and one importing alleviate_debtcore; an import's wall cost is its interpreter's
wall time minus the bare one's of the same round. Byte code is cached, as after a wheel install
(pip compiles it): in a private ``PYTHONPYCACHEPREFIX``, so no ``__pycache__`` lands in the
source tree and a ``PYTHONDONTWRITEBYTECODE=1`` environment cannot turn every run into a
compile. The slowest modules are those of the median ``-X importtime`` run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._stats import summarize

LIMIT_MS = 150.0
FULL_ROUNDS = 10
SMOKE_ROUNDS = 1
SNIPPETS = {
    "bare": "pass",
    "httpx": "import httpx",
    "alleviate_debtcore": "import alleviate_debtcore",
}
ROOT = Path(__file__).resolve().parent.parent.parent


def _environment(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ALLEVIATE_"))}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _wall(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=60)
    return time.perf_counter() - started


def import_times(module: str, env: dict[str, str]) -> list[dict[str, object]]:
    """One run of ``python -X importtime -c "import <module>"``: every module's self and
    cumulative time (microseconds), in the order Python reports them (``module`` last)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    rows: list[dict[str, object]] = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        rows.append({"module": name, "self_us": int(own), "cumulative_us": int(cumulative)})
    return rows


def cumulative_ms(rows: list[dict[str, object]], module: str) -> float:
    """``module``'s own line: its cumulative import time, in milliseconds."""
    (total,) = [int(str(row["cumulative_us"])) for row in rows if row["module"] == module]
    return total / 1e3


def slowest_imports(rows: list[dict[str, object]], top: int = 12) -> list[dict[str, object]]:
    """The modules with the largest cumulative time."""
    return sorted(rows, key=lambda row: -int(str(row["cumulative_us"])))[:top]


def _run(ctx: Context) -> ScenarioResult:
    env = _environment(ctx.workdir / "pycache")
    rounds = SMOKE_ROUNDS if ctx.smoke else FULL_ROUNDS
    names = list(SNIPPETS)
    for name in names:  # one unmeasured run each: writes the byte code, warms the page cache
        _wall(SNIPPETS[name], env)
    walls: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            walls[name].append(_wall(SNIPPETS[name], env))
    costs = {
        name: [(w - b) * 1e3 for w, b in zip(walls[name], walls["bare"], strict=True)]
        for name in ("httpx", "alleviate_debtcore")
    }
    result = ScenarioResult(IMPORT_TIME.name, IMPORT_TIME.title)
    result.measures["bare interpreter start"] = summarize(walls["bare"], "s").scaled(1e3, "ms")
    result.measures["import httpx (minus bare)"] = summarize(costs["httpx"], "ms")
    result.measures["import alleviate_debtcore (minus bare)"] = summarize(
        costs["alleviate_debtcore"], "ms"
    )
    result.ratios["alleviate_debtcore/httpx"] = summarize(
        [a / h for a, h in zip(costs["alleviate_debtcore"], costs["httpx"], strict=True)], "x"
    )
    runs = [import_times("alleviate_debtcore", env) for _ in range(rounds)]
    runs.sort(key=lambda rows: cumulative_ms(rows, "alleviate_debtcore"))
    importtime = summarize([cumulative_ms(rows, "alleviate_debtcore") for rows in runs], "ms")
    result.measures["python -X importtime: alleviate_debtcore"] = importtime
    result.targets.append(
        Target("import alleviate_debtcore (-X importtime)", importtime.median, "<=", LIMIT_MS, "ms")
    )
    result.params = {
        "rounds": rounds,
        "python": sys.executable,
        "method": (
            'target: median of the cumulative time `python -X importtime -c "import '
            'alleviate_debtcore"` reports; also subprocess wall time minus a bare '
            "interpreter's, same round"
        ),
        "byte_code": "cached (private PYTHONPYCACHEPREFIX, written by an unmeasured first run)",
    }
    result.details["slowest_imports"] = slowest_imports(runs[len(runs) // 2])
    result.notes.append("alleviate_debtcore imports httpx and pydantic: its time includes theirs")
    return result


IMPORT_TIME = Scenario("import_time", "5. cold import time", _run)
