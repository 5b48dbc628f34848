"""The sandbox closes idle and trickling connections (issue 21, item 9; a slowloris defence):
raw sockets on 127.0.0.1 against SandboxServer with short bounds. Each wait is bounded by a
generous budget; each close is also checked not to come before its bound."""

from __future__ import annotations

import logging
import select
import socket
import ssl
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.sandbox_api import TOKEN_FORM, TOKEN_PATH

from alleviate_debtcore.sandbox import ConnectionBounds, SandboxServer, create_app
from alleviate_debtcore.sandbox._server import _server  # pyright: ignore[reportPrivateUsage]

BOUNDS = ConnectionBounds(keep_alive=1, request_head=1.0, request_body=1.5)
BUDGET = 20.0  # seconds any close may take under load: generous, the bounds are 1-1.5 s
EARLY = 0.05  # clock granularity between this process's and the server's timers


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(create_app(), bounds=BOUNDS) as running:
        yield running


def _connect(server: SandboxServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=BUDGET)


def _closed_by_server(sock: socket.socket | ssl.SSLSocket, *, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock``; meanwhile one byte of ``trickle`` is sent every
    0.1 s (a slowloris client). Fails past BUDGET."""
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < BUDGET:
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                data = b""
            if not data:
                return time.monotonic() - started
            continue  # a response to an earlier request: keep waiting for the close
        if sent < len(trickle):
            try:
                sock.send(trickle[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - started
            sent += 1
    pytest.fail(f"the server kept the connection open for {BUDGET} s")


def _wait_for_requests_to_finish(server: SandboxServer) -> None:
    uvicorn_server = server._server  # pyright: ignore[reportPrivateUsage]
    assert uvicorn_server is not None
    deadline = time.monotonic() + BUDGET
    while uvicorn_server.server_state.tasks:
        assert time.monotonic() < deadline, "a request task outlived the budget"
        time.sleep(0.01)


def test_a_connection_that_never_sends_is_closed_after_the_head_bound(
    server: SandboxServer,
) -> None:
    with _connect(server) as sock:
        waited = _closed_by_server(sock)
    assert waited >= BOUNDS.request_head - EARLY


def test_a_trickled_request_head_is_closed_however_steady_the_trickle(
    server: SandboxServer,
) -> None:
    # 0.1 s per byte: each byte arrives long before any idle timeout would fire.
    head = b"POST /credit-service/graphql HTTP/1.1\r\nHost: sandbox\r\n" + b"X-Pad: a\r\n" * 50
    with _connect(server) as sock:
        waited = _closed_by_server(sock, trickle=head)
    assert waited >= BOUNDS.request_head - EARLY


def test_a_trickled_token_body_is_closed_after_the_body_bound_without_an_error_log(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    head = (
        f"POST {TOKEN_PATH} HTTP/1.1\r\nHost: sandbox\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n"
    ).encode()
    with caplog.at_level(logging.WARNING):
        with _connect(server) as sock:
            sock.sendall(head)
            waited = _closed_by_server(sock, trickle=b"a" * 4000)
        _wait_for_requests_to_finish(server)  # the app sees the disconnect after the close
    assert waited >= BOUNDS.request_body - EARLY
    # A left client is not a server error: no "Exception in ASGI application" traceback.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_bound(
    server: SandboxServer,
) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(65536)
            assert chunk, "closed before answering"
            response += chunk
        assert response.startswith(b"HTTP/1.1 200")
        waited = _closed_by_server(sock)
    assert waited >= BOUNDS.keep_alive - EARLY


def test_a_slow_client_within_the_bounds_is_served(server: SandboxServer) -> None:
    # Roomier bounds for this one: a loaded machine must not turn a legitimate pause into a close.
    with SandboxServer(create_app(), bounds=ConnectionBounds(request_head=8, request_body=8)) as ok:
        body = "&".join(f"{k}={v}" for k, v in TOKEN_FORM.items()).encode()
        head = (
            f"POST {TOKEN_PATH} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with _connect(ok) as sock:
            for part in (head[:20], head[20:], body[:10], body[10:]):
                sock.sendall(part)
                time.sleep(0.2)  # a pause well inside the bounds, not a wait for anything
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"access_token"' in answer


def test_ordinary_clients_reuse_connections_across_requests(server: SandboxServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(5):
            token = client.post(TOKEN_PATH, data=TOKEN_FORM)
            assert token.status_code == 200
    assert server.state.http_requests["token"] >= 5


def test_bounds_hold_over_tls_too() -> None:
    with SandboxServer(create_app(), bounds=BOUNDS, tls=True) as tls_server:
        context = ssl.create_default_context(cafile=tls_server.ca_file)
        host, port = tls_server.base_url.removeprefix("https://").rsplit(":", 1)
        raw = socket.create_connection((host, int(port)), timeout=BUDGET)
        with context.wrap_socket(raw, server_hostname=host) as sock:
            waited = _closed_by_server(sock, trickle=b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    assert waited >= BOUNDS.request_head - EARLY


def test_the_defaults_are_the_documented_bounds() -> None:
    assert ConnectionBounds() == ConnectionBounds(keep_alive=5, request_head=10, request_body=30)
    config = _server(create_app(), access_log=False).config
    assert config.timeout_keep_alive == 5
    protocol = config.http
    assert isinstance(protocol, type)
    assert protocol.bounds == ConnectionBounds()  # type: ignore[attr-defined]
    for bad in ({"keep_alive": 0}, {"request_head": 0}, {"request_body": -1}):
        with pytest.raises(ValueError, match="positive"):
            ConnectionBounds(**bad)  # type: ignore[arg-type]
