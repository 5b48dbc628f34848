"""4. Parsing a large credit report (500 debts) into the typed models vs ``json.loads`` alone.

The client decodes a response with ``json.loads`` (``GraphQLTransport``) and then validates the
``data`` with ``CreditReportQuery.model_validate`` (``ServiceClient.parse_result``). A third arm
validates the same bytes with pydantic's JSON parser through a ``{data, errors}`` envelope model:
the alternative the client could use.
"""

from __future__ import annotations

import asyncio
import json

from pydantic import BaseModel, JsonValue

from alleviate_debtcore.credit import CreditReportQuery

from .._interleave import Plan, interleaved_sync
from .._operation import capture_credit_report
from .._result import ScenarioResult
from .._scenario import Context, Scenario
from .._stats import ratios, summarize
from .overhead import report_body

DEBTS = 500
FULL_PLAN = Plan(rounds=20, batch=10, warmup=5, budget_s=20.0)
SMOKE_PLAN = Plan(rounds=2, batch=1, warmup=1, budget_s=5.0, min_rounds=1)


class _Envelope(BaseModel):
    data: CreditReportQuery | None = None
    errors: list[JsonValue] | None = None


def _run(ctx: Context) -> ScenarioResult:
    operation = asyncio.run(capture_credit_report())
    body = report_body(operation, DEBTS)

    def client_path() -> CreditReportQuery:
        return CreditReportQuery.model_validate(json.loads(body)["data"])

    def envelope_path() -> CreditReportQuery | None:
        return _Envelope.model_validate_json(body).data

    parsed = client_path()
    if envelope_path() != parsed:
        raise RuntimeError("the two parsing paths disagree")
    report = parsed.credit_report.data
    assert report is not None and report.debts is not None and len(report.debts) == DEBTS

    def loads(n: int) -> None:
        for _ in range(n):
            json.loads(body)

    def validate(n: int) -> None:
        for _ in range(n):
            client_path()

    def validate_json(n: int) -> None:
        for _ in range(n):
            envelope_path()

    plan = ctx.plan(FULL_PLAN, SMOKE_PLAN)
    per_call = interleaved_sync(
        {"loads": loads, "client": validate, "validate_json": validate_json}, plan
    )
    result = ScenarioResult(LARGE_REPORT.name, LARGE_REPORT.title)
    result.measures["json.loads only"] = summarize(per_call["loads"], "s").scaled(1e3, "ms")
    result.measures["json.loads + model_validate (client)"] = summarize(
        per_call["client"], "s"
    ).scaled(1e3, "ms")
    result.measures["envelope model_validate_json"] = summarize(
        per_call["validate_json"], "s"
    ).scaled(1e3, "ms")
    result.ratios["client/json.loads"] = ratios(per_call["client"], per_call["loads"])
    result.ratios["validate_json/client"] = ratios(per_call["validate_json"], per_call["client"])
    result.params = {
        "debts": DEBTS,
        "response_bytes": len(body),
        "rounds": len(per_call["loads"]),
        "parses_per_round_per_arm": plan.batch,
        "model": "alleviate_debtcore.credit.CreditReportQuery",
    }
    result.notes.append("every nullable field set; Date fields as ISO date-times")
    return result


LARGE_REPORT = Scenario("large_report", "4. parse a 500-debt credit report", _run)
