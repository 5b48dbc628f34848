"""AsyncDebtCore construction, from_env, Environment validation and resource ownership."""

from __future__ import annotations

from functools import cached_property

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, ClientClosedError, ConfigurationError, Environment
from alleviate_debtcore.auth import EntraAuth

CREDS = {"ALLEVIATE_CLIENT_ID": "client-1", "ALLEVIATE_CLIENT_SECRET": "s3cr3t-value"}


def test_environments_carry_the_documented_values() -> None:
    sandbox, production = Environment.SANDBOX, Environment.PRODUCTION
    assert sandbox.tenant_id == production.tenant_id == "8797fa3f-ba90-4187-97fb-6ab892ea9035"
    assert sandbox.scope == "api://aba793eb-f395-4f86-be59-7a7d0c1bfdb0/.default"
    assert production.scope == "api://9060a1d0-da3b-4676-ad64-ff64465cce41/.default"
    assert sandbox.token_url == (
        "https://login.microsoftonline.com/8797fa3f-ba90-4187-97fb-6ab892ea9035/oauth2/v2.0/token"
    )
    assert production.url("enrollment") == (
        "https://debt-core-api.alleviate.com/enrollment-service/graphql"
    )
    local = Environment.local("http://127.0.0.1:8765/")
    assert local.token_url == (
        "http://127.0.0.1:8765/8797fa3f-ba90-4187-97fb-6ab892ea9035/oauth2/v2.0/token"
    )
    assert local.url("credit") == "http://127.0.0.1:8765/credit-service/graphql"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"tenant_id": "8797fa3f-ba90-4187-97fb-6ab892ea90355"}, "tenant_id must be a GUID"),
        ({"app_id": "not-a-guid"}, "app_id must be a GUID"),
        ({"api_base_url": "debt-core-api.alleviate.com"}, "absolute http(s) URL"),
        ({"api_base_url": "http://debt-core-api.alleviate.com"}, "only loopback hosts"),
        ({"authority": "ftp://login.example"}, "absolute http(s) URL"),
        ({"service_paths": {"credit": "/c"}}, "service_paths lacks underwriting"),
    ],
)
def test_environment_validation_errors_are_clear(kwargs: dict[str, object], fragment: str) -> None:
    values: dict[str, object] = {"name": "x", "api_base_url": "https://api.example"} | kwargs
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Environment(**values)  # type: ignore[arg-type]


def test_plain_http_is_fine_on_loopback() -> None:
    for url in ("http://127.0.0.1:1", "http://localhost:2", "http://[::1]:3"):
        assert Environment.local(url).api_base_url == url


@pytest.mark.parametrize("missing", ["ALLEVIATE_CLIENT_ID", "ALLEVIATE_CLIENT_SECRET"])
def test_from_env_names_the_missing_variable(missing: str) -> None:
    environ = {k: v for k, v in CREDS.items() if k != missing}
    with pytest.raises(ConfigurationError, match=missing):
        AsyncDebtCore.from_env(environ=environ)


async def test_from_env_reads_environment_and_base_url() -> None:
    async with AsyncDebtCore.from_env(environ=CREDS) as default:
        assert default.environment is Environment.SANDBOX
    async with AsyncDebtCore.from_env(
        environ=CREDS | {"ALLEVIATE_ENVIRONMENT": "Production"}
    ) as prod:
        assert prod.environment is Environment.PRODUCTION
    async with AsyncDebtCore.from_env(
        environ=CREDS
        | {"ALLEVIATE_ENVIRONMENT": "production", "ALLEVIATE_BASE_URL": "http://127.0.0.1:9999"}
    ) as local:
        assert local.environment.url("offers") == "http://127.0.0.1:9999/og-service/graphql"
        assert local.environment.token_url.startswith("http://127.0.0.1:9999/")
    with pytest.raises(ConfigurationError, match="unknown environment 'staging'"):
        AsyncDebtCore.from_env(environ=CREDS | {"ALLEVIATE_ENVIRONMENT": "staging"})


def test_constructor_argument_errors() -> None:
    with pytest.raises(ConfigurationError, match="client_id is missing"):
        AsyncDebtCore()
    with pytest.raises(ConfigurationError, match="client_secret is missing"):
        AsyncDebtCore(client_id="x")
    with pytest.raises(ConfigurationError, match="only one of client_id/client_secret, auth"):
        AsyncDebtCore(auth=StaticAuth(), client_id="x")
    with pytest.raises(ConfigurationError, match="max_retries"):
        AsyncDebtCore(auth=StaticAuth(), max_retries=-1)
    with pytest.raises(TypeError):
        AsyncDebtCore("client", "secret")  # type: ignore[misc]  # keyword-only


async def test_credentials_build_entra_auth_for_the_environment() -> None:
    async with AsyncDebtCore(
        client_id="client-1", client_secret="s3cr3t-value", environment="production"
    ) as debtcore:
        assert isinstance(debtcore.auth, EntraAuth)
        assert "s3cr3t-value" not in repr(debtcore) + repr(debtcore.auth)


async def test_services_share_one_transport_and_pool() -> None:
    async with AsyncDebtCore(auth=StaticAuth()) as debtcore:
        transports = {
            id(c.transport)
            for c in (debtcore.credit, debtcore.underwriting, debtcore.offers, debtcore.enrollment)
        }
        assert len(transports) == 1


async def test_aclose_is_idempotent_and_spares_a_callers_client(httpx_mock: HTTPXMock) -> None:
    mine = httpx.AsyncClient()
    debtcore = AsyncDebtCore(auth=StaticAuth(), http_client=mine)
    await debtcore.aclose()
    await debtcore.aclose()
    assert not mine.is_closed
    await mine.aclose()

    httpx_mock.add_response(json={"data": {"enrollmentPlan": {"data": None, "errors": None}}})
    owned = AsyncDebtCore(auth=StaticAuth())
    async with owned:
        await owned.offers.with_payload.enrollment_plan(primary_applicant_state="GA")
        pool = owned._transport.http_client  # pyright: ignore[reportPrivateUsage]
        assert pool is not None and not pool.is_closed
    assert pool.is_closed
    await owned.aclose()
    with pytest.raises(ClientClosedError, match="closed"):
        await owned.offers.with_payload.enrollment_plan(primary_applicant_state="GA")


async def test_headers_merge_and_ours_win(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        json={"data": {"enrollmentPlan": {"data": {"servicingCompany": "X"}, "errors": None}}}
    )
    async with AsyncDebtCore(
        auth=StaticAuth(),
        headers={
            "X-Partner": "acme",
            "Apollo-Require-Preflight": "0",
            "Content-Type": "text/plain",  # case differs from ours: still replaced
        },
    ) as debtcore:
        await debtcore.offers.enrollment_plan(
            primary_applicant_state="GA", extra_headers={"x-call": "1"}
        )
    request = httpx_mock.get_requests()[0]
    assert request.headers["x-partner"] == "acme"
    assert request.headers["x-call"] == "1"
    assert request.headers["apollo-require-preflight"] == "1"
    assert request.headers.get_list("content-type") == ["application/json"]
    assert request.headers.get_list("apollo-require-preflight") == ["1"]
    assert request.headers["x-client-request-id"]


def test_every_service_in_the_one_list_has_a_client_attribute() -> None:
    # SERVICES (alleviate_debtcore._environment) is the list the environment, the generator and
    # the sandbox read; the typed attributes must follow it.
    from alleviate_debtcore import SERVICES
    from alleviate_debtcore.sandbox._executable_schemas import executable_schema

    for service in SERVICES:
        assert isinstance(vars(AsyncDebtCore)[service], cached_property), service
        assert executable_schema(service).query_type is not None
