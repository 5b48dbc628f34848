"""2. The same call through graphql-python/gql (``Client`` + ``HTTPXAsyncTransport``).

Same loopback responder, document, body and shared EntraAuth as 1b; gql parses the document once
(as a module-level ``gql(...)`` would) and has schema fetching and result parsing off, so it
returns plain dicts. Raw httpx runs alongside as the floor. Arms rotate round by round.
"""

from __future__ import annotations

import asyncio
import json

import httpx

from alleviate_debtcore import Environment

from .._apps import TokenEndpoint
from .._auth import AUTH_DESCRIPTION, InProcessAuth
from .._interleave import Plan, interleaved
from .._operation import capture_credit_report
from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._servers import SERVER_DESCRIPTION, LoopbackServer
from .._stats import ratios, summarize
from ._clients import GqlArm, RawArm, TypedArm
from .overhead import DEBTS, check_same_answer, report_body

FULL_PLAN = Plan(rounds=20, batch=100, warmup=200, budget_s=30.0)
SMOKE_PLAN = Plan(rounds=2, batch=3, warmup=2, budget_s=5.0, min_rounds=1)


def _run(ctx: Context) -> ScenarioResult:
    async def go() -> ScenarioResult:
        operation = await capture_credit_report()
        body = report_body(operation, DEBTS)
        plan = ctx.plan(FULL_PLAN, SMOKE_PLAN)
        with LoopbackServer.responder(body, ctx.workdir) as server:
            environment = Environment.local(server.base_url)
            auth = InProcessAuth.create(TokenEndpoint(), environment)
            await auth.warm()
            url = environment.url("credit")
            typed = TypedArm.create(auth.auth, environment, httpx.AsyncClient)
            raw = RawArm.create(auth.auth, url, operation, httpx.AsyncClient)
            peer = await GqlArm.create(auth.auth, url, operation)
            try:
                await check_same_answer(typed, raw, body)
                if await peer.call() != json.loads(body)["data"]:
                    raise RuntimeError("gql received a different body")
                per_call = await interleaved(
                    {"typed": typed.batch, "gql": peer.batch, "raw": raw.batch}, plan
                )
            finally:
                await peer.aclose()
                await typed.aclose()
                await raw.aclose()
                await auth.aclose()
        result = ScenarioResult(GQL_LOOPBACK.name, GQL_LOOPBACK.title)
        result.measures["typed AsyncDebtCore"] = summarize(per_call["typed"], "s").scaled(1e6, "us")
        result.measures["gql Client (httpx)"] = summarize(per_call["gql"], "s").scaled(1e6, "us")
        result.measures["raw httpx post+json"] = summarize(per_call["raw"], "s").scaled(1e6, "us")
        result.ratios["typed/gql"] = ratios(per_call["typed"], per_call["gql"])
        result.ratios["gql/raw"] = ratios(per_call["gql"], per_call["raw"])
        result.targets.append(
            Target("typed/gql", result.ratios["typed/gql"].median, "<=", 1.0, "x")
        )
        result.params = {
            "operation": "credit.credit_report (query CreditReport)",
            "debts": DEBTS,
            "response_bytes": len(body),
            "rounds": len(per_call["typed"]),
            "calls_per_round_per_arm": plan.batch,
            "warmup_calls_per_arm": plan.warmup,
            "concurrency": 1,
            "auth": AUTH_DESCRIPTION,
            "server": f"raw ASGI responder, {SERVER_DESCRIPTION}",
            "gql": "Client(fetch_schema_from_transport=False, parse_results=False), "
            "HTTPXAsyncTransport, document parsed once",
        }
        result.notes.append("typed returns validated models; gql and raw return plain dicts")
        return result

    return asyncio.run(go())


GQL_LOOPBACK = Scenario("gql_loopback", "2. typed vs gql, loopback uvicorn", _run)
