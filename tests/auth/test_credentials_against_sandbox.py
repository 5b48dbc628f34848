"""The project's certificate and client-assertion credentials against the sandbox (issue 13),
and the sandbox's Entra fidelity: assertion checks, Basic auth, request ids, refresh_in."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.certificates import ClientCertificate, sign_rs256

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.auth import CertificateCredential, ClientAssertionCredential
from alleviate_debtcore.errors import InvalidCredentialsError
from alleviate_debtcore.sandbox import SandboxApp, SandboxServer, create_app
from alleviate_debtcore.sandbox._assertion_checks import FederatedCredential

ISSUER = "https://token.actions.example.test"
SUBJECT = "repo:alleviate/debtcore:ref:refs/heads/main"
AUDIENCE = "api://AzureADTokenExchange"
OFFER = "og-offer-123456"


@pytest.fixture(scope="module")
def registered() -> ClientCertificate:
    return ClientCertificate("registered")


@pytest.fixture(scope="module")
def federation() -> ClientCertificate:
    return ClientCertificate("federated-issuer")


@pytest.fixture(scope="module")
def server(registered: ClientCertificate, federation: ClientCertificate) -> Iterator[SandboxServer]:
    app = create_app()
    assertions = app.sandbox.tokens.assertions
    assertions.register_certificate(registered.certificate_pem)
    assertions.register_federated(
        FederatedCredential(issuer=ISSUER, subject=SUBJECT, key=federation.key.public_key())
    )
    with SandboxServer(app, tls=True) as running:
        yield running


@pytest.fixture
def trust(server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx trusts SSL_CERT_FILE: the credential's and the client's connections both use it.
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)


async def _offer(debtcore: AsyncDebtCore) -> object:
    return await debtcore.offers.get_offer(OFFER)


@pytest.mark.usefixtures("trust")
@pytest.mark.parametrize("form", ["pem", "pem-encrypted", "pfx"])
async def test_certificate_credential_gets_tokens_from_the_environment_authority(
    server: SandboxServer, registered: ClientCertificate, tmp_path: Path, form: str
) -> None:
    if form == "pfx":
        path, password = registered.write_pfx(tmp_path / "client.pfx", b"pfx-pass"), "pfx-pass"
    elif form == "pem-encrypted":
        path = registered.write_pem(tmp_path / "client.pem", b"pem-pass")
        password = "pem-pass"
    else:
        path, password = registered.write_pem(tmp_path / "client.pem"), None
    tokens = server.state.tokens
    credential = CertificateCredential(
        tenant_id=tokens.tenant_id,
        client_id=tokens.client_id,
        certificate_path=path,
        password=password,
    )
    before = server.state.http_requests["token"]
    # No authority given: the environment's (this sandbox) is used, not login.microsoftonline.com.
    async with AsyncDebtCore(credential=credential, environment=server.environment) as debtcore:
        assert await _offer(debtcore) is not None
        assert await _offer(debtcore) is not None
    assert credential.token_url == f"{server.base_url}/{tokens.tenant_id}/oauth2/v2.0/token"
    assert server.state.http_requests["token"] - before == 1


@pytest.mark.usefixtures("trust")
async def test_an_unregistered_certificate_is_invalid_credentials_aadsts700027(
    server: SandboxServer, tmp_path: Path
) -> None:
    stranger = ClientCertificate("stranger").write_pem(tmp_path / "stranger.pem")
    tokens = server.state.tokens
    credential = CertificateCredential(
        tenant_id=tokens.tenant_id, client_id=tokens.client_id, certificate_path=stranger
    )
    async with AsyncDebtCore(credential=credential, environment=server.environment) as debtcore:
        with pytest.raises(InvalidCredentialsError, match="AADSTS700027") as caught:
            await _offer(debtcore)
    assert caught.value.oauth_error == "invalid_client"
    assert caught.value.aadsts_code == "AADSTS700027"


def _federated_token(key: ClientCertificate, *, subject: str = SUBJECT) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject, "aud": AUDIENCE, "iat": now, "nbf": now}
    return sign_rs256(key.key, {**claims, "exp": now + 600}, kid="issuer-key-1")


@pytest.mark.usefixtures("trust")
async def test_workload_identity_federation_end_to_end(
    server: SandboxServer, federation: ClientCertificate, tmp_path: Path
) -> None:
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text(_federated_token(federation))
    tokens = server.state.tokens
    environ = {
        "AZURE_TENANT_ID": tokens.tenant_id,
        "AZURE_CLIENT_ID": tokens.client_id,
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        "AZURE_AUTHORITY_HOST": server.base_url,
    }
    credential = ClientAssertionCredential.from_env(environ=environ)
    async with AsyncDebtCore(credential=credential, environment=server.environment) as debtcore:
        assert await _offer(debtcore) is not None
        # The file is read for every token request (Kubernetes rotates it): a wrong subject now
        # fails with Entra's "no matching federated identity record".
        token_file.write_text(_federated_token(federation, subject="repo:someone/else"))
        server.state.revoke_tokens()
        with pytest.raises(InvalidCredentialsError, match="AADSTS70021") as caught:
            await _offer(debtcore)
    assert caught.value.aadsts_code == "AADSTS70021"


async def test_client_assertion_from_a_callable_with_a_sync_client(
    server: SandboxServer, federation: ClientCertificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
    tokens = server.state.tokens
    credential = ClientAssertionCredential(
        tenant_id=tokens.tenant_id,
        client_id=tokens.client_id,
        func=lambda: _federated_token(federation),
        authority=server.base_url,
    )
    try:
        token = credential.get_token_sync(tokens.scope)
    finally:
        credential.close()
    assert tokens.verify(token.token)["appid"] == tokens.client_id


# --- The token endpoint's assertion checks, in process ------------------------------------------


@pytest.fixture
def app(registered: ClientCertificate, federation: ClientCertificate) -> SandboxApp:
    app = create_app(token_lifetime=86399)
    assertions = app.sandbox.tokens.assertions
    assertions.register_certificate(registered.certificate_pem)
    assertions.register_federated(
        FederatedCredential(issuer=ISSUER, subject=SUBJECT, key=federation.key.public_key())
    )
    return app


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://sandbox.test") as client:
        yield client


def _path(app: SandboxApp) -> str:
    return f"/{app.sandbox.tokens.tenant_id}/oauth2/v2.0/token"


def _assertion_form(app: SandboxApp, assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": app.sandbox.tokens.client_id,
        "scope": app.sandbox.tokens.scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }


def _certificate_assertion(app: SandboxApp, key: ClientCertificate, **overrides: object) -> str:
    from alleviate_debtcore.auth._certificate import b64url

    now = int(time.time())
    claims: dict[str, object] = {
        "aud": f"https://sandbox.test{_path(app)}",
        "iss": app.sandbox.tokens.client_id,
        "sub": app.sandbox.tokens.client_id,
        "jti": str(uuid.uuid4()),
        "nbf": now,
        "exp": now + 600,
        **overrides,
    }
    from cryptography.hazmat.primitives import hashes, serialization

    der = key.certificate.public_bytes(serialization.Encoding.DER)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return sign_rs256(key.key, claims, **{"x5t#S256": b64url(digest.finalize())})


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"aud": "https://login.microsoftonline.com/other/oauth2/v2.0/token"}, 50013),
        ({"iss": "someone-else"}, 700021),
        ({"sub": "someone-else"}, 700021),
        ({"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 4000}, 700024),
        ({"nbf": int(time.time()) + 3600, "exp": int(time.time()) + 4000}, 700024),
    ],
    ids=["audience", "issuer", "subject", "expired", "not-yet-valid"],
)
async def test_assertion_claims_are_checked_with_entra_codes(
    app: SandboxApp,
    client: httpx.AsyncClient,
    registered: ClientCertificate,
    overrides: dict[str, object],
    code: int,
) -> None:
    assertion = _certificate_assertion(app, registered, **overrides)
    response = await client.post(_path(app), data=_assertion_form(app, assertion))
    assert response.status_code == 401
    assert response.json()["error_codes"] == [code]
    assert response.json()["error"] == "invalid_client"


async def test_a_tampered_assertion_fails_signature_validation(
    app: SandboxApp, client: httpx.AsyncClient, registered: ClientCertificate
) -> None:
    head, _, signature = _certificate_assertion(app, registered).split(".")
    forged_claims = _certificate_assertion(app, registered, sub="x").split(".")[1]
    response = await client.post(
        _path(app), data=_assertion_form(app, f"{head}.{forged_claims}.{signature}")
    )
    assert response.json()["error_codes"] == [700027]


async def test_an_assertion_cannot_be_replayed(
    app: SandboxApp, client: httpx.AsyncClient, registered: ClientCertificate
) -> None:
    form = _assertion_form(app, _certificate_assertion(app, registered))
    first = await client.post(_path(app), data=form)
    assert first.status_code == 200
    replay = await client.post(_path(app), data=form)
    assert replay.status_code == 401
    assert replay.json()["error_codes"] == [50013]
    assert "jti" in replay.json()["error_description"]


async def test_a_deeply_nested_assertion_header_is_a_clean_refusal(
    app: SandboxApp, client: httpx.AsyncClient
) -> None:
    nested = base64.urlsafe_b64encode(b"[" * 1500 + b"]" * 1500).rstrip(b"=").decode()
    response = await client.post(_path(app), data=_assertion_form(app, f"{nested}.e30.c2ln"))
    assert response.status_code == 401
    assert response.json()["error_codes"] == [50027]


async def test_a_deeply_nested_bearer_token_is_401_not_500(
    app: SandboxApp, client: httpx.AsyncClient
) -> None:
    # Unauthenticated and hostile: the signature is checked before anything is parsed.
    nested = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).rstrip(b"=").decode()
    for token in (f"{nested}.{nested}.c2ln", f"e30.{nested}.c2ln"):
        response = await client.post(
            "/credit-service/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401


async def test_secret_by_http_basic_and_refresh_in_on_long_lived_tokens(
    app: SandboxApp, client: httpx.AsyncClient
) -> None:
    tokens = app.sandbox.tokens
    response = await client.post(
        _path(app),
        data={"grant_type": "client_credentials", "scope": tokens.scope},
        auth=(tokens.client_id, tokens.client_secret),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 86399
    assert body["refresh_in"] == 86399 // 2  # Entra's hint on long-lived tokens


async def test_7000218_only_when_neither_secret_nor_assertion_came(
    app: SandboxApp, client: httpx.AsyncClient, registered: ClientCertificate
) -> None:
    tokens = app.sandbox.tokens
    bare = {"grant_type": "client_credentials", "client_id": tokens.client_id}
    nothing = await client.post(_path(app), data={**bare, "scope": tokens.scope})
    assert nothing.json()["error_codes"] == [7000218]
    stranger = ClientCertificate("stranger")
    with_assertion = await client.post(
        _path(app), data=_assertion_form(app, _certificate_assertion(app, stranger))
    )
    assert with_assertion.json()["error_codes"] == [700027]  # not "missing" when one was sent


@pytest.mark.parametrize("where", ["header", "query", "x-ms-header"])
async def test_client_request_id_is_echoed_and_becomes_the_correlation_id(
    app: SandboxApp, client: httpx.AsyncClient, where: str
) -> None:
    request_id = str(uuid.uuid4())
    header = {"header": "client-request-id", "x-ms-header": "x-ms-client-request-id"}.get(where)
    headers = {header: request_id} if header else {}
    params = {"client-request-id": request_id} if where == "query" else {}
    form = {"grant_type": "client_credentials", "client_id": app.sandbox.tokens.client_id}
    error = await client.post(
        _path(app), data={**form, "client_secret": "wrong"}, headers=headers, params=params
    )
    body = error.json()
    assert body["correlation_id"] == request_id
    assert error.headers["client-request-id"] == request_id
    assert error.headers["x-ms-request-id"] == body["trace_id"]
    description = body["error_description"].split("\r\n")
    assert description[0].startswith("AADSTS7000215: ")
    assert description[1:] == [
        f"Trace ID: {body['trace_id']}",
        f"Correlation ID: {request_id}",
        f"Timestamp: {body['timestamp']}",
    ]
    success = await client.post(
        _path(app),
        data={**form, "client_secret": "local-secret", "scope": app.sandbox.tokens.scope},
        headers=headers,
        params=params,
    )
    assert success.headers["client-request-id"] == request_id
    assert uuid.UUID(success.headers["x-ms-request-id"])


async def test_oidc_discovery_document(app: SandboxApp, client: httpx.AsyncClient) -> None:
    tenant = app.sandbox.tokens.tenant_id
    document = (await client.get(f"/{tenant}/v2.0/.well-known/openid-configuration")).json()
    assert document["token_endpoint"] == f"https://sandbox.test/{tenant}/oauth2/v2.0/token"
    assert document["issuer"] == f"https://sandbox.test/{tenant}/v2.0"
    assert "private_key_jwt" in document["token_endpoint_auth_methods_supported"]
    unknown = await client.get(f"/{uuid.uuid4()}/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [90002]
