"""Serving the sandbox over real HTTP with uvicorn: in a background thread, or in the foreground.

The socket is bound before uvicorn starts, so port 0 works and the URL is known at once. The
uvicorn access log is off unless asked for, and uvicorn never touches the logging configuration.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Generator
from types import FrameType, TracebackType
from typing import Self

import uvicorn

from .._environment import Environment
from ._app import SandboxApp, create_app
from ._state import SandboxState

_STARTUP_TIMEOUT = 10.0
_GRACEFUL_SHUTDOWN = 3  # seconds uvicorn waits for open requests on stop


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the caller decides how to stop it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(app: SandboxApp, *, access_log: bool) -> _Server:
    config = uvicorn.Config(
        app,
        access_log=access_log,
        log_config=None,
        log_level="info" if access_log else "warning",
        lifespan="off",
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
    )
    return _Server(config)


class SandboxServer:
    """The sandbox on a loopback port in a background thread; a context manager.

    >>> with SandboxServer() as server:  # doctest: +SKIP
    ...     env = server.environment  # Environment.local(server.base_url)
    ...     server.state.faults.service_failures = 1
    """

    def __init__(
        self,
        app: SandboxApp | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
    ) -> None:
        self.app = app or create_app()
        self._host = host
        self._port = port
        self._access_log = access_log
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def state(self) -> SandboxState:
        return self.app.sandbox

    @property
    def environment(self) -> Environment:
        """Client settings for this server: token endpoint and services under ``base_url``."""
        if not self.base_url:
            raise RuntimeError("the server is not running")
        return Environment.local(
            self.base_url, tenant_id=self.state.tokens.tenant_id, app_id=self.state.tokens.app_id
        )

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._socket = bind_socket(self._host, self._port)
        self.base_url = base_url_of(self._socket)
        server = self._server = _server(self.app, access_log=self._access_log)
        self._thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [self._socket]},
            name=f"debtcore-sandbox {self.base_url}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    app: SandboxApp,
    *,
    host: str,
    port: int,
    access_log: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the calling (main) thread until SIGINT or SIGTERM, then return normally.

    The handlers are installed before the socket is bound and ``on_ready`` is called, so a signal
    that arrives during start-up still ends in a clean stop. A second SIGINT forces the exit.
    """
    server = _server(app, access_log=access_log)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sock = bind_socket(host, port)
        try:
            if on_ready is not None:
                on_ready(base_url_of(sock))
            server.run(sockets=[sock])
        finally:
            sock.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
