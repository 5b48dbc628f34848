"""`debtcore schema pull` against the sandbox, and its answer to a server that refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from graphql import build_schema, find_breaking_changes, find_dangerous_changes

from tests.support.doubles import StaticAuth

from alleviate_debtcore import Environment
from alleviate_debtcore.cli._schema import pull_schema, stable_sdl
from alleviate_debtcore.errors import SchemaToolError
from alleviate_debtcore.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
DEBTCORE = str(Path(sys.executable).parent / "debtcore")


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


def _pull(server: SandboxServer, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLEVIATE_")} | {
        "ALLEVIATE_BASE_URL": server.base_url,
        "ALLEVIATE_CLIENT_ID": "local-client",
        "ALLEVIATE_CLIENT_SECRET": "local-secret",
    }
    return subprocess.run(
        [DEBTCORE, "schema", "pull", "--out", str(out), *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_pull_equals_the_committed_schemas(server: SandboxServer, tmp_path: Path) -> None:
    done = _pull(server, tmp_path)
    assert done.returncode == 0, done.stderr
    for service in ("credit", "underwriting", "offers", "enrollment"):
        pulled = build_schema((tmp_path / f"{service}.graphql").read_text())
        committed = build_schema((ROOT / "schemas" / f"{service}.graphql").read_text())
        for old, new in ((committed, pulled), (pulled, committed)):
            assert find_breaking_changes(old, new) == []
            assert find_dangerous_changes(old, new) == []
        assert stable_sdl(pulled) == stable_sdl(committed)


def test_pull_is_byte_stable(server: SandboxServer, tmp_path: Path) -> None:
    assert _pull(server, tmp_path / "a", "--service", "offers").returncode == 0
    assert _pull(server, tmp_path / "b", "--service", "offers").returncode == 0
    assert (tmp_path / "a" / "offers.graphql").read_bytes() == (
        tmp_path / "b" / "offers.graphql"
    ).read_bytes()
    assert not (tmp_path / "a" / "credit.graphql").exists()


async def test_a_refusal_explains_how_to_update_from_files() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"errors": [{"message": "GraphQL introspection is not allowed"}]}
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(SchemaToolError) as caught:
            await pull_schema(client, Environment.SANDBOX, "credit", StaticAuth())
    message = str(caught.value)
    assert "refused introspection (HTTP 400: GraphQL introspection is not allowed)" in message
    assert "make schema-update SDL=" in message


def test_cli_reports_bad_credentials_as_a_usage_error(
    server: SandboxServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLEVIATE_")}
    done = subprocess.run(
        [DEBTCORE, "schema", "pull", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 3
    assert "ALLEVIATE_CLIENT_ID is not set" in done.stderr


def test_cli_diff_and_check_exit_codes(tmp_path: Path) -> None:
    diff = subprocess.run(
        [DEBTCORE, "schema", "diff", "schemas", "schemas", "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert diff.returncode == 0 and '"exit_code": 0' in diff.stdout
    missing = subprocess.run(
        [DEBTCORE, "schema", "diff", "schemas", str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert missing.returncode == 3 and "does not exist" in missing.stderr
    check = subprocess.run(
        [DEBTCORE, "schema", "check"], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "generated/ is current" in check.stdout
