"""Per-call overhead with the proposed transport changes, interleaved with stock and raw.

Arms: raw httpx, typed (stock), typed with each proposal (lean span, parse from bytes, to_json
request body, small fixes) and with all of them; the same responder, document, body and warm
EntraAuth as scenario 1, in-process and over loopback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager

import httpx

from alleviate_debtcore import Environment

from .._apps import TokenEndpoint, fixed_responder
from .._asgi_transport import InProcessTransport
from .._auth import IN_PROCESS_ENVIRONMENT, InProcessAuth
from .._interleave import AsyncBatch, Plan, interleaved
from .._operation import capture_credit_report
from .._result import ScenarioResult
from .._scenario import Context
from .._servers import LoopbackServer
from .._stats import ratios, summarize
from ..scenarios._clients import HttpFactory, RawArm, TypedArm
from ..scenarios.overhead import DEBTS, check_same_answer, report_body
from ._patches import lean_span_patch, parse_from_bytes_patch, small_fixes_patch, to_json_patch

Patch = Callable[[], AbstractContextManager[None]]

VARIANTS: dict[str, tuple[Patch, ...]] = {
    "typed (stock)": (),
    "typed + lean span": (lean_span_patch,),
    "typed + parse from bytes": (parse_from_bytes_patch,),
    "typed + to_json body": (to_json_patch,),
    "typed + small fixes": (small_fixes_patch,),
    "typed + all": (lean_span_patch, parse_from_bytes_patch, to_json_patch, small_fixes_patch),
}
IN_PROCESS_PLAN = Plan(rounds=20, batch=200, warmup=200, budget_s=40.0)
LOOPBACK_PLAN = Plan(rounds=30, batch=100, warmup=200, budget_s=90.0)
SMOKE_PLAN = Plan(rounds=2, batch=3, warmup=2, budget_s=5.0, min_rounds=1)


@contextlib.contextmanager
def _applied(patches: tuple[Patch, ...]) -> Generator[None]:
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch())
        yield


def _patched(typed: TypedArm, patches: tuple[Patch, ...]) -> AsyncBatch:
    async def batch(n: int) -> None:
        with _applied(patches):
            await typed.batch(n)

    return batch


async def _measure(
    plan: Plan, environment: Environment, http: HttpFactory
) -> dict[str, list[float]]:
    operation = await capture_credit_report()
    body = report_body(operation, DEBTS)
    auth = InProcessAuth.create(TokenEndpoint(), environment)
    await auth.warm()
    typed = TypedArm.create(auth.auth, environment, http)
    raw = RawArm.create(auth.auth, environment.url("credit"), operation, http)
    try:
        for patches in VARIANTS.values():
            with _applied(patches):
                await check_same_answer(typed, raw, body)
        arms: dict[str, AsyncBatch] = {"raw": raw.batch}
        arms.update({name: _patched(typed, patches) for name, patches in VARIANTS.items()})
        return await interleaved(arms, plan)
    finally:
        await typed.aclose()
        await raw.aclose()
        await auth.aclose()


def _result(name: str, title: str, per_call: dict[str, list[float]]) -> ScenarioResult:
    result = ScenarioResult(name, title)
    for arm, samples in per_call.items():
        result.measures[arm] = summarize(samples, "s").scaled(1e6, "us")
    for arm in VARIANTS:
        result.ratios[f"{arm} / raw"] = ratios(per_call[arm], per_call["raw"])
    result.params = {"rounds": len(per_call["raw"]), "debts": DEBTS}
    return result


async def in_process(ctx: Context) -> ScenarioResult:
    responder = fixed_responder(report_body(await capture_credit_report(), DEBTS))

    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=InProcessTransport(responder))

    plan = ctx.plan(IN_PROCESS_PLAN, SMOKE_PLAN)
    per_call = await _measure(plan, IN_PROCESS_ENVIRONMENT, http)
    return _result("overhead_inprocess_proposals", "proposals: per call, in-process", per_call)


async def loopback(ctx: Context) -> ScenarioResult:
    body = report_body(await capture_credit_report(), DEBTS)
    plan = ctx.plan(LOOPBACK_PLAN, SMOKE_PLAN)
    with LoopbackServer.responder(body, ctx.workdir) as server:
        environment = Environment.local(server.base_url)
        per_call = await _measure(plan, environment, httpx.AsyncClient)
    return _result("overhead_loopback_proposals", "proposals: per call, loopback", per_call)
