"""One HTTP exchange with a bounded body: send, then read at most ``max_size`` bytes.

Used for API calls and token requests alike. A body over the limit (declared in Content-Length or
streamed) stops the read at once and closes the connection; the rest is never downloaded.
"""

from __future__ import annotations

import errno
from typing import Any, Final

import httpx

from ._deadline import Deadline

__all__ = [
    "CLIENT_AUTH",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "BodyTooLarge",
    "UseClientAuth",
    "connection_refused",
    "send_async",
    "send_sync",
]

# Far above any Debt Core response (a full credit report is a few hundred KB), far below harm.
DEFAULT_MAX_RESPONSE_SIZE: Final = 64 * 1024 * 1024


class UseClientAuth:
    """The type of ``CLIENT_AUTH``."""


# ``auth=CLIENT_AUTH``: whatever auth the httpx client was built with (``auth=None``: none).
CLIENT_AUTH: Final = UseClientAuth()


class BodyTooLarge(Exception):
    """Internal: the body crossed ``limit`` bytes (``declared``: its Content-Length, if any)."""

    def __init__(self, limit: int, declared: int | None) -> None:
        super().__init__(f"response body over {limit} bytes")
        self.limit = limit
        self.declared = declared


def _options(
    auth: httpx.Auth | None | UseClientAuth, follow_redirects: bool | None
) -> dict[str, Any]:
    """``send`` options: ours where given, the client's defaults otherwise."""
    if auth is CLIENT_AUTH and follow_redirects is None:  # API calls: no dict per call
        return _NO_OPTIONS
    options: dict[str, Any] = {}
    if auth is not CLIENT_AUTH:
        options["auth"] = auth
    if follow_redirects is not None:
        options["follow_redirects"] = follow_redirects
    return options


_NO_OPTIONS: Final[dict[str, Any]] = {}


def _check_declared(response: httpx.Response, limit: int) -> None:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit, int(declared))


def _keep(response: httpx.Response, chunks: list[bytes]) -> None:
    # What Response.read() does after its own loop; ours counts bytes as they arrive.
    response._content = b"".join(chunks)  # pyright: ignore[reportPrivateUsage]


async def send_async(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None | UseClientAuth,
    max_size: int,
    follow_redirects: bool | None = None,
) -> httpx.Response:
    """Send ``request`` and read its (decoded) body, refusing more than ``max_size`` bytes.

    The caller bounds the whole exchange in time (``asyncio.timeout``)."""
    response = await client.send(request, stream=True, **_options(auth, follow_redirects))
    try:
        _check_declared(response, max_size)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_size:
                raise BodyTooLarge(max_size, None)
            chunks.append(chunk)
        _keep(response, chunks)
    finally:
        await response.aclose()
    return response


def send_sync(
    client: httpx.Client,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None | UseClientAuth,
    max_size: int,
    deadline: Deadline | None,
    follow_redirects: bool | None = None,
) -> httpx.Response:
    """The blocking twin of ``send_async``. A blocking read cannot be cancelled, so each read is
    bounded by the request's (clipped) timeout and the ``deadline`` is checked between chunks: a
    server trickling bytes cannot stretch the call past its budget."""
    response = client.send(request, stream=True, **_options(auth, follow_redirects))
    try:
        _check_declared(response, max_size)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_size:
                raise BodyTooLarge(max_size, None)
            if deadline is not None and deadline.expired():
                raise httpx.ReadTimeout(
                    "the call's timeout ran out reading the body", request=request
                )
            chunks.append(chunk)
        _keep(response, chunks)
    finally:
        response.close()
    return response


def connection_refused(exc: BaseException) -> bool:
    """Whether a refused connection lies under ``exc``: httpx wraps httpcore's error, which wraps
    the OSError (anyio wraps one per address tried in an ExceptionGroup)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ECONNREFUSED:
            return True  # ConnectionRefusedError included
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False
