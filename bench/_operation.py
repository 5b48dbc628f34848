"""The exact request the typed client sends, captured once, so raw httpx and gql send the same.

The captured document is checked against generated/operations.json (the sha256 of the document
each generated method sends), so a regenerated client cannot leave the bench comparing against a
stale query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

import httpx

from alleviate_debtcore import AsyncDebtCore

from ._auth import IN_PROCESS_ENVIRONMENT
from ._payloads import fabricate_data, response_body

# One of the sandbox's fixture reports (five debts), so the same call also works there.
REPORT_ID = "cr-abc123def456"
SERVICE = "credit"
METHOD = "credit_report"


@dataclass(frozen=True, slots=True)
class CapturedOperation:
    """What ``debtcore.credit.credit_report(...)`` puts on the wire."""

    service: str
    method: str
    operation_name: str
    query: str
    variables: dict[str, Any]
    path: str

    def payload(self) -> dict[str, Any]:
        """A fresh JSON payload, built per call as a raw-httpx user would."""
        return {
            "query": self.query,
            "operationName": self.operation_name,
            "variables": {"input": {"creditReportId": REPORT_ID}},
        }


class _NoAuth(httpx.Auth):
    """Capturing needs no token."""


def _manifest_sha256(service: str, method: str) -> str:
    text = resources.files("alleviate_debtcore.generated").joinpath("operations.json").read_text()
    for entry in cast(list[dict[str, str]], json.loads(text)):
        if entry["service"] == service and entry["method"] == method:
            return entry["sha256"]
    raise LookupError(f"{service}.{method} is not in generated/operations.json")


async def capture_credit_report() -> CapturedOperation:
    """Call ``credit_report`` once against a recording transport and return what it sent."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        body = json.loads(request.content)
        data = fabricate_data(SERVICE, body["query"], body["variables"])
        return httpx.Response(200, content=response_body(data))

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    async with AsyncDebtCore(
        auth=_NoAuth(), environment=IN_PROCESS_ENVIRONMENT, http_client=http
    ) as debtcore:
        await debtcore.credit.credit_report(REPORT_ID)
    await http.aclose()
    (request,) = sent
    body = cast(Mapping[str, Any], json.loads(request.content))
    operation = CapturedOperation(
        service=SERVICE,
        method=METHOD,
        operation_name=body["operationName"],
        query=body["query"],
        variables=dict(body["variables"]),
        path=request.url.path,
    )
    if operation.variables != operation.payload()["variables"]:
        raise RuntimeError(f"unexpected variables {operation.variables}: update payload()")
    digest = hashlib.sha256(operation.query.encode()).hexdigest()
    if digest != _manifest_sha256(SERVICE, METHOD):
        raise RuntimeError("the captured document differs from generated/operations.json")
    return operation
