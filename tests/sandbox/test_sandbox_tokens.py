"""The Entra-style token endpoint and the bearer-token check in front of the services."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.support.sandbox_api import SCOPE, TOKEN_FORM, TOKEN_PATH, Api, jwt_claims

from alleviate_debtcore._environment import (
    ALLEVIATE_TENANT_ID,
    LEGACY_UNDERWRITING_PATH,
    SANDBOX_APP_ID,
    SERVICE_PATHS,
)
from alleviate_debtcore.sandbox import SandboxApp, create_app

PING = "query { __typename }"


async def test_token_success_is_an_entra_shaped_bearer_jwt(client: httpx.AsyncClient) -> None:
    before = int(time.time())
    response = await client.post(TOKEN_PATH, data=TOKEN_FORM)

    assert response.status_code == 200
    assert uuid.UUID(response.headers["x-request-id"])
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"] == 3599
    header, claims = body["access_token"].split(".")[0], jwt_claims(body["access_token"])
    assert header  # three dot-separated parts, the middle one JSON
    assert claims["aud"] == f"api://{SANDBOX_APP_ID}"
    assert claims["iss"] == f"https://sts.windows.net/{ALLEVIATE_TENANT_ID}/"
    assert claims["tid"] == ALLEVIATE_TENANT_ID
    assert claims["appid"] == "local-client"
    assert claims["exp"] - claims["iat"] == 3599
    assert claims["nbf"] == claims["iat"] >= before
    assert uuid.UUID(claims["jti"])


async def test_token_lifetime_and_credentials_are_configurable() -> None:
    app = create_app(client_id="ci-client", client_secret="s3cret", token_lifetime=60)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
    ) as client:
        form = {**TOKEN_FORM, "client_id": "ci-client", "client_secret": "s3cret"}
        body = (await client.post(TOKEN_PATH, data=form)).json()
        assert body["expires_in"] == 60
        assert jwt_claims(body["access_token"])["appid"] == "ci-client"
        default = await client.post(TOKEN_PATH, data=TOKEN_FORM)
        assert default.json()["error"] == "unauthorized_client"


@pytest.mark.parametrize(
    ("path", "form", "status", "error", "code"),
    [
        (
            "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token",
            TOKEN_FORM,
            400,
            "invalid_request",
            90002,
        ),
        (
            TOKEN_PATH,
            {**TOKEN_FORM, "grant_type": "password"},
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            TOKEN_PATH,
            {**TOKEN_FORM, "client_id": "someone-else"},
            400,
            "unauthorized_client",
            700016,
        ),
        (TOKEN_PATH, {**TOKEN_FORM, "client_secret": "wrong"}, 401, "invalid_client", 7000215),
        (
            TOKEN_PATH,
            {**TOKEN_FORM, "scope": "api://other/.default"},
            400,
            "invalid_resource",
            500011,
        ),
        (
            TOKEN_PATH,
            {**TOKEN_FORM, "scope": SCOPE.removesuffix("/.default")},
            400,
            "invalid_scope",
            70011,
        ),
        (
            TOKEN_PATH,
            {k: v for k, v in TOKEN_FORM.items() if k != "grant_type"},
            400,
            "invalid_request",
            900144,
        ),
        (
            TOKEN_PATH,
            {k: v for k, v in TOKEN_FORM.items() if k != "client_secret"},
            401,
            "invalid_client",
            7000218,
        ),
    ],
    ids=[
        "unknown-tenant",
        "wrong-grant",
        "unknown-client",
        "wrong-secret",
        "unknown-resource",
        "scope-without-default",
        "missing-grant",
        "missing-secret",
    ],
)
async def test_token_errors_look_like_entra(
    client: httpx.AsyncClient,
    path: str,
    form: dict[str, str],
    status: int,
    error: str,
    code: int,
) -> None:
    correlation = str(uuid.uuid4())
    response = await client.post(path, data=form, headers={"client-request-id": correlation})

    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_codes"] == [code]
    assert body["correlation_id"] == correlation  # Entra echoes a GUID client-request-id
    assert uuid.UUID(body["trace_id"])
    assert body["timestamp"].endswith("Z")
    assert "access_token" not in body
    if "client_secret" in form:  # secrets are never echoed
        assert form["client_secret"] not in response.text


async def test_token_endpoint_only_accepts_post(client: httpx.AsyncClient) -> None:
    response = await client.get(TOKEN_PATH)
    assert response.status_code == 405
    assert uuid.UUID(response.headers["x-request-id"])


@pytest.mark.parametrize("path", [*SERVICE_PATHS.values(), LEGACY_UNDERWRITING_PATH])
async def test_every_service_answers_with_a_token(api: Api, path: str) -> None:
    response = await api.client.post(
        path,
        json={"query": PING},
        headers={"Authorization": f"Bearer {await api.token()}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["__typename"] == "Query"
    assert uuid.UUID(response.headers["x-request-id"])


def _assert_unauthorized(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert reason in challenge
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
    assert uuid.UUID(response.headers["x-request-id"])


async def _post(client: httpx.AsyncClient, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return await client.post(SERVICE_PATHS["credit"], json={"query": PING}, headers=headers)


async def test_missing_or_malformed_token_is_401(client: httpx.AsyncClient) -> None:
    _assert_unauthorized(await _post(client, None), "No bearer access token")
    _assert_unauthorized(await _post(client, "Basic bG9jYWw6c2VjcmV0"), "No bearer access token")
    _assert_unauthorized(await _post(client, "Bearer not-a-jwt"), "malformed")


async def test_tampered_or_foreign_token_is_401(api: Api) -> None:
    token = await api.token()
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    _assert_unauthorized(await _post(api.client, f"Bearer {head}.{payload}.{flipped}"), "signature")

    other = create_app()  # same claims, different signing key
    foreign = other.sandbox.tokens.issue()
    _assert_unauthorized(await _post(api.client, f"Bearer {foreign}"), "signature")


async def test_expired_token_is_401(app: SandboxApp, client: httpx.AsyncClient) -> None:
    expired = app.sandbox.tokens.issue(lifetime=-5)
    _assert_unauthorized(await _post(client, f"Bearer {expired}"), "expired")


async def test_token_for_another_audience_is_401(
    app: SandboxApp, client: httpx.AsyncClient
) -> None:
    token = app.sandbox.tokens.issue()
    app.sandbox.tokens.app_id = "9060a1d0-da3b-4676-ad64-ff64465cce41"  # now expects production
    _assert_unauthorized(await _post(client, f"Bearer {token}"), "audience")


async def test_revoked_tokens_are_401_until_a_new_one_is_fetched(app: SandboxApp, api: Api) -> None:
    token = await api.token()
    assert (await _post(api.client, f"Bearer {token}")).status_code == 200

    assert app.sandbox.revoke_tokens() == 1
    _assert_unauthorized(await _post(api.client, f"Bearer {token}"), "revoked")

    fresh = (await api.client.post(TOKEN_PATH, data=TOKEN_FORM)).json()["access_token"]
    assert (await _post(api.client, f"Bearer {fresh}")).status_code == 200
