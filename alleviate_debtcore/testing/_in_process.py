"""httpx transports straight into an ASGI app: no socket, no thread, no event-loop hop (and
``SyncInProcessTransport``, for blocking clients, with one thread running the app's loop).

``httpx.ASGITransport`` re-attempts ``import sniffio`` on every request (a failing import when
sniffio is absent: a sys.path scan costing tens of microseconds), which would blur the client
cost the benchmark's in-process scenarios isolate; this one calls the app and nothing else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

__all__ = ["ASGIApp", "InProcessTransport", "SyncInProcessTransport"]

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]


class InProcessTransport(httpx.AsyncBaseTransport):
    """Hands each request to ``app`` on the running event loop; the whole response is buffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        url = request.url
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "server": (url.host, url.port),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }
        sent = False
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return httpx.Response(status, headers=headers, content=b"".join(parts))


class SyncInProcessTransport(httpx.BaseTransport):
    """``InProcessTransport`` for blocking clients (``DebtCore``): the ASGI app runs on this
    transport's own event loop, in one background thread started on the first request.

    A blocking caller cannot run a coroutine on its own thread (it may already be inside a
    running loop, and the app must stay on one loop), so each request is handed to that loop and
    the caller waits for the buffered response. Requests from many threads queue on it safely.
    ``close()`` stops the thread; it is idempotent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._inner = InProcessTransport(app)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError("this in-process transport is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="debtcore-sandbox-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # the body, so that the app's side reads it without our stream
        loop = self._running_loop()
        future = asyncio.run_coroutine_threadsafe(self._inner.handle_async_request(request), loop)
        # No socket to time out: the request's read timeout bounds the wait instead, so a
        # sandbox latency fault meets the caller's timeout as it would over the network.
        wait = request.extensions.get("timeout", {}).get("read")
        try:
            return future.result(timeout=wait)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout(
                "the in-process sandbox did not answer in time", request=request
            ) from None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
