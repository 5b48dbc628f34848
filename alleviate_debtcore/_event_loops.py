"""An ``httpx.AsyncClient`` of our own that follows the caller from one event loop to the next.

Pooled connections belong to the event loop that opened them: reused from a later loop they fail
with ``RuntimeError: Event loop is closed``, and dropped they leak sockets. So the client is
created on first use, bound to that loop, and closed *on that loop* when it shuts down: a small
async generator is registered with the loop, and ``asyncio.run`` (like pytest-asyncio) finalizes
async generators before closing its loop. The next loop then gets a fresh client; there is only
ever one. Using it from a second loop while the first is still running (another thread) raises
``EventLoopError``.

In a forked child the client, its pooled connections and its loop binding are forgotten, not
closed (``_fork``): the child's first call makes a fresh client on the child's own loop.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Callable
from typing import Any

import httpx

from ._fork import fork_generation, on_fork_in_child
from ._pools import forget_connections
from .errors import ClientClosedError, EventLoopError

__all__ = ["LoopBoundAsyncClient"]


class LoopBoundAsyncClient:
    """Hands out the AsyncClient for the running loop; ``aclose()`` from any loop closes it."""

    __slots__ = (
        "__weakref__",
        "_client",
        "_closed",
        "_factory",
        "_guard",
        "_lock",
        "_loop",
        "_owner",
    )

    def __init__(self, factory: Callable[[], httpx.AsyncClient], *, owner: str) -> None:
        self._factory = factory
        self._owner = owner  # for messages: "AsyncDebtCore", "ClientSecretCredential"
        self._lock = threading.Lock()
        self._client: httpx.AsyncClient | None = None
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._guard: AsyncGenerator[None] | None = None
        self._closed = False
        on_fork_in_child(self, LoopBoundAsyncClient._after_fork)

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The current client, if one is open."""
        return self._client

    async def get(self) -> httpx.AsyncClient:
        """The client for the running loop, created (or re-created after a loop ended) here."""
        loop = asyncio.get_running_loop()
        client = self._client
        if client is not None and self._loop is not None and self._loop() is loop:
            return client
        with self._lock:
            if self._closed:
                raise ClientClosedError(f"this {self._owner} is closed; create a new one")
            client = self._client
            bound = self._loop() if self._loop is not None else None
            if client is not None and bound is loop:
                return client
            if client is not None and bound is not None and bound.is_running():
                raise EventLoopError(
                    f"this {self._owner} is in use on another running event loop; its connections "
                    "belong to that loop. Create one client per event loop (or per thread), or "
                    "use the sync DebtCore from threads"
                )
            if self._guard is not None:
                # The old loop ended without finalizing us (closed without shutdown_asyncgens, or
                # stopped): its sockets cannot be closed from here; finish the guard so that it
                # never runs on a dead loop.
                _finish_now(self._guard)
            client = self._factory()
            guard = self._close_with_loop(client, loop)
            self._client, self._loop, self._guard = client, weakref.ref(loop), guard
        await anext(guard)  # registers the guard with this loop
        return client

    async def aclose(self) -> None:
        """Close the client on the loop that owns it, from that loop or any other; no client is
        handed out afterwards."""
        with self._lock:
            self._closed = True
            guard, bound = self._guard, self._loop() if self._loop is not None else None
            self._client = self._loop = self._guard = None
        if guard is None:
            return
        running = asyncio.get_running_loop()
        if bound is None or bound is running or bound.is_closed():
            await guard.aclose()
        elif bound.is_running():  # another thread's loop: close it there
            future = asyncio.run_coroutine_threadsafe(_aclose(guard), bound)
            await asyncio.wrap_future(future)
        else:  # a stopped loop: nothing can run on it now
            _finish_now(guard)

    def _after_fork(self) -> None:
        """In a forked child: forget the parent's client, connections and loop (the loop's
        thread is not in this process); the next ``get()`` makes a fresh client."""
        self._lock = threading.Lock()
        client, guard = self._client, self._guard
        self._client = self._loop = self._guard = None
        if client is not None:
            forget_connections(client)
        if guard is not None:
            # Finished now, it closes nothing (other fork generation) and is never finalized on
            # the parent's loop, whose wake-up pipe this child shares.
            _finish_now(guard)

    @staticmethod
    async def _close_with_loop(
        client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop
    ) -> AsyncGenerator[None]:
        generation = fork_generation()
        try:
            yield
        finally:
            if generation == fork_generation() and not loop.is_closed() and _running_loop() is loop:
                await client.aclose()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _aclose(guard: AsyncGenerator[Any]) -> None:
    await guard.aclose()


def _finish_now(guard: AsyncGenerator[Any]) -> None:
    """Run the guard's cleanup without a loop: it skips the awaits a dead loop cannot serve."""
    closing = guard.aclose()
    try:
        closing.send(None)
    except StopIteration:
        pass
    except RuntimeError:  # already running or finished
        closing.close()
    else:  # it awaited something: abandon quietly
        closing.close()
