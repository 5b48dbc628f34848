"""@azure/msal-node, unpatched, gets tokens from `debtcore sandbox --tls` with a secret and with a
certificate (issue 13). `make install` / `make pytest` run `npm ci` in tests/auth/node first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from certificates import ClientCertificate

from alleviate_debtcore.sandbox import SandboxServer, create_app

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClientCertificate, Path]:
    cert = ClientCertificate("msal-node")
    return cert, cert.write_pem(tmp_path_factory.mktemp("node-certs") / "client.pem")


@pytest.fixture(scope="module")
def server(certificate: tuple[ClientCertificate, Path]) -> Iterator[SandboxServer]:
    app = create_app()
    app.sandbox.tokens.assertions.register_certificate(certificate[0].certificate_pem)
    with SandboxServer(app, tls=True) as running:
        yield running


@pytest.mark.parametrize("kind", ["secret", "certificate"])
def test_msal_node_gets_a_token(
    server: SandboxServer, certificate: tuple[ClientCertificate, Path], kind: str
) -> None:
    node = shutil.which("node")
    assert node, "node is needed (the machines have it)"
    assert (NODE_DIR / "node_modules" / "@azure" / "msal-node").is_dir(), "run `make install`"
    tokens = server.state.tokens
    dead = "http://127.0.0.1:9"  # anything but the sandbox would fail, not leave the machine
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": server.ca_file,
        "HTTPS_PROXY": dead,
        "https_proxy": dead,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    before = server.state.http_requests["token"]
    done = subprocess.run(
        [
            node,
            str(NODE_DIR / "token.mjs"),
            f"{server.base_url}/{tokens.tenant_id}",
            tokens.client_id,
            tokens.scope,
            kind,
            tokens.client_secret if kind == "secret" else str(certificate[1]),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    assert tokens.verify(result["token"])["appid"] == tokens.client_id
    assert server.state.http_requests["token"] - before == 1
