"""Certificate and client-assertion credentials offline (pytest-httpx): what they send, the
shared retry and classification, from_env, and errors that never quote a secret."""

from __future__ import annotations

import base64
import json
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pytest_httpx import HTTPXMock

from tests.support.certificates import ClientCertificate
from tests.support.entra import CLIENT_ID, SCOPE, SECRET, TENANT, TOKEN_URL, error_json, token_json

from alleviate_debtcore._version import __version__
from alleviate_debtcore.auth import (
    CertificateCredential,
    ClientAssertionCredential,
    ClientSecretCredential,
)
from alleviate_debtcore.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    TokenEndpointError,
)

HOOKS: dict[str, Any] = {"_random": lambda: 1.0}


async def _no_sleep(_seconds: float) -> None:
    return None


def _part(token: str, index: int) -> dict[str, Any]:
    piece = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)))
    return decoded


def _form(request: Any) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.content.decode()))


@pytest.fixture(scope="module")
def cert() -> ClientCertificate:
    return ClientCertificate()


async def test_certificate_assertion_is_a_ps256_jwt_entra_accepts(
    httpx_mock: HTTPXMock, cert: ClientCertificate, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("tok"))
    credential = CertificateCredential(
        tenant_id=TENANT, client_id=CLIENT_ID, certificate_path=cert.write_pem(tmp_path / "c.pem")
    )
    assert (await credential.get_token(SCOPE)).token == "tok"
    await credential.aclose()
    form = _form(httpx_mock.get_requests()[0])
    assert "client_secret" not in form
    assert form["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )
    assertion = form["client_assertion"]
    header, claims = _part(assertion, 0), _part(assertion, 1)
    der = cert.certificate.public_bytes(serialization.Encoding.DER)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    thumbprint = base64.urlsafe_b64encode(digest.finalize()).rstrip(b"=").decode()
    assert header == {"alg": "PS256", "typ": "JWT", "x5t#S256": thumbprint}
    assert claims["aud"] == TOKEN_URL
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert uuid.UUID(claims["jti"])
    assert claims["nbf"] <= claims["iat"] + 1 and claims["exp"] - claims["nbf"] == 600
    signed, signature = assertion.rsplit(".", 1)
    cert.key.public_key().verify(  # raises if the signature is not PS256 over header.claims
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        signed.encode(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
        hashes.SHA256(),
    )


def test_each_request_gets_a_fresh_jti(
    httpx_mock: HTTPXMock, cert: ClientCertificate, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("a"))
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("b"))
    credential = CertificateCredential(
        tenant_id=TENANT, client_id=CLIENT_ID, certificate_path=cert.write_pem(tmp_path / "c.pem")
    )
    credential.get_token_sync(SCOPE)
    credential.get_token_sync(SCOPE)
    credential.close()
    jtis = {_part(_form(r)["client_assertion"], 1)["jti"] for r in httpx_mock.get_requests()}
    assert len(jtis) == 2


async def test_token_requests_identify_the_library_without_secrets(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    credential = ClientSecretCredential(tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET)
    await credential.get_token(SCOPE)
    await credential.aclose()
    request = httpx_mock.get_requests()[0]
    assert request.headers["x-client-SKU"] == "alleviate-debtcore"
    assert request.headers["x-client-Ver"] == __version__
    assert request.headers["x-client-OS"]
    assert uuid.UUID(request.headers["client-request-id"])
    assert SECRET not in str(request.headers)


async def test_same_retry_and_classification_as_the_secret_credential(
    httpx_mock: HTTPXMock, cert: ClientCertificate, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, json=error_json("x", None))
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("after-503"))
    httpx_mock.add_response(
        url=TOKEN_URL, status_code=401, json=error_json("invalid_client", 700027)
    )
    credential = CertificateCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        certificate_path=cert.write_pem(tmp_path / "c.pem"),
        _async_sleep=_no_sleep,
        **HOOKS,
    )
    assert (await credential.get_token(SCOPE)).token == "after-503"
    with pytest.raises(InvalidCredentialsError) as caught:
        await credential.get_token(SCOPE)
    await credential.aclose()
    assert caught.value.aadsts_code == "AADSTS700027"
    assert len(httpx_mock.get_requests()) == 3  # the 401 is not retried


def test_assertion_credential_reads_the_file_each_time(
    httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("a"))
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("b"))
    token_file = tmp_path / "token"
    token_file.write_text("one.two.three\n")
    credential = ClientAssertionCredential.from_env(
        environ={
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        }
    )
    credential.get_token_sync(SCOPE)
    token_file.write_text("four.five.six")
    credential.get_token_sync(SCOPE)
    credential.close()
    sent = [_form(r)["client_assertion"] for r in httpx_mock.get_requests()]
    assert sent == ["one.two.three", "four.five.six"]


def test_assertion_credential_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="exactly one"):
        ClientAssertionCredential(tenant_id=TENANT, client_id=CLIENT_ID)
    with pytest.raises(ConfigurationError, match="AZURE_FEDERATED_TOKEN_FILE"):
        ClientAssertionCredential.from_env(
            environ={"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT_ID}
        )
    not_a_jwt = ClientAssertionCredential(
        tenant_id=TENANT, client_id=CLIENT_ID, func=lambda: "s3cr3t-not-a-jwt"
    )
    with pytest.raises(ConfigurationError, match="did not give a JWT") as caught:
        not_a_jwt.get_token_sync(SCOPE)
    assert "s3cr3t" not in "".join(traceback.format_exception(caught.value))
    missing = ClientAssertionCredential(
        tenant_id=TENANT, client_id=CLIENT_ID, token_file=tmp_path / "absent"
    )
    with pytest.raises(ConfigurationError, match="cannot read the federated token file"):
        missing.get_token_sync(SCOPE)


def test_certificate_errors_never_quote_the_password(
    cert: ClientCertificate, tmp_path: Path
) -> None:
    pfx = cert.write_pfx(tmp_path / "c.pfx", b"right-pass")
    with pytest.raises(ConfigurationError) as caught:
        CertificateCredential(
            tenant_id=TENANT, client_id=CLIENT_ID, certificate_path=pfx, password="wrong-pass"
        )
    text = "".join(traceback.format_exception(caught.value))
    assert "wrong-pass" not in text and "right-pass" not in text
    key_only = tmp_path / "key.pem"
    key_only.write_bytes(
        cert.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ConfigurationError, match="not its certificate"):
        CertificateCredential(tenant_id=TENANT, client_id=CLIENT_ID, certificate_path=key_only)
    with pytest.raises(ConfigurationError, match="cannot read the certificate file"):
        CertificateCredential(
            tenant_id=TENANT, client_id=CLIENT_ID, certificate_path=tmp_path / "absent.pem"
        )


def test_from_env_uses_azure_identity_variables(cert: ClientCertificate, tmp_path: Path) -> None:
    environ = {
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_CLIENT_CERTIFICATE_PATH": str(cert.write_pfx(tmp_path / "c.pfx", b"pw")),
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw",
        "AZURE_AUTHORITY_HOST": "https://login.example.test/",
    }
    secret = ClientSecretCredential.from_env(environ=environ)
    certificate = CertificateCredential.from_env(environ=environ)
    for credential in (secret, certificate):
        assert credential.token_url == f"https://login.example.test/{TENANT}/oauth2/v2.0/token"
    assert SECRET not in repr(secret)
    with pytest.raises(ConfigurationError, match="AZURE_CLIENT_SECRET"):
        ClientSecretCredential.from_env(environ={**environ, "AZURE_CLIENT_SECRET": ""})


def test_a_credential_bound_to_one_authority_refuses_another() -> None:
    credential = ClientSecretCredential(tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET)
    credential.use_default_authority("http://127.0.0.1:8765")
    assert credential.token_url == f"http://127.0.0.1:8765/{TENANT}/oauth2/v2.0/token"
    credential.use_default_authority("http://127.0.0.1:8765/")  # the same one again: fine
    with pytest.raises(ConfigurationError, match="separate credential"):
        credential.use_default_authority("https://login.microsoftonline.com")
    explicit = ClientSecretCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        authority="https://login.microsoftonline.com",
    )
    with pytest.raises(ConfigurationError):
        explicit.use_default_authority("http://127.0.0.1:8765")


def test_token_endpoint_error_is_still_retried_for_assertions(
    httpx_mock: HTTPXMock,
) -> None:
    for _ in range(2):
        httpx_mock.add_response(url=TOKEN_URL, status_code=429, json=error_json("x", None))
    credential = ClientAssertionCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        func=lambda: "a.b.c",
        max_retries=1,
        _sleep=lambda _s: None,
        **HOOKS,
    )
    with pytest.raises(TokenEndpointError):
        credential.get_token_sync(SCOPE)
    credential.close()
    assert len(httpx_mock.get_requests()) == 2
