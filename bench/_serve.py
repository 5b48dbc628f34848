"""Subprocess entry: serve one app on 127.0.0.1 until stdin closes.

``python -m bench._serve responder BODY_FILE`` or ``python -m bench._serve sandbox``; the first
stdout line is ``READY <base url>``. A separate process keeps the server's CPU time and GIL off
the client being measured (2 cores: one each). Closing stdin stops the server, so it never
outlives the bench, even when the bench is killed.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Generator
from pathlib import Path

import uvicorn

from ._apps import ASGIApp, fixed_responder


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield  # the parent stops us through stdin (or SIGTERM's default action)


def _serve_app(app: ASGIApp) -> None:
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it Nagle + delayed ACK add 40 ms to every response written in two parts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", access_log=False, lifespan="off"
    )
    server = _Server(config)

    def stop_on_eof() -> None:
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=stop_on_eof, daemon=True).start()
    host, port = sock.getsockname()[:2]
    print(f"READY http://{host}:{port}", flush=True)
    server.run(sockets=[sock])


def _serve_sandbox() -> None:
    from alleviate_debtcore.sandbox import SandboxServer  # only this server needs the extra

    with SandboxServer() as server:
        print(f"READY {server.base_url}", flush=True)
        sys.stdin.read()  # the server runs in its own thread until the parent closes stdin


def main(argv: list[str]) -> None:
    if argv[:1] == ["responder"] and len(argv) == 2:
        _serve_app(fixed_responder(Path(argv[1]).read_bytes()))
    elif argv == ["sandbox"]:
        _serve_sandbox()
    else:
        raise SystemExit("usage: python -m bench._serve responder BODY_FILE | sandbox")


if __name__ == "__main__":
    main(sys.argv[1:])
