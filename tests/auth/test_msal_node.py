"""@azure/msal-node, unpatched, gets tokens from `debtcore sandbox --tls --ca-file` with a secret
and with a certificate (issue 13). `make install` / `make pytest` run `npm ci` in tests/auth/node
first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.sandbox_cli import CLIENT_ID, SCOPE, TENANT, CliSandbox

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.mark.parametrize("kind", ["secret", "certificate"])
def test_msal_node_gets_a_token(tls_cli_sandbox: CliSandbox, kind: str) -> None:
    server = tls_cli_sandbox
    node = shutil.which("node")
    assert node, "node is needed (the machines have it)"
    assert (NODE_DIR / "node_modules" / "@azure" / "msal-node").is_dir(), "run `make install`"
    dead = "http://127.0.0.1:9"  # anything but the sandbox would fail, not leave the machine
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": server.ca_file,
        "HTTPS_PROXY": dead,
        "https_proxy": dead,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    done = subprocess.run(
        [
            node,
            str(NODE_DIR / "token.mjs"),
            f"{server.base_url}/{TENANT}",
            CLIENT_ID,
            SCOPE,
            kind,
            "local-secret" if kind == "secret" else str(server.certificate_path),
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
    assert server.accepts(result["token"])
