"""A forked child does not inherit cache state it cannot use (issue 21): locks a parent thread
held at the fork, the parent's file locks, asyncio Redis clients bound to the parent's loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import redis.asyncio

from tests.support.caches import KEY, token

from alleviate_debtcore.auth import FileTokenCache, InMemoryTokenCache, RedisTokenCache
from alleviate_debtcore.auth._shared_flight import SharedFlight
from bench._redis_server import RedisServer

# A child's whole run; generous for a busy machine. A child that deadlocks is killed after it.
CHILD_BUDGET = 60.0


def in_child(work: Callable[[], str]) -> str:
    """``work()`` run in a forked child: its answer, or "failed: ..."; never returns to pytest."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            answer = work()
        except BaseException as exc:
            answer = f"failed: {type(exc).__name__}: {exc}"
        finally:
            os.write(write, answer.encode())
            os._exit(0)
    os.close(write)
    try:
        readable, _, _ = select.select([read], [], [], CHILD_BUDGET)
        assert readable, f"the child did not answer within {CHILD_BUDGET:.0f} s (deadlocked?)"
        return os.read(read, 65536).decode()
    finally:
        os.close(read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def held_by_a_thread(lock: threading.Lock) -> Callable[[], None]:
    """Holds ``lock`` in another thread until the returned function is called."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            release.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(CHILD_BUDGET)

    def done() -> None:
        release.set()
        thread.join()

    return done


def test_in_memory_cache_and_shared_flight_locks_held_at_the_fork_are_fresh_in_the_child(
    tmp_path: Path,
) -> None:
    cache = InMemoryTokenCache()
    saved = token(now=time.time())
    cache.set(KEY, saved)
    flight = SharedFlight(FileTokenCache(tmp_path / "tokens.json"), KEY, clock=time.time)
    release_cache = held_by_a_thread(cache._lock)
    release_flight = held_by_a_thread(flight._health_lock)
    try:

        def use() -> str:
            found = cache.get(KEY)
            flight._answered()  # takes the health lock
            return "ok" if found == saved else "wrong token"

        assert in_child(use) == "ok"
    finally:
        release_cache()
        release_flight()


def test_a_file_lock_the_parent_holds_stays_the_parents(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    cache = FileTokenCache(path)
    owner = cache.lock(KEY)
    assert owner is not None

    def child() -> str:
        held = len(cache._held)
        taken = cache.lock(KEY)  # the parent's lock excludes the child too
        gc.collect()
        return f"held={held} taken={taken is not None}"

    assert in_child(child) == "held=0 taken=False"
    # The child dropped (and collected) its copy without releasing the parent's lock.
    assert FileTokenCache(path).lock(KEY) is None
    cache.unlock(KEY, owner)
    assert FileTokenCache(path).lock(KEY) is not None


def test_from_url_asyncio_clients_are_not_shared_with_a_child(
    redis_server: RedisServer, prefix: str
) -> None:
    cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix)
    saved = token(now=time.time())
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(cache.asave(KEY, saved))  # opens this loop's asyncio client

        def child() -> str:
            inherited = len(cache._loop_clients)
            loaded = asyncio.run(cache.aload(KEY))  # a new client on the child's own loop
            return f"inherited={inherited} loaded={loaded == saved}"

        assert in_child(child) == "inherited=0 loaded=True"
        assert loop.run_until_complete(cache.aload(KEY)) == saved  # the parent's still works
        loop.run_until_complete(cache.aclose())
    finally:
        loop.close()


def test_a_given_asyncio_client_is_refused_in_a_child(
    redis_server: RedisServer, prefix: str
) -> None:
    client = redis.asyncio.Redis.from_url(redis_server.url)
    cache = RedisTokenCache(client, prefix=prefix)

    def child() -> str:
        try:
            asyncio.run(cache.aload(KEY))
        except Exception as exc:
            return type(exc).__name__
        return "used the parent's connections"

    assert in_child(child) == "TokenCacheError"


def test_redis_py_sync_pools_reconnect_in_a_child_by_themselves(
    redis_server: RedisServer, prefix: str
) -> None:
    cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix)
    saved = token(now=time.time())
    cache.save(KEY, saved)  # a pooled connection in the parent

    def child() -> str:
        return "ok" if all(cache.load(KEY) == saved for _ in range(20)) else "wrong"

    assert in_child(child) == "ok"
    assert all(cache.load(KEY) == saved for _ in range(20))
    cache.close()
