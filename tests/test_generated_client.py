"""Every generated method, called as a user would, against a mocked service.

The mock executes the request's own document against the service schema (so the document must
validate and the variables must coerce) and answers with schema-conformant data covering the
whole selection, once with every nullable field set and once with every one null.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
from graphql import get_operation_root_type
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth
from tests.support.fabricate import ROOT, fabricate, load_schema
from tests.support.operations import (
    Operation,
    example_variables,
    method_kwargs,
    method_of,
    operations,
    variables_for,
)

from alleviate_debtcore import AsyncDebtCore, Environment
from alleviate_debtcore._base_client import ServiceClient
from alleviate_debtcore._models import PayloadModel

OPERATIONS = list(operations())
MANIFEST = {
    (e["service"], e["operation"]): e
    for e in json.loads((ROOT / "generated" / "operations.json").read_text())
}


def test_every_root_field_has_a_method() -> None:
    for service in ("credit", "underwriting", "offers", "enrollment"):
        schema = load_schema(service)
        roots = [t for t in (schema.query_type, schema.mutation_type) if t is not None]
        fields = {name for root in roots for name in root.fields}
        ours = {
            op.definition.selection_set.selections[0].name.value  # type: ignore[attr-defined]
            for op in OPERATIONS
            if op.service == service
        }
        assert ours == fields, service
    assert len(OPERATIONS) == 33


def _respond(service: str, nullable_as_null: bool, seen: list[dict[str, Any]]) -> Any:
    schema = load_schema(service)

    def callback(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append({"url": str(request.url), "body": body, "headers": request.headers})
        data = fabricate(
            schema, body["query"], body["variables"], nullable_as_null=nullable_as_null
        )
        return httpx.Response(200, json={"data": data}, headers={"x-request-id": "req-1"})

    return callback


@pytest.mark.parametrize("nullable_as_null", [False, True], ids=["all-set", "nullables-null"])
@pytest.mark.parametrize("op", OPERATIONS, ids=str)
async def test_method_sends_its_operation_and_parses_the_answer(
    op: Operation, nullable_as_null: bool, static_debtcore: AsyncDebtCore, httpx_mock: HTTPXMock
) -> None:
    seen: list[dict[str, Any]] = []
    httpx_mock.add_callback(_respond(op.service, nullable_as_null, seen))
    variables = variables_for(op)
    method = method_of(static_debtcore, op)

    result = await method(**method_kwargs(method, variables))

    (request,) = seen
    assert request["url"] == Environment.SANDBOX.url(op.service)  # type: ignore[arg-type]
    assert request["body"]["operationName"] == op.name
    assert request["body"]["variables"] == variables
    assert request["body"]["query"].lstrip().startswith(f"{op.kind} {op.name}")
    assert request["headers"]["authorization"] == "Bearer test-access-token-value"
    assert request["headers"]["apollo-require-preflight"] == "1"
    assert request["headers"]["content-type"] == "application/json"
    # The typed result round-trips to exactly what the server sent.
    expected = fabricate(
        load_schema(op.service),
        request["body"]["query"],
        variables,
        nullable_as_null=nullable_as_null,
    )
    (root_field,) = expected
    if expected[root_field] is None:  # a nullable root field, null: with_payload says None
        assert result is None
    else:
        assert result.model_dump(mode="json", by_alias=True) == expected[root_field]
        assert isinstance(result, PayloadModel)
        assert result.request_id == "req-1"
    # The persisted-operations manifest hashes exactly the document that went over the wire.
    entry = MANIFEST[(op.service, op.name)]
    assert entry["sha256"] == hashlib.sha256(request["body"]["query"].encode()).hexdigest()
    assert (entry["kind"], entry["method"]) == (op.kind, op.method)


def test_examples_with_variables_are_used() -> None:
    with_examples = [op for op in OPERATIONS if example_variables(op) is not None]
    assert len(with_examples) >= 15  # the docs show variables for most documented operations


@pytest.mark.parametrize(
    ("environment", "service", "url"),
    [
        (
            Environment.SANDBOX,
            "credit",
            "https://debt-core-api-sandbox.alleviate.com/credit-service/graphql",
        ),
        (
            Environment.PRODUCTION,
            "underwriting",
            "https://debt-core-api.alleviate.com/eligibility-review-service/graphql",
        ),
        (
            Environment.PRODUCTION,
            "offers",
            "https://debt-core-api.alleviate.com/og-service/graphql",
        ),
        (
            Environment.SANDBOX.with_legacy_underwriting(),
            "underwriting",
            "https://debt-core-api-sandbox.alleviate.com/underwriting-service/graphql",
        ),
        (
            Environment.local("http://127.0.0.1:8765"),
            "enrollment",
            "http://127.0.0.1:8765/enrollment-service/graphql",
        ),
    ],
)
async def test_each_environment_routes_services(
    environment: Environment, service: str, url: str, httpx_mock: HTTPXMock
) -> None:
    op = next(o for o in OPERATIONS if o.service == service)
    seen: list[dict[str, Any]] = []
    httpx_mock.add_callback(_respond(service, False, seen))
    async with AsyncDebtCore(auth=StaticAuth(), environment=environment) as debtcore:
        client: ServiceClient = getattr(debtcore, service)
        assert client.url == url
        method = method_of(debtcore, op)
        await method(**method_kwargs(method, variables_for(op)))
    assert seen[0]["url"] == url


def test_operation_kinds_match_the_schema() -> None:
    for op in OPERATIONS:
        schema = load_schema(op.service)
        root = get_operation_root_type(schema, op.definition)
        assert root.name.lower() == op.kind
