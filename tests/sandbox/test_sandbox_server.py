"""Real HTTP on 127.0.0.1: SandboxServer in a thread, and ``debtcore sandbox`` as a process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox_api import TOKEN_FORM, TOKEN_PATH

from alleviate_debtcore._environment import SERVICE_PATHS
from alleviate_debtcore.cli import build_parser, main
from alleviate_debtcore.sandbox import SandboxServer, create_app
from alleviate_debtcore.sandbox._executable_schemas import executable_schema

DEBTCORE = Path(sys.executable).with_name("debtcore")
URL_LINE = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def test_sandbox_server_serves_real_http_and_stops() -> None:
    server = SandboxServer(create_app(token_lifetime=120))
    with server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
        env = server.environment
        assert env.token_url == server.base_url + TOKEN_PATH
        with httpx.Client() as client:
            assert client.get(server.base_url + "/healthz").json() == {"status": "ok"}
            token = client.post(env.token_url, data=TOKEN_FORM).json()
            assert token["expires_in"] == 120
            response = client.post(
                env.url("offers"),
                json={"query": 'query { getOffer(ogId: "og-offer-123456") { data { id } } }'},
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
            assert response.json()["data"]["getOffer"]["data"]["id"] == "og-offer-123456"
            assert response.headers["x-request-id"]
            index = client.get(server.base_url + "/").json()
            assert index["services"]["credit"] == server.base_url + SERVICE_PATHS["credit"]
        assert server.state.executions.by_operation() == {"getOffer": 1}
        thread = server._thread  # pyright: ignore[reportPrivateUsage]
    assert thread is not None and not thread.is_alive()
    assert server.base_url  # kept for messages after stop
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(server.base_url + "/healthz")


def test_every_root_field_of_every_schema_has_a_resolver() -> None:
    counts = {}
    for service in ("credit", "underwriting", "offers", "enrollment"):
        schema = executable_schema(service)
        fields = [
            field
            for root in (schema.query_type, schema.mutation_type)
            if root is not None
            for field in root.fields.values()
        ]
        assert all(field.resolve is not None for field in fields)
        counts[service] = len(fields)
    assert counts == {"credit": 15, "underwriting": 10, "offers": 4, "enrollment": 4}


def test_cli_help_lists_the_sandbox_and_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--port", "--client-secret", "--fail-service-requests", "--lose-responses"):
        assert flag in out
    assert main([]) == 2
    parsed = build_parser().parse_args(["sandbox"])
    assert parsed.host == "127.0.0.1" and parsed.port == 8765


@pytest.fixture
def sandbox_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(DEBTCORE), "sandbox", "--port", "0", "--client-secret", "cli-secret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:  # the banner comes once the socket is bound
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        match = URL_LINE.search("".join(lines))
        assert match, "".join(lines)
        assert f"ALLEVIATE_BASE_URL={match.group(1)}" in "".join(lines)
        assert "cli-secret" not in "".join(lines)  # a chosen secret is never printed
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cli_sandbox_answers_then_stops_cleanly(
    sandbox_process: tuple[subprocess.Popen[str], str], sig: signal.Signals
) -> None:
    process, base_url = sandbox_process
    form = {**TOKEN_FORM, "client_secret": "cli-secret"}
    response = httpx.post(base_url + TOKEN_PATH, data=form, timeout=10)
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"

    process.send_signal(sig)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out
    assert "Traceback" not in err
    assert "cli-secret" not in err


def test_cli_sandbox_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(DEBTCORE), "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
