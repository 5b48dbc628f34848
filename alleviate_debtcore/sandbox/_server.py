"""Serving the sandbox over real HTTP with uvicorn: in a background thread, or in the foreground.

The socket is bound before uvicorn starts, so port 0 works and the URL is known at once. The
uvicorn access log is off unless asked for, and uvicorn never touches the logging configuration.
With ``tls``, it serves HTTPS with a certificate from a throwaway CA (``_tls``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Generator
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Self

import uvicorn

from .._environment import Environment
from ._app import SandboxApp, create_app
from ._state import SandboxState

if TYPE_CHECKING:
    from ._tls import TlsFiles

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
        # Listening now queues early connections until uvicorn accepts them, instead of refusing
        # them while it starts (loading a TLS certificate takes a moment).
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url_of(sock: socket.socket, *, tls: bool = False) -> str:
    host, port = sock.getsockname()[:2]
    scheme = "https" if tls else "http"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _server(app: SandboxApp, *, access_log: bool, tls: TlsFiles | None = None) -> _Server:
    config = uvicorn.Config(
        app,
        access_log=access_log,
        log_config=None,
        log_level="info" if access_log else "warning",
        lifespan="off",
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
        ssl_certfile=None if tls is None else str(tls.certfile),
        ssl_keyfile=None if tls is None else str(tls.keyfile),
    )
    return _Server(config)


class SandboxServer:
    """The sandbox on a loopback port in a background thread; a context manager.

    >>> with SandboxServer() as server:  # doctest: +SKIP
    ...     env = server.environment  # Environment.local(server.base_url)
    ...     server.state.faults.service_failures = 1

    ``tls=True`` serves HTTPS; ``server.ca_file`` is the CA certificate clients should trust
    (also written to ``ca_file`` when given).
    """

    def __init__(
        self,
        app: SandboxApp | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
        tls: bool = False,
        ca_file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.app = app or create_app()
        self._host = host
        self._port = port
        self._access_log = access_log
        self._tls_wanted = tls
        self._ca_file = ca_file
        self.tls: TlsFiles | None = None
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

    @property
    def ca_file(self) -> str:
        """The PEM of the CA that signed this server's certificate (``tls=True`` only)."""
        if self.tls is None:
            raise RuntimeError("the server is not serving TLS")
        return str(self.tls.ca_file)

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        if self._tls_wanted:
            from ._tls import generate_tls

            self.tls = generate_tls(self._ca_file)
        self._socket = bind_socket(self._host, self._port)
        self.base_url = base_url_of(self._socket, tls=self.tls is not None)
        server = self._server = _server(self.app, access_log=self._access_log, tls=self.tls)
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
        if self.tls is not None:
            self.tls.remove()
        self._server = self._thread = self._socket = self.tls = None

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
    tls: TlsFiles | None = None,
) -> None:
    """Serve in the calling (main) thread until SIGINT or SIGTERM, then return normally.

    The handlers are installed before the socket is bound and ``on_ready`` is called, so a signal
    that arrives during start-up still ends in a clean stop. A second SIGINT forces the exit.
    """
    server = _server(app, access_log=access_log, tls=tls)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sock = bind_socket(host, port)
        try:
            if on_ready is not None:
                on_ready(base_url_of(sock, tls=tls is not None))
            server.run(sockets=[sock])
        finally:
            sock.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
