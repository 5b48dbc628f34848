"""Minimal raw ASGI apps: a fixed-body GraphQL responder and a counting, slow token endpoint.

Raw ASGI callables rather than a framework, so the server side adds next to nothing: what is
measured is the client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _drain(receive: Receive) -> bytes:
    """Read the whole request body, as a real server must before answering."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, body: bytes, status: int = 200) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def fixed_responder(body: bytes) -> ASGIApp:
    """Answers every HTTP request with ``body`` as JSON (after reading the request)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and the like: nothing to set up
            return
        await _drain(receive)
        await _answer(send, body)

    return app


class TokenEndpoint:
    """An Entra-style client-credentials endpoint that counts requests and answers slowly."""

    def __init__(self, *, delay: float = 0.0, lifetime: int = 3599) -> None:
        self.delay = delay
        self.requests = 0
        self._body = json.dumps(
            {"token_type": "Bearer", "expires_in": lifetime, "access_token": "bench-token"}
        ).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1  # counted on arrival: a second concurrent fetch shows at once
        await _drain(receive)
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        await _answer(send, self._body)
