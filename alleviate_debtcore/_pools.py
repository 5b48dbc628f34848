"""Forgetting an httpx client's pooled connections in a forked child, without closing them.

A child shares its parent's sockets: a keep-alive connection used by both interleaves their
requests and responses. Closing one (``close()``, an HTTP/2 GOAWAY, a TLS close_notify) would
reach the parent's peer, so the child only drops its references; the garbage collector then
releases the child's file descriptor copy, which sends nothing (the parent's stays open).
"""

from __future__ import annotations

import httpx

__all__ = ["forget_connections"]


def forget_connections(client: httpx.Client | httpx.AsyncClient) -> None:
    """Empty the connection pools of ``client`` (its transport and mounts) and renew their lock,
    which a parent thread may have held at the fork. Transports other than httpx's own are left
    as they are (a caller's custom transport has its own story)."""
    import httpcore  # only ever in a forked child: not worth its import time in every process

    transports = [client._transport, *client._mounts.values()]  # pyright: ignore[reportPrivateUsage]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.ConnectionPool | httpcore.AsyncConnectionPool):
            # The proxies (HTTPProxy, SOCKSProxy and their async twins) are pools too.
            pool._connections = []  # pyright: ignore[reportPrivateUsage]
            pool._requests = []  # pyright: ignore[reportPrivateUsage]
            pool._optional_thread_lock = type(pool._optional_thread_lock)()  # pyright: ignore[reportPrivateUsage, reportAttributeAccessIssue]
