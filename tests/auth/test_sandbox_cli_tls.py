"""`debtcore sandbox --tls --ca-file`, `--client-certificate`, and the client secret from a file
or an environment variable, never printed (issues 13 and 12)."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from tests.support.certificates import ClientCertificate
from tests.support.sandbox_cli import SCOPE, TENANT, cli_sandbox

from alleviate_debtcore.auth import CertificateCredential
from alleviate_debtcore.errors import InvalidCredentialsError

FILE_SECRET = "file-secret-Q8Q~do-not-print"
ENV_SECRET = "env-secret-Q8Q~do-not-print"


def _token(base_url: str, secret: str, verify: ssl.SSLContext | bool = True) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": "local-client",
        "client_secret": secret,
        "scope": SCOPE,
    }
    return httpx.post(f"{base_url}/{TENANT}/oauth2/v2.0/token", data=form, verify=verify)


def test_tls_sandbox_with_a_secret_file_and_a_client_certificate(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(FILE_SECRET + "\n")
    client = ClientCertificate()
    registered = tmp_path / "registered.pem"
    registered.write_bytes(client.certificate_pem)
    ca_file = tmp_path / "ca.pem"
    args = [
        "--ca-file",
        str(ca_file),
        "--client-secret-file",
        str(secret_file),
        "--client-certificate",
        str(registered),
    ]
    with cli_sandbox(args, forbidden=(FILE_SECRET,)) as (base_url, banner):
        assert base_url.startswith("https://127.0.0.1:")
        assert str(ca_file) in banner  # how to trust it
        assert ca_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        trust = ssl.create_default_context(cafile=str(ca_file))
        assert _token(base_url, FILE_SECRET, verify=trust).status_code == 200
        with httpx.Client(verify=trust) as https:
            document = https.get(f"{base_url}/{TENANT}/v2.0/.well-known/openid-configuration")
            assert document.json()["token_endpoint"].startswith(base_url)
            localhost = base_url.replace("127.0.0.1", "localhost")
            assert https.get(f"{localhost}/healthz").status_code == 200  # SAN has localhost
            credential = CertificateCredential(
                tenant_id=TENANT,
                client_id="local-client",
                certificate_path=client.write_pem(tmp_path / "client.pem"),
                authority=base_url,
                sync_client=https,
            )
            assert credential.get_token_sync(SCOPE).token
            stranger = CertificateCredential(
                tenant_id=TENANT,
                client_id="local-client",
                certificate_path=ClientCertificate().write_pem(tmp_path / "stranger.pem"),
                authority=base_url,
                sync_client=https,
            )
            try:
                stranger.get_token_sync(SCOPE)
                raise AssertionError("an unregistered certificate got a token")
            except InvalidCredentialsError as error:
                assert error.aadsts_code == "AADSTS700027"


def test_secret_from_the_environment_variable(tmp_path: Path) -> None:
    env = {"DEBTCORE_SANDBOX_CLIENT_SECRET": ENV_SECRET}
    with cli_sandbox([], env, forbidden=(ENV_SECRET,)) as (base_url, banner):
        assert base_url.startswith("http://")
        assert "<the secret you configured>" in banner
        assert _token(base_url, ENV_SECRET).status_code == 200
        assert _token(base_url, "local-secret").status_code == 401
