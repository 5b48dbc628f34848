"""A credential's own token clients after ``os.fork()`` (issue 21, item 1): the child drops the
pooled connections it inherited (a keep-alive socket shared with the parent would interleave
both processes' token responses) without closing them, and opens its own; the parent's keep
working. Real forks over the sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from alleviate_debtcore.auth import ClientSecretCredential
from alleviate_debtcore.sandbox import SandboxServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CHILD_BUDGET = 30.0  # seconds a child may take: generous, it needs well under one


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


def _credential(server: SandboxServer) -> ClientSecretCredential:
    tokens = server.state.tokens
    return ClientSecretCredential(
        tenant_id=tokens.tenant_id,
        client_id=tokens.client_id,
        client_secret=tokens.client_secret,
        authority=server.base_url,
    )


def _in_child(check: Callable[[], dict[str, object]]) -> dict[str, object]:
    """Fork; the child runs ``check`` and sends its result back as JSON; never returns in the
    child. The parent waits at most CHILD_BUDGET seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running pytest's teardown
        os.close(read_end)
        try:
            result = check()
        except BaseException as exc:
            result = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(write_end, json.dumps(result, default=str).encode())
        os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], CHILD_BUDGET)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"the forked child did not answer within {CHILD_BUDGET} s")
        data = b""
        while chunk := os.read(read_end, 65536):
            data += chunk
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    result: dict[str, object] = json.loads(data)
    assert "error" not in result, result["error"]
    return result


def test_a_forked_child_gets_its_own_sync_token_client(server: SandboxServer) -> None:
    credential = _credential(server)
    scope = server.state.tokens.scope
    try:
        for _ in range(5):  # each round: a pooled keep-alive connection in the parent, a fork
            credential.get_token_sync(scope)
            inherited = credential._sync_client  # pyright: ignore[reportPrivateUsage]
            assert inherited is not None

            def child(inherited: object = inherited) -> dict[str, object]:
                dropped = credential._sync_client is None  # pyright: ignore[reportPrivateUsage]
                token = credential.get_token_sync(scope).token
                return {
                    "dropped": dropped,
                    "fresh": credential._sync_client is not inherited,  # pyright: ignore[reportPrivateUsage]
                    "inherited_left_open": not getattr(inherited, "is_closed", True),
                    "valid": bool(server.state.tokens.verify(token)),
                }

            assert _in_child(child) == {
                "dropped": True,
                "fresh": True,
                "inherited_left_open": True,  # never closed in the child: the parent owns it
                "valid": True,
            }
            # The parent's client and its connection are untouched: same object, still works.
            assert credential._sync_client is inherited  # pyright: ignore[reportPrivateUsage]
            assert server.state.tokens.verify(credential.get_token_sync(scope).token)
    finally:
        credential.close()


def test_a_child_forked_inside_a_running_loop_gets_its_own_async_pool(
    server: SandboxServer,
) -> None:
    credential = _credential(server)
    scope = server.state.tokens.scope

    def in_fresh_loop() -> str:
        box: list[str] = []
        thread = threading.Thread(
            target=lambda: box.append(asyncio.run(credential.get_token(scope)).token)
        )
        thread.start()
        thread.join(CHILD_BUDGET)
        return box[0]

    async def parent() -> None:
        await credential.get_token(scope)  # the pool's client is bound to this running loop
        inherited = credential._async_pool  # pyright: ignore[reportPrivateUsage]

        def child() -> dict[str, object]:
            return {
                "fresh_pool": credential._async_pool is not inherited,  # pyright: ignore[reportPrivateUsage]
                "valid": bool(server.state.tokens.verify(in_fresh_loop())),
            }

        assert _in_child(child) == {"fresh_pool": True, "valid": True}
        assert credential._async_pool is inherited  # pyright: ignore[reportPrivateUsage]
        assert server.state.tokens.verify((await credential.get_token(scope)).token)
        await credential.aclose()

    started = time.monotonic()
    asyncio.run(parent())
    assert time.monotonic() - started < 2 * CHILD_BUDGET
