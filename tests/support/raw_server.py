"""A 127.0.0.1 HTTP server whose every byte (and pause) the test decides: for hostile answers.

The handler gets the parsed request and returns the answer as a list of steps: ``bytes`` are
written as they are, a ``float`` pauses that many seconds. Each connection serves one request
and is closed (``Connection: close``), so nothing is shared between attempts.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from alleviate_debtcore import Environment
from alleviate_debtcore._environment import ALLEVIATE_TENANT_ID

TOKEN_PATH = f"/{ALLEVIATE_TENANT_ID}/oauth2/v2.0/token"
GOOD_TOKEN = {"token_type": "Bearer", "expires_in": 3600, "access_token": "good-token"}

Step = bytes | float


@dataclass
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[RawRequest], Iterable[Step]]


def answer(
    status: int,
    body: bytes | str | dict[str, Any] | list[Any] = b"",
    headers: dict[str, str] | None = None,
    *,
    content_type: str = "application/json",
) -> list[Step]:
    """A complete response with a correct Content-Length."""
    if isinstance(body, dict | list):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    fields = {"Content-Type": content_type, "Content-Length": str(len(body))} | (headers or {})
    return [head(status, fields) + body]


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def token_ok(request: RawRequest) -> list[Step]:
    return answer(200, GOOD_TOKEN)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(30)
        request = _read_request(conn)
        if request is None:
            return
        self.server.requests.append(request)
        for step in self.server.route(request):
            if isinstance(step, float | int):
                if self.server.stopping.wait(step):
                    return
                continue
            try:
                conn.sendall(step)
            except OSError:  # the client gave up: that is what many tests expect
                return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    route: Handler
    requests: list[RawRequest]
    stopping: threading.Event


def _read_request(conn: socket.socket) -> RawRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawRequest(method, path, headers, body)


class RawServer:
    """The running server: ``base_url``, ``environment``, the ``requests`` it saw."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.environment = Environment.local(self.base_url)
        self.token_url = self.base_url + TOKEN_PATH

    @property
    def requests(self) -> list[RawRequest]:
        return self._server.requests

    def api_requests(self) -> list[RawRequest]:
        return [r for r in self.requests if r.path != TOKEN_PATH]

    def token_requests(self) -> list[RawRequest]:
        return [r for r in self.requests if r.path == TOKEN_PATH]

    def set(self, api: Handler | None = None, token: Handler | None = None) -> None:
        """Answer the API with ``api`` and the token endpoint with ``token`` (default: a good
        token), from now on."""
        api_handler = api or (lambda request: answer(404, "no API here", content_type="text/plain"))
        token_handler = token or token_ok

        def route(request: RawRequest) -> Iterable[Step]:
            return token_handler(request) if request.path == TOKEN_PATH else api_handler(request)

        self._server.route = route
        self._server.requests.clear()


@contextmanager
def raw_server(api: Handler | None = None, token: Handler | None = None) -> Iterator[RawServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.requests = []
    server.stopping = threading.Event()
    running = RawServer(server)
    running.set(api, token)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield running
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def trickle(status: int = 200, *, length: int = 10_000, every: float = 0.5) -> Handler:
    """Headers at once, then one body byte every ``every`` seconds."""

    def handler(request: RawRequest) -> Iterator[Step]:
        yield head(status, {"Content-Type": "application/json", "Content-Length": str(length)})
        yield b"{"
        for _ in range(length - 1):
            yield every
            yield b" "

    return handler


def silent(seconds: float = 30.0) -> Handler:
    """Reads the request, then says nothing."""
    return lambda request: [seconds]


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
