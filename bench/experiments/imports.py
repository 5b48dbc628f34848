"""Import time with the proposed packaging changes, on patched copies of the package.

Variants: stock, lazy service clients, deferred model build, both. For each, in fresh
interpreters (rotating order, minus a bare interpreter of the same round, byte code cached in a
private prefix): ``import alleviate_debtcore``; that plus ``alleviate_debtcore.credit`` (what a
caller who builds inputs imports); and import-to-first-result (one ``credit_report`` call through
a mock transport, so model building deferred to first use is counted).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from .._operation import capture_credit_report
from .._result import ScenarioResult
from .._scenario import Context
from .._stats import summarize
from ..scenarios.overhead import DEBTS, report_body
from ._patched_tree import (
    AlreadyApplied,
    Patch,
    copy_package,
    defer_model_build,
    lazy_service_clients,
)

VARIANTS: dict[str, tuple[Patch, ...]] = {
    "stock": (),
    "lazy clients": (lazy_service_clients,),
    "deferred build": (defer_model_build,),
    "lazy + deferred": (lazy_service_clients, defer_model_build),
}
FIRST_RESULT = """
import asyncio, sys
import httpx
from alleviate_debtcore import AsyncDebtCore, Environment
from alleviate_debtcore.credit import GetCreditReportInput

body = open(sys.argv[1], "rb").read()

class NoAuth(httpx.Auth):
    pass

def answer(request):
    return httpx.Response(200, content=body)

async def main():
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    environment = Environment.local("http://127.0.0.1:9")
    async with AsyncDebtCore(auth=NoAuth(), environment=environment, http_client=http) as client:
        result = await client.credit.credit_report(input=GetCreditReportInput(credit_report_id="x"))
        assert len(result.credit_report.data.debts) == 5

asyncio.run(main())
"""
SNIPPETS = {
    "import alleviate_debtcore": "import alleviate_debtcore",
    "+ alleviate_debtcore.credit": "import alleviate_debtcore, alleviate_debtcore.credit",
    "import to first result": FIRST_RESULT,
}
FULL_ROUNDS = 10
SMOKE_ROUNDS = 1


def _wall(code: str, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, cwd="/", timeout=60)
    return time.perf_counter() - started


def run(ctx: Context) -> ScenarioResult:
    body_file = ctx.workdir / "report.json"
    body_file.write_bytes(report_body(asyncio.run(capture_credit_report()), DEBTS))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ALLEVIATE_"))}
    base["PYTHONPYCACHEPREFIX"] = str(ctx.workdir / "pycache-experiments")
    envs: dict[str, dict[str, str]] = {"bare": base}
    skipped: list[str] = []
    for name, patches in VARIANTS.items():
        root = ctx.workdir / "variants" / name.replace(" ", "_").replace("+", "and")
        package = copy_package(root)
        try:
            for patch in patches:
                patch(package)
        except AlreadyApplied as exc:
            skipped.append(f"{name}: {exc}")
            continue
        envs[name] = {**base, "PYTHONPATH": str(root)}
    variants = [name for name in VARIANTS if name in envs]
    arms = [("bare", "bare", "pass")] + [
        (variant, label, code) for variant in variants for label, code in SNIPPETS.items()
    ]
    for variant, _, code in arms:  # unmeasured: writes byte code, checks every variant works
        _wall(code, envs[variant], str(body_file))
    walls: dict[tuple[str, str], list[float]] = {(v, label): [] for v, label, _ in arms}
    rounds = SMOKE_ROUNDS if ctx.smoke else FULL_ROUNDS
    for round_number in range(rounds):
        shift = round_number % len(arms)
        for variant, label, code in arms[shift:] + arms[:shift]:
            walls[(variant, label)].append(_wall(code, envs[variant], str(body_file)))
    bare = walls[("bare", "bare")]
    result = ScenarioResult("import_proposals", "proposals: import time (minus bare)")
    for variant in variants:
        for label in SNIPPETS:
            costs = [(w - b) * 1e3 for w, b in zip(walls[(variant, label)], bare, strict=True)]
            result.measures[f"{variant}: {label}"] = summarize(costs, "ms")
    result.params = {"rounds": rounds, "variants": variants}
    result.notes += [f"skipped {reason}" for reason in skipped]
    return result
