"""3. Token single flight: 1,000 concurrent calls on a cold cache make one token request.

Each round builds a fresh EntraAuth + ClientSecretCredential (cold cache) whose token endpoint
is an in-process app that counts requests and answers after 50 ms, then starts 1,000 typed
``credit_report`` calls at once against the in-process responder. The same 1,000 calls on the
now warm cache follow, for comparison (and must not fetch again).
"""

from __future__ import annotations

import asyncio
import time

import httpx

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.testing import InProcessTransport

from .._apps import TokenEndpoint, fixed_responder
from .._auth import IN_PROCESS_ENVIRONMENT, InProcessAuth
from .._operation import REPORT_ID, capture_credit_report
from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._stats import summarize
from .overhead import DEBTS, report_body

TOKEN_DELAY_S = 0.050
FULL = {"calls": 1000, "rounds": 5}
SMOKE = {"calls": 20, "rounds": 1}


async def _burst(debtcore: AsyncDebtCore, calls: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(debtcore.credit.credit_report(REPORT_ID) for _ in range(calls)))
    return time.perf_counter() - started


async def _round(body: bytes, calls: int) -> tuple[int, float, float]:
    """Token requests, cold-cache wall time and warm-cache wall time of one burst each."""
    token_endpoint = TokenEndpoint(delay=TOKEN_DELAY_S)
    auth = InProcessAuth.create(token_endpoint, IN_PROCESS_ENVIRONMENT)
    responder = fixed_responder(body)
    # One connection per call would be the loopback norm; in-process there is no pool limit.
    http = httpx.AsyncClient(transport=InProcessTransport(responder))
    debtcore = AsyncDebtCore(auth=auth.auth, environment=IN_PROCESS_ENVIRONMENT, http_client=http)
    try:
        cold = await _burst(debtcore, calls)
        requests = token_endpoint.requests
        warm = await _burst(debtcore, calls)
        if token_endpoint.requests != requests:
            raise RuntimeError("the warm cache fetched another token")
    finally:
        await debtcore.aclose()
        await http.aclose()
        await auth.aclose()
    return requests, cold, warm


def _run(ctx: Context) -> ScenarioResult:
    settings = SMOKE if ctx.smoke else FULL

    async def go() -> list[tuple[int, float, float]]:
        operation = await capture_credit_report()
        body = report_body(operation, DEBTS)
        return [await _round(body, settings["calls"]) for _ in range(settings["rounds"])]

    rounds = asyncio.run(go())
    result = ScenarioResult(TOKEN_SINGLE_FLIGHT.name, TOKEN_SINGLE_FLIGHT.title)
    token_requests = [r[0] for r in rounds]
    result.measures["token requests per burst"] = summarize(token_requests, "req")
    result.measures["wall, cold cache"] = summarize([r[1] for r in rounds], "s").scaled(1e3, "ms")
    result.measures["wall, warm cache"] = summarize([r[2] for r in rounds], "s").scaled(1e3, "ms")
    result.targets.append(Target("max token requests", max(token_requests), "==", 1, "req"))
    result.params = {
        "concurrent_calls": settings["calls"],
        "rounds": settings["rounds"],
        "token_endpoint_delay_ms": TOKEN_DELAY_S * 1000,
        "auth": "EntraAuth + ClientSecretCredential, fresh (cold cache) each round",
        "server": "in-process token endpoint and raw ASGI responder (no sockets)",
    }
    result.details["token_requests_per_round"] = token_requests
    result.notes.append(
        "the 50 ms token fetch overlaps the other calls' request preparation (CPU-bound "
        "in-process), so a cold burst takes about as long as a warm one"
    )
    return result


TOKEN_SINGLE_FLIGHT = Scenario(
    "token_single_flight", "3. token single flight, 1,000 concurrent calls", _run
)
