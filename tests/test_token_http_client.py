"""The token request goes through the caller's HTTP stack (issue 22): with
``client_id``/``client_secret`` and ``http_client=``, Entra ID is reached through that client
(its proxy, CA, mTLS, transport), or through ``token_http_client=`` when given; neither is ever
closed by us. Each handler below is the only route out: nothing else could answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, ConfigurationError, DebtCore
from alleviate_debtcore.auth import ClientSecretCredential
from alleviate_debtcore.offers import EnrollmentPlanInput

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cr3t~Q8Q~caller-stack-secret"
PLAN_OK = {"data": {"enrollmentPlan": {"data": {"servicingCompany": "ACME"}, "errors": None}}}
PLAN = EnrollmentPlanInput(primary_applicant_state="GA")


class Route:
    """A caller's transport that answers the token endpoint and the API, recording both."""

    def __init__(self, name: str, *, token: bool = True, api: bool = True) -> None:
        self.name = name
        self.token, self.api = token, api
        self.seen: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        kind = "token" if request.url.path.endswith("/oauth2/v2.0/token") else "graphql"
        self.seen.append((request.method, kind))
        if kind == "token" and self.token:
            form = dict(parse_qsl(request.content.decode()))
            assert form["client_secret"] == SECRET and form["client_id"] == CLIENT_ID
            assert "authorization" not in request.headers
            body = {"token_type": "Bearer", "expires_in": 3600, "access_token": f"{self.name}-tok"}
            return httpx.Response(200, json=body)
        if kind == "graphql" and self.api:
            assert request.headers["authorization"].startswith("Bearer ")
            assert json.loads(request.content)["query"]
            return httpx.Response(200, json=PLAN_OK)
        raise httpx.ConnectError(f"{self.name} is not the route for {kind}")


def _servicing(plan: Any) -> str:
    return plan.servicing_company  # type: ignore[no-any-return]


def test_sync_token_request_goes_through_the_callers_http_client() -> None:
    route = Route("caller")
    caller = httpx.Client(transport=httpx.MockTransport(route))
    with DebtCore(client_id=CLIENT_ID, client_secret=SECRET, http_client=caller) as debtcore:
        assert _servicing(debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
        assert _servicing(debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
    assert route.seen == [("POST", "token"), ("POST", "graphql"), ("POST", "graphql")]
    assert not caller.is_closed  # the caller's client is the caller's to close
    caller.close()


async def test_async_token_request_goes_through_the_callers_http_client() -> None:
    route = Route("caller")
    async with httpx.AsyncClient(transport=httpx.MockTransport(route)) as caller:
        async with AsyncDebtCore(
            client_id=CLIENT_ID, client_secret=SECRET, http_client=caller
        ) as debtcore:
            assert _servicing(await debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
            assert _servicing(await debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
        assert not caller.is_closed
    assert route.seen == [("POST", "token"), ("POST", "graphql"), ("POST", "graphql")]


def test_sync_token_http_client_takes_the_token_requests_alone() -> None:
    api_route, token_route = Route("api", token=False), Route("entra", api=False)
    api = httpx.Client(transport=httpx.MockTransport(api_route))
    entra = httpx.Client(transport=httpx.MockTransport(token_route))
    with DebtCore(
        client_id=CLIENT_ID, client_secret=SECRET, http_client=api, token_http_client=entra
    ) as debtcore:
        assert _servicing(debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
    assert token_route.seen == [("POST", "token")]
    assert api_route.seen == [("POST", "graphql")]
    assert not api.is_closed and not entra.is_closed
    api.close()
    entra.close()


async def test_async_token_http_client_alone_without_http_client() -> None:
    token_route = Route("entra", api=False)
    api_route = Route("api", token=False)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(token_route)) as entra,
        httpx.AsyncClient(transport=httpx.MockTransport(api_route)) as api,
    ):
        async with AsyncDebtCore(
            client_id=CLIENT_ID, client_secret=SECRET, http_client=api, token_http_client=entra
        ) as debtcore:
            await debtcore.offers.enrollment_plan(input=PLAN)
        assert not entra.is_closed and not api.is_closed
    assert token_route.seen == [("POST", "token")] and api_route.seen == [("POST", "graphql")]


@pytest.mark.parametrize(
    ("face", "client"),
    [
        ("async", lambda: httpx.Client()),
        ("async", lambda: "proxy"),
        ("sync", lambda: httpx.AsyncClient()),
    ],
    ids=["async-given-sync-client", "async-given-str", "sync-given-async-client"],
)
def test_a_token_http_client_of_the_wrong_kind_is_refused(face: str, client: Any) -> None:
    cls: Any = AsyncDebtCore if face == "async" else DebtCore
    with pytest.raises(ConfigurationError, match="token_http_client must be"):
        cls(client_id=CLIENT_ID, client_secret=SECRET, token_http_client=client())


def test_token_http_client_goes_with_client_id_and_secret_only() -> None:
    credential = ClientSecretCredential(tenant_id="t", client_id=CLIENT_ID, client_secret=SECRET)
    with httpx.Client() as entra:
        for other in ({"credential": credential}, {"auth": StaticAuth()}):
            with pytest.raises(ConfigurationError, match="goes with client_id/client_secret"):
                DebtCore(token_http_client=entra, **other)  # type: ignore[arg-type]


def test_http_client_with_a_credential_or_auth_is_still_fine() -> None:
    # The caller's http_client does not become a token client for a credential of their own.
    credential = ClientSecretCredential(tenant_id="t", client_id=CLIENT_ID, client_secret=SECRET)
    with httpx.Client() as caller:
        DebtCore(credential=credential, http_client=caller).close()
        DebtCore(auth=StaticAuth(), http_client=caller).close()
        assert not caller.is_closed


def test_the_callers_default_authorization_header_never_reaches_entra() -> None:
    # A caller's client may carry an Authorization header for its own API gateway: the token
    # request (whose handler asserts no authorization) is sent without it.
    route = Route("caller")
    caller = httpx.Client(
        transport=httpx.MockTransport(route), headers={"Authorization": "Bearer gateway-token"}
    )
    with DebtCore(client_id=CLIENT_ID, client_secret=SECRET, http_client=caller) as debtcore:
        assert _servicing(debtcore.offers.enrollment_plan(input=PLAN)) == "ACME"
    assert route.seen == [("POST", "token"), ("POST", "graphql")]
    caller.close()


def test_a_closed_token_http_client_is_a_typed_error_sync() -> None:
    api_route, token_route = Route("api", token=False), Route("entra", api=False)
    entra = httpx.Client(transport=httpx.MockTransport(token_route))
    entra.close()
    with (
        httpx.Client(transport=httpx.MockTransport(api_route)) as api,
        DebtCore(
            client_id=CLIENT_ID, client_secret=SECRET, http_client=api, token_http_client=entra
        ) as debtcore,
        pytest.raises(ConfigurationError, match="sends token requests through is closed") as caught,
    ):
        debtcore.offers.enrollment_plan(input=PLAN)
    assert SECRET not in str(caught.value)
    assert token_route.seen == [] and api_route.seen == []


async def test_a_closed_token_http_client_is_a_typed_error_async() -> None:
    api_route, token_route = Route("api", token=False), Route("entra", api=False)
    entra = httpx.AsyncClient(transport=httpx.MockTransport(token_route))
    await entra.aclose()
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(api_route)) as api,
        AsyncDebtCore(
            client_id=CLIENT_ID, client_secret=SECRET, http_client=api, token_http_client=entra
        ) as debtcore,
    ):
        with pytest.raises(ConfigurationError, match="sends token requests through is closed"):
            await debtcore.offers.enrollment_plan(input=PLAN)
    assert token_route.seen == [] and api_route.seen == []
