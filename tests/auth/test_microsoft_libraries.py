"""Microsoft's own libraries, unpatched, against `debtcore sandbox --tls --ca-file` (issue 13).

Each runs in a fresh interpreter that trusts the sandbox's CA only through SSL_CERT_FILE /
REQUESTS_CA_BUNDLE, with every proxy variable pointing at a dead port except for 127.0.0.1: a
request to login.microsoftonline.com (instance discovery, say) would fail the test instead of
leaving the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sandbox_cli import CLIENT_ID, SCOPE, TENANT, CliSandbox

HERE = Path(__file__).resolve().parent
SECRET = "local-secret"


def offline_env(ca_file: str) -> dict[str, str]:
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    return {
        **os.environ,
        "SSL_CERT_FILE": ca_file,
        "REQUESTS_CA_BUNDLE": ca_file,
        "HTTPS_PROXY": dead,
        "HTTP_PROXY": dead,
        "https_proxy": dead,
        "http_proxy": dead,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def run_json(args: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("library", ["msal", "azure-identity", "azure-identity-aio"])
@pytest.mark.parametrize("kind", ["secret", "certificate"])
def test_microsoft_library_gets_a_token_from_the_tls_sandbox(
    tls_cli_sandbox: CliSandbox, library: str, kind: str
) -> None:
    server = tls_cli_sandbox
    value = SECRET if kind == "secret" else str(server.certificate_path)
    result = run_json(
        [
            str(HERE / "microsoft_clients.py"),
            library,
            server.base_url,
            TENANT,
            CLIENT_ID,
            SCOPE,
            kind,
            value,
        ],
        offline_env(server.ca_file),
    )
    assert "error" not in result, result
    assert server.accepts(str(result["token"]))  # a real token of this sandbox


def test_azure_identity_credential_drives_async_debtcore_through_a_revocation(
    tmp_path: Path,
) -> None:
    # The script starts its own HTTPS sandbox and writes its CA where SSL_CERT_FILE points before
    # azure-identity (aiohttp) loads: trust comes from the variable, as in production.
    result = run_json(
        [str(HERE / "azure_identity_client.py")], offline_env(str(tmp_path / "sandbox-ca.pem"))
    )
    assert result["calls"] == ["first:True", "second:True", "after-revoke:True"]
    # One token for both calls (EntraAuth's cache), and after the revocation exactly one more:
    # the claims challenge made azure-identity skip its own cache of the revoked token.
    assert result["tokens_before_revoke"] == 1
    assert result["tokens_after_revoke"] == 2
