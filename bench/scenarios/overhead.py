"""1. Per-call overhead: typed ``credit_report`` against the floor and raw httpx; over loopback
also the blocking face, ``DebtCore``, against its own floor and raw ``httpx.Client``.

Three arms, interleaved in one run: typed; the floor (raw ``post(json=...)``, then one-pass
``model_validate_json`` of the body into the same generated models: the round trip plus the
validation no typed client can skip); raw (``post(json=...)`` then ``.json()``). typed/floor is
the engine's own cost and the target line; typed/raw is information (it includes validation).

All send the same captured document and receive the same fixed body (a five-debt report, like
the sandbox's fixture), sequentially, one call at a time. (a) in-process through an in-process
ASGI transport: no sockets, so the difference is the client's CPU cost; (b) over a real
loopback socket to uvicorn in a subprocess: the cost a user sees.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from alleviate_debtcore import Environment
from alleviate_debtcore.credit import GetCreditReportResponseFieldsData
from alleviate_debtcore.testing import InProcessTransport

from .._apps import TokenEndpoint, fixed_responder
from .._auth import AUTH_DESCRIPTION, IN_PROCESS_ENVIRONMENT, InProcessAuth
from .._interleave import Plan, interleaved, interleaved_sync
from .._operation import CapturedOperation, capture_credit_report
from .._payloads import fabricate_data, response_body
from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._servers import SERVER_DESCRIPTION, LoopbackServer
from .._stats import ratios, summarize
from ._clients import (
    FloorArm,
    HttpFactory,
    RawArm,
    SyncFloorArm,
    SyncRawArm,
    SyncTypedArm,
    TypedArm,
)

DEBTS = 5
# The engine's own cost over the floor (round trip + one-pass validation), each face against its
# own floor (issue 23). typed/raw has no target: validation alone is most of it.
FLOOR_LIMIT = 1.02

IN_PROCESS_PLAN = Plan(rounds=25, batch=200, warmup=200, budget_s=20.0)
LOOPBACK_PLAN = Plan(rounds=40, batch=100, warmup=200, budget_s=30.0)
SMOKE_PLAN = Plan(rounds=2, batch=3, warmup=2, budget_s=5.0, min_rounds=1)


def report_body(operation: CapturedOperation, debts: int) -> bytes:
    """A full credit report response with ``debts`` debts and no payload errors."""
    data = fabricate_data(
        operation.service,
        operation.query,
        operation.variables,
        list_lengths={"debts": debts, "errors": 0},
    )
    return response_body(data)


async def check_same_answer(typed: TypedArm, raw: RawArm, body: bytes) -> None:
    """Both arms really got the body (and the typed one parsed all of it) before timing."""
    report = await typed.call()
    assert isinstance(report, GetCreditReportResponseFieldsData) and report.debts is not None
    raw_answer: Any = await raw.call()
    if raw_answer != json.loads(body):
        raise RuntimeError("the raw arm received a different body")
    if len(report.debts) != len(raw_answer["data"]["creditReport"]["data"]["debts"]):
        raise RuntimeError("the typed arm lost debts")


def _check_floor(report: object, floor: object) -> None:
    if floor != report:
        raise RuntimeError("the floor arm built different models than the typed arm")


async def measure_typed_vs_raw(
    plan: Plan,
    environment: Environment,
    http: HttpFactory,
    operation: CapturedOperation,
    body: bytes,
) -> dict[str, list[float]]:
    """Seconds per call, per round, of the typed, floor and raw arms, interleaved."""
    auth = InProcessAuth.create(TokenEndpoint(), environment)
    await auth.warm()
    typed = TypedArm.create(auth.auth, environment, http)
    floor = FloorArm.create(auth.auth, environment.url("credit"), operation, http)
    raw = RawArm.create(auth.auth, environment.url("credit"), operation, http)
    try:
        await check_same_answer(typed, raw, body)
        _check_floor(await typed.call(), await floor.call())
        return await interleaved(
            {"typed": typed.batch, "floor": floor.batch, "raw": raw.batch}, plan
        )
    finally:
        await typed.aclose()
        await floor.aclose()
        await raw.aclose()
        await auth.aclose()


def check_same_answer_sync(typed: SyncTypedArm, raw: SyncRawArm, body: bytes) -> None:
    """``check_same_answer`` for the blocking arms."""
    report = typed.call()
    assert isinstance(report, GetCreditReportResponseFieldsData) and report.debts is not None
    raw_answer: Any = raw.call()
    if raw_answer != json.loads(body):
        raise RuntimeError("the sync raw arm received a different body")
    if len(report.debts) != len(raw_answer["data"]["creditReport"]["data"]["debts"]):
        raise RuntimeError("the sync typed arm lost debts")


async def measure_sync_typed_vs_raw(
    plan: Plan, environment: Environment, operation: CapturedOperation, body: bytes
) -> dict[str, list[float]]:
    """``DebtCore`` vs its floor and raw ``httpx.Client``, each over its own pool, sharing one
    warm auth."""
    auth = InProcessAuth.create(TokenEndpoint(), environment)
    await auth.warm()  # the sync face reads the same cached token
    typed = SyncTypedArm.create(auth.auth, environment)
    floor = SyncFloorArm.create(auth.auth, environment.url("credit"), operation)
    raw = SyncRawArm.create(auth.auth, environment.url("credit"), operation)
    try:
        check_same_answer_sync(typed, raw, body)
        _check_floor(typed.call(), floor.call())
        return interleaved_sync(
            {"typed": typed.batch, "floor": floor.batch, "raw": raw.batch}, plan
        )
    finally:
        typed.close()
        floor.close()
        raw.close()
        await auth.aclose()


def _result(
    name: str, title: str, per_call: dict[str, list[float]], plan: Plan, body: bytes
) -> ScenarioResult:
    result = ScenarioResult(name, title)
    result.measures["typed AsyncDebtCore"] = summarize(per_call["typed"], "s").scaled(1e6, "us")
    result.measures["floor httpx post+validate_json"] = summarize(per_call["floor"], "s").scaled(
        1e6, "us"
    )
    result.measures["raw httpx post+json"] = summarize(per_call["raw"], "s").scaled(1e6, "us")
    result.ratios["typed/floor"] = ratios(per_call["typed"], per_call["floor"])
    result.ratios["typed/raw"] = ratios(per_call["typed"], per_call["raw"])
    result.ratios["floor/raw"] = ratios(per_call["floor"], per_call["raw"])
    result.params = {
        "operation": "credit.credit_report (query CreditReport)",
        "debts": DEBTS,
        "response_bytes": len(body),
        "rounds": len(per_call["typed"]),
        "calls_per_round_per_arm": plan.batch,
        "warmup_calls_per_arm": plan.warmup,
        "concurrency": 1,
        "auth": AUTH_DESCRIPTION,
    }
    result.notes.append("N = rounds; each round times a batch of sequential calls per arm")
    return result


def _run_in_process(ctx: Context) -> ScenarioResult:
    async def go() -> ScenarioResult:
        operation = await capture_credit_report()
        body = report_body(operation, DEBTS)
        responder = fixed_responder(body)

        def http() -> httpx.AsyncClient:
            return httpx.AsyncClient(transport=InProcessTransport(responder))

        plan = ctx.plan(IN_PROCESS_PLAN, SMOKE_PLAN)
        per_call = await measure_typed_vs_raw(plan, IN_PROCESS_ENVIRONMENT, http, operation, body)
        result = _result(OVERHEAD_IN_PROCESS.name, OVERHEAD_IN_PROCESS.title, per_call, plan, body)
        result.params["server"] = (
            "raw ASGI responder via an in-process httpx transport (no sockets)"
        )
        result.notes.append("in-process: the client's CPU cost; no target, typed/floor kept low")
        return result

    return asyncio.run(go())


def _run_loopback(ctx: Context) -> ScenarioResult:
    async def go() -> ScenarioResult:
        operation = await capture_credit_report()
        body = report_body(operation, DEBTS)
        plan = ctx.plan(LOOPBACK_PLAN, SMOKE_PLAN)
        with LoopbackServer.responder(body, ctx.workdir) as server:
            environment = Environment.local(server.base_url)
            per_call = await measure_typed_vs_raw(
                plan, environment, httpx.AsyncClient, operation, body
            )
            sync_per_call = await measure_sync_typed_vs_raw(plan, environment, operation, body)
        result = _result(OVERHEAD_LOOPBACK.name, OVERHEAD_LOOPBACK.title, per_call, plan, body)
        result.params["server"] = f"raw ASGI responder, {SERVER_DESCRIPTION}"
        result.targets.append(
            Target("typed/floor", result.ratios["typed/floor"].median, "<=", FLOOR_LIMIT, "x")
        )
        # The blocking face, against its own floor and raw httpx.Client.
        for arm, label in (
            ("typed", "typed DebtCore (sync)"),
            ("floor", "floor httpx.Client post+validate_json"),
            ("raw", "raw httpx.Client post+json"),
        ):
            result.measures[label] = summarize(sync_per_call[arm], "s").scaled(1e6, "us")
        result.ratios["sync typed/floor"] = ratios(sync_per_call["typed"], sync_per_call["floor"])
        result.ratios["sync typed/raw"] = ratios(sync_per_call["typed"], sync_per_call["raw"])
        result.targets.append(
            Target(
                "sync typed/floor",
                result.ratios["sync typed/floor"].median,
                "<=",
                FLOOR_LIMIT,
                "x",
            )
        )
        result.params["sync_rounds"] = len(sync_per_call["typed"])
        result.notes.append("target: typed/floor (the engine's own cost); typed/raw is information")
        return result

    return asyncio.run(go())


OVERHEAD_IN_PROCESS = Scenario(
    "overhead_inprocess", "1a. per-call overhead, in-process ASGI", _run_in_process
)
OVERHEAD_LOOPBACK = Scenario(
    "overhead_loopback", "1b. per-call overhead, loopback uvicorn", _run_loopback
)
