"""Serving the sandbox over real HTTP with uvicorn: in a background thread, or in the foreground.

The socket is bound before uvicorn starts, so port 0 works and the URL is known at once. The
uvicorn access log is off unless asked for, and uvicorn never touches the logging configuration.
With ``tls``, it serves HTTPS with a certificate from a throwaway CA (``_tls``).

Connections are bounded (``ConnectionBounds``), so that idle or trickling clients (slowloris)
cannot hold the server's connections for ever: an idle keep-alive connection is closed after
``keep_alive`` seconds (uvicorn's ``timeout_keep_alive``); a request head must be complete within
``request_head`` seconds of the connection opening or the previous response ending, and its body
within ``request_body`` seconds of the head. uvicorn has no such read timeouts, so the sandbox
serves HTTP/1.1 with uvicorn's h11 protocol plus a per-connection timer (``_BoundedH11Protocol``).
A stalled TLS handshake is bounded by asyncio's own 60 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Literal, Self

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .._environment import Environment
from ._app import SandboxApp, create_app
from ._state import SandboxState

if TYPE_CHECKING:
    from ._tls import TlsFiles

_STARTUP_TIMEOUT = 10.0
_GRACEFUL_SHUTDOWN = 3  # seconds uvicorn waits for open requests on stop

logger = logging.getLogger("alleviate_debtcore.sandbox")


@dataclass(frozen=True, slots=True)
class ConnectionBounds:
    """How long one connection may wait for, or dribble in, a request (seconds).

    The defaults are far above what any HTTP client needs on this machine, and far below
    "for ever": ``keep_alive`` is uvicorn's default; a request head is a few hundred bytes;
    a body is at most ``RequestLimits.max_body_bytes`` (4 MiB), seconds even over a slow link.
    """

    keep_alive: int = 5  # idle between requests (uvicorn's timeout_keep_alive, whole seconds)
    request_head: float = 10.0  # from connect, or the previous response, to the head's end
    request_body: float = 30.0  # from the head's end to the body's end

    def __post_init__(self) -> None:
        if self.keep_alive < 1 or min(self.request_head, self.request_body) <= 0:
            raise ValueError("connection bounds must be positive (keep_alive at least 1 s)")


class _BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a per-connection read timer (slowloris defence).

    The timer is armed when the connection waits for a request head (on connect and after each
    response) and re-armed once, with the body bound, when the head is complete; it never
    restarts on bytes received, so trickling a byte at a time does not extend it. While the
    app answers, nothing is being read and no timer runs. When it fires the connection is
    closed: before a request there is nobody to answer, during a body the app sees a
    disconnect.
    """

    bounds = ConnectionBounds()  # replaced per server by a subclass (see _protocol_for)
    _read_timer: asyncio.TimerHandle | None = None
    _reading: Literal["head", "body"] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._track_reading()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._track_reading()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def _track_reading(self) -> None:
        """Arm the timer for what the connection now waits for, if that changed."""
        state = self.conn.their_state
        reading: Literal["head", "body"] | None = None
        if not self.transport.is_closing():
            if state is h11.IDLE:
                reading = "head"
            elif state is h11.SEND_BODY:
                reading = "body"
        if reading != self._reading:
            self._arm(reading)

    def _arm(self, reading: Literal["head", "body"] | None) -> None:
        self._reading = reading
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if reading is not None:
            bound = self.bounds.request_head if reading == "head" else self.bounds.request_body
            self._read_timer = self.loop.call_later(bound, self._read_timed_out, reading, bound)

    def _read_timed_out(self, reading: str, bound: float) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        logger.debug(  # browsers' speculative connections end here too: not worth INFO
            "closing the connection from %s: no complete request %s within %g s",
            client,
            reading,
            bound,
        )
        self.transport.close()


def _protocol_for(bounds: ConnectionBounds) -> type[_BoundedH11Protocol]:
    # uvicorn builds the protocol from the class alone: the bounds travel as a class attribute.
    return type("_BoundedH11Protocol", (_BoundedH11Protocol,), {"bounds": bounds})


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


def _server(
    app: SandboxApp,
    *,
    access_log: bool,
    tls: TlsFiles | None = None,
    bounds: ConnectionBounds | None = None,
) -> _Server:
    bounds = bounds or ConnectionBounds()
    config = uvicorn.Config(
        app,
        access_log=access_log,
        log_config=None,
        log_level="info" if access_log else "warning",
        lifespan="off",
        http=_protocol_for(bounds),
        ws="none",  # the sandbox has no websockets; an upgrade would bypass the read bounds
        timeout_keep_alive=bounds.keep_alive,
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
    (also written to ``ca_file`` when given). ``bounds`` limits idle and trickling connections
    (``ConnectionBounds``: 5 s idle keep-alive, 10 s for a request head, 30 s for a body).
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
        bounds: ConnectionBounds | None = None,
    ) -> None:
        self.app = app or create_app()
        self.bounds = bounds or ConnectionBounds()
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
        server = self._server = _server(
            self.app, access_log=self._access_log, tls=self.tls, bounds=self.bounds
        )
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
